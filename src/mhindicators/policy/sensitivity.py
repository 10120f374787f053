"""Sensitivity of a composite to its scoring choices (OECD/JRC Handbook on Constructing
Composite Indicators, 2008, step 7): each scenario rescores every country, and the table says
how far each country's score and rank move from the published (baseline) method."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mhindicators.policy.definition import Composite
from mhindicators.policy.scoring import band_of, domain_scores, item_matrix, overall_score

BASELINE = "baseline"


def scenarios(c: Composite) -> list[tuple[str, str, Composite, str, dict | None]]:
    """(name, description, composite, roll-up, weights) of every scenario, baseline first."""
    out: list[tuple[str, str, Composite, str, dict | None]] = [
        (BASELINE, f"as defined ({c.overall})", c, c.overall, None)
    ]
    out.append(("equal_weights", "arithmetic mean of domain scores", c, "mean_of_domains", None))
    for name, weights in (c.alternative_weights or {}).items():
        out.append((f"weights_{name}", "weighted mean of domain scores", c, "weighted", weights))
    geometric = "geometric_mean_of_domains"
    out.append(("geometric", "geometric mean of domain scores", c, geometric, None))
    if len(c.domains) > 1:
        for d in c.domains:
            rest = c.model_copy(
                update={
                    "domains": [x for x in c.domains if x.id != d.id],
                    "weights": {k: w for k, w in (c.weights or {}).items() if k != d.id} or None,
                }
            )
            out.append((f"without_{d.id}", f"as defined, domain {d.id} left out", rest, c.overall,
                        None))  # fmt: skip
    return out


def _rank(score: np.ndarray, ident: pd.DataFrame) -> np.ndarray:
    """1 = highest score within the year; ties share the best rank; no score, no rank."""
    s = pd.Series(score)
    if "year" in ident.columns:
        return s.groupby(ident["year"].to_numpy()).rank(ascending=False, method="min").to_numpy()
    return s.rank(ascending=False, method="min").to_numpy()


def sensitivity(c: Composite, answers: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per country x scenario: score, rank, change in score and rank vs baseline."""
    ident = answers[keys].reset_index(drop=True)
    rows, base, base_rank, base_band = [], None, None, None
    for name, what, comp, how, weights in scenarios(c):
        m = item_matrix(comp, answers)
        doms = domain_scores(comp, m)
        if how == "weighted":
            score = overall_score(comp, m, doms, "weighted_mean_of_domains", weights)
        else:
            score = overall_score(comp, m, doms, how)
        rank = _rank(score, ident)
        band = band_of(c, score)[0]
        if base is None:
            base, base_rank, base_band = score, rank, band
        rows.append(
            ident.assign(
                composite_id=c.id,
                scenario=name,
                description=what,
                score=score,
                rank=rank,
                score_change=score - base,
                rank_shift=rank - base_rank,
                band_code=band,
                band_changed=(band != base_band) if c.bands else False,
            )
        )
    return pd.concat(rows, ignore_index=True)


def sensitivity_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: mean and largest absolute rank shift (the Handbook's average shift in
    ranks), mean and largest absolute score change, and countries changing band."""
    g = table.assign(
        abs_shift=table["rank_shift"].abs(), abs_change=table["score_change"].abs()
    ).groupby(["composite_id", "scenario"], sort=False)
    return pd.DataFrame(
        {
            "n_countries": g["score"].count(),
            "mean_abs_rank_shift": g["abs_shift"].mean(),
            "max_abs_rank_shift": g["abs_shift"].max(),
            "mean_abs_score_change": g["abs_change"].mean(),
            "max_abs_score_change": g["abs_change"].max(),
            "n_band_changes": g["band_changed"].sum().astype(int),
        }
    ).reset_index()
