"""Scoring a composite over a policy table: item, domain and overall scores per country,
bands, and counts and shares of countries per band by group. Vectorised over countries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mhindicators.policy.definition import Composite

TOTAL = "_T"


@dataclass(frozen=True)
class CompositeScores:
    items: pd.DataFrame  # one row per country x item: answer, score (missing / NA: empty)
    domains: pd.DataFrame  # one row per country x domain: score, items answered / applicable
    overall: pd.DataFrame  # one row per country: score, band, items answered / applicable
    bands: pd.DataFrame  # one row per group x band: countries, share of scored countries


@dataclass(frozen=True)
class Matrix:
    """Item scores (NaN = missing or not applicable) and the applicable mask, per domain."""

    scores: dict[str, np.ndarray]
    applicable: dict[str, np.ndarray]


def item_matrix(c: Composite, answers: pd.DataFrame) -> Matrix:
    """Answers (strings; '' = missing) as item scores; codes must have been checked."""
    scores, applicable = {}, {}
    for d in c.domains:
        raw = answers[d.items].to_numpy(dtype=object).astype(str)
        scale = c.scales[d.scale]
        lookup = np.vectorize(lambda a, s=scale: s.get(a, np.nan), otypes=[float])
        scores[d.id] = lookup(raw) if raw.size else np.zeros(raw.shape)
        applicable[d.id] = ~np.isin(raw, c.not_applicable)
    return Matrix(scores, applicable)


def domain_scores(c: Composite, m: Matrix) -> dict[str, np.ndarray]:
    """Mean item score x multiplier per domain, NaN where the missing rule gives no score."""
    out = {}
    for d in c.domains:
        s, app = m.scores[d.id], m.applicable[d.id]
        answered = ~np.isnan(s)
        n_app, n_ans = app.sum(axis=1), answered.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(answered, s, 0.0).sum(axis=1) / n_ans * c.multiplier
            if c.missing.rule == "no_score":
                ok = n_ans == n_app
            else:
                ok = (n_ans > 0) & (n_ans >= c.missing.min_share * n_app)
        out[d.id] = np.where(ok & (n_ans > 0), mean, np.nan)
    return out


def overall_score(
    c: Composite, m: Matrix, doms: dict[str, np.ndarray], how: str | None = None, weights=None
) -> np.ndarray:
    """The overall score by the definition's roll-up (or `how` / `weights`, for sensitivity)."""
    how = how or c.overall
    stack = np.column_stack([doms[d.id] for d in c.domains])
    scored = ~np.isnan(stack).any(axis=1)
    if how == "mean_of_items":
        s = np.column_stack([m.scores[d.id] for d in c.domains])
        answered = ~np.isnan(s)
        with np.errstate(invalid="ignore", divide="ignore"):
            val = np.where(answered, s, 0.0).sum(axis=1) / answered.sum(axis=1) * c.multiplier
    elif how == "mean_of_domains":
        val = stack.mean(axis=1)
    elif how == "weighted_mean_of_domains":
        table = weights or c.weights
        assert table is not None, "the composite model requires weights for this roll-up"
        w = np.array([table[d.id] for d in c.domains], dtype=np.float64)
        val = stack @ w / w.sum()
    elif how == "min_of_domains":
        val = stack.min(axis=1)
    elif how == "geometric_mean_of_domains":
        with np.errstate(divide="ignore"):
            val = np.exp(np.log(stack).mean(axis=1))
    else:  # pragma: no cover - the model's Literal rules it out
        raise ValueError(how)
    return np.where(scored, val, np.nan)


def band_of(c: Composite, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Band code (0 = none) and label of each overall score."""
    if not c.bands:
        return np.zeros(len(score), dtype=int), np.full(len(score), "", dtype=object)
    starts = np.array([b.min for b in c.bands])
    idx = np.searchsorted(starts, np.nan_to_num(score, nan=-np.inf), side="right") - 1
    valid = (idx >= 0) & ~np.isnan(score)
    codes = np.array([b.code for b in c.bands])[np.clip(idx, 0, None)]
    labels = np.array([b.label for b in c.bands], dtype=object)[np.clip(idx, 0, None)]
    return np.where(valid, codes, 0), np.where(valid, labels, "")


def score_composite(c: Composite, answers: pd.DataFrame, keys: list[str], group: str | None):
    """All outputs of composite `c` over `answers` (one row per country; `keys` identify it)."""
    m = item_matrix(c, answers)
    doms = domain_scores(c, m)
    overall = overall_score(c, m, doms)
    codes, labels = band_of(c, overall)
    ident = answers[keys + ([group] if group else [])].reset_index(drop=True)
    head = {"composite_id": c.id, "composite_version": c.version}
    items = []
    for d in c.domains:
        for j, item in enumerate(d.items):
            part = ident.assign(**head, domain=d.id, item=item)
            part["answer"] = answers[item].to_numpy(dtype=object)
            part["source"] = _source(answers, item)
            part["score"] = m.scores[d.id][:, j] * c.multiplier
            items.append(part)
    dom_rows = []
    for d in c.domains:
        s, app = m.scores[d.id], m.applicable[d.id]
        dom_rows.append(
            ident.assign(
                **head,
                domain=d.id,
                domain_name=d.name,
                score=doms[d.id],
                n_items=len(d.items),
                n_applicable=app.sum(axis=1),
                n_answered=(~np.isnan(s)).sum(axis=1),
            )
        )
    n_app = sum(m.applicable[d.id].sum(axis=1) for d in c.domains)
    n_ans = sum((~np.isnan(m.scores[d.id])).sum(axis=1) for d in c.domains)
    total = ident.assign(
        **head, score=overall, band_code=codes, band=labels, n_applicable=n_app, n_answered=n_ans
    )
    return CompositeScores(
        pd.concat(items, ignore_index=True),
        pd.concat(dom_rows, ignore_index=True),
        total,
        band_counts(c, total, group),
    )


def _source(answers: pd.DataFrame, item: str) -> np.ndarray:
    """The answer's own source (column <item>_SOURCE), else the country's (column SOURCE)."""
    blank = np.full(len(answers), "", dtype=object)
    country = answers["SOURCE"].to_numpy(dtype=object) if "SOURCE" in answers else blank
    own = answers.get(item + "_SOURCE")
    if own is None:
        return country
    own = own.to_numpy(dtype=object)
    return np.where(own != "", own, country)


def band_counts(c: Composite, total: pd.DataFrame, group: str | None) -> pd.DataFrame:
    """Countries per band by group and overall (`_T`), within each year when the table has
    several; shares are of the scored countries."""
    if "year" in total.columns and total["year"].nunique() > 1:
        parts = [
            _band_counts(c, part, group).assign(year=year)
            for year, part in total.groupby("year", sort=True)
        ]
        return pd.concat(parts, ignore_index=True)
    out = _band_counts(c, total, group)
    if "year" in total.columns and len(total):
        out["year"] = total["year"].iloc[0]
    return out


def _band_counts(c: Composite, total: pd.DataFrame, group: str | None) -> pd.DataFrame:
    groups = [(TOTAL, total)]
    if group:
        groups += [(str(g), part) for g, part in total.groupby(group, sort=True)]
    rows = []
    for name, part in groups:
        scored = part["score"].notna()
        n, n_scored = len(part), int(scored.sum())
        mean = float(part.loc[scored, "score"].mean()) if n_scored else np.nan
        for b in c.bands:
            k = int((part["band_code"] == b.code).sum())
            rows.append(
                {
                    "composite_id": c.id,
                    "group": name,
                    "band_code": b.code,
                    "band": b.label,
                    "n_countries": k,
                    "share": k / n_scored if n_scored else np.nan,
                    "n_scored": n_scored,
                    "n_in_group": n,
                    "mean_score": mean,
                }
            )
    return pd.DataFrame(rows)
