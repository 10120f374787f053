"""Survey indicators on one harmonised frame: design, one pass of statistics, domains, CIs.

Indicators that share a cross-classification (same dimensions and age bands) share one call
to `accumulate`, so every indicator column is reduced in the same pass over the rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from mhindicators.definitions import Indicator
from mhindicators.engine import ci
from mhindicators.engine.design import ReplicateSpec, SurveyDesign
from mhindicators.engine.domains import (
    UNKNOWN,
    Domains,
    all_domains,
    components_by,
    contrast_labels,
    encode_cells,
    reference_pairs,
)
from mhindicators.engine.measures import Measure, measure
from mhindicators.engine.stats import Column, accumulate
from mhindicators.engine.survey_contrasts import domain_contrasts
from mhindicators.engine.survey_estimate import DomainEstimates, estimate_domains
from mhindicators.engine.survey_standardize import standardize
from mhindicators.profiles.model import Profile
from mhindicators.results import TOTAL
from mhindicators.stdpop import align
from mhindicators.vocabulary import Vocabulary
from mhindicators.vocabulary.age import band_ages

SURVEY_ESTIMATOR = {
    "proportion": "proportion",
    "mean": "mean",
    "ratio": "ratio",
    "total": "total",
    "count": "total",
}


def replicate_columns(profile: Profile, available: list[str]) -> list[str]:
    """Replicate-weight columns: listed, or matched in full by the profile's pattern."""
    d = profile.design
    if d is None or d.replicates is None:
        return []
    if d.replicates.columns:
        return list(d.replicates.columns)
    pattern = re.compile(d.replicates.pattern or "")
    return [c for c in available if pattern.fullmatch(c)]


def design_columns(profile: Profile, available: list[str]) -> list[str]:
    """Raw columns the design needs: weight, strata, PSU, fpc and replicate weights."""
    d = profile.design
    assert d is not None
    base = [c for c in (d.weight, d.strata, d.psu, d.fpc) if c]
    return base + replicate_columns(profile, available)


def build_design(raw: pd.DataFrame, profile: Profile, available: list[str]) -> SurveyDesign:
    """SurveyDesign from the raw design columns of a profile."""
    d = profile.design
    assert d is not None
    strata = psu = None
    labels = None
    if d.strata:
        codes, uniques = pd.factorize(raw[d.strata], sort=True)
        strata, labels = codes, [str(u) for u in uniques]
    if d.psu:
        if d.nest and strata is not None:
            psu = pd.factorize(pd.MultiIndex.from_arrays([strata, raw[d.psu]]))[0]
        else:
            psu = pd.factorize(raw[d.psu], sort=True)[0]
    fpc = raw[d.fpc].to_numpy(dtype=np.float64) if d.fpc else None
    replicates = None
    if d.replicates is not None:
        rep_cols = replicate_columns(profile, available)
        r = d.replicates
        replicates = ReplicateSpec(
            raw[rep_cols].to_numpy(dtype=np.float64),
            r.type,
            r.scale,
            None if r.rscales is None else np.asarray(r.rscales),
            r.mse,
            r.rho,
            r.df,
        )
    weights = pd.to_numeric(raw[d.weight], errors="coerce").to_numpy(dtype=np.float64)
    return SurveyDesign(weights, strata, psu, fpc, d.lonely_psu, replicates, strata_labels=labels)


@dataclass
class SurveyResult:
    """One indicator's domain table plus what the summary reports."""

    indicator: Indicator
    table: pd.DataFrame
    contrasts: pd.DataFrame
    measure: Measure
    unknown_share: float


def cell_dimensions(ind: Indicator) -> list[str]:
    """Dimensions of the cells: the disaggregation, plus age for age standardisation."""
    dims = list(ind.disaggregate_by)
    if ind.standardize is not None and "age_group" not in dims:
        dims.append("age_group")
    return dims


def compute_survey(
    items: list[Indicator],
    frame: pd.DataFrame,
    design: SurveyDesign,
    vocab: Vocabulary,
    conf_level: float,
    default_ci: str,
) -> list[SurveyResult]:
    """Estimates for every indicator, grouped so each cross-classification is one pass."""
    groups: dict[tuple, list[Indicator]] = defaultdict(list)
    for ind in items:
        groups[(tuple(cell_dimensions(ind)), _bands_key(ind))].append(ind)
    results: list[SurveyResult] = []
    for (dims, _), inds in groups.items():
        work = frame
        if "age_group" in dims and "age_group" not in frame.columns:
            work = frame.assign(age_group=band_ages(frame["age"], inds[0].age_groups or []))
        measures = [measure(ind, work, vocab) for ind in inds]
        in_band = _in_band(work, list(dims))
        cells = encode_cells(work, list(dims), in_band)
        columns = [Column(m.y, m.x, m.keep & in_band) for m in measures]
        stats = accumulate(design, cells.codes, cells.n_cells, columns)
        doms = all_domains(cells)
        for j, (ind, m) in enumerate(zip(inds, measures, strict=True)):
            est = estimate_domains(
                stats,
                doms.membership,
                column=j,
                estimator=SURVEY_ESTIMATOR[ind.estimator],  # type: ignore[arg-type]
                covariance=bool(ind.reference_group or ind.standardize),
            )
            table = _table(ind, doms, est, conf_level, default_ci)
            if ind.standardize is not None:
                table = _with_standardized(ind, doms, est, table, conf_level, default_ci)
            contrasts = _contrasts(ind, doms, est, conf_level)
            share = _unknown_share(work, design.weights, m.keep & in_band, ind)
            results.append(SurveyResult(ind, table, contrasts, m, share))
    return results


def _with_standardized(ind, doms, est, table, level: float, default_ci: str) -> pd.DataFrame:
    """Add age-standardised rows (age_group `_T`, `standardization` = the standard) as
    `svystandardize(by = ~age_group, over = ~other dims)`; keep age rows only if requested."""
    assert ind.standardize is not None
    labels = doms.labels
    bands = [b for b in pd.unique(labels["age_group"]) if b not in (TOTAL, UNKNOWN)]
    shares = align(bands, ind.standardize.standard)["weight"].to_numpy()
    outer, idx = components_by(labels, "age_group", bands)
    std = standardize(est, idx, shares)
    sub = _subset(est, outer)
    p = std.estimate
    with np.errstate(divide="ignore", invalid="ignore"):
        sub = replace(
            sub,
            estimate=p,
            variance=std.variance,
            se=std.se,
            n_eff=p * (1 - p) / std.variance,
            se_logit=std.se / (p * (1 - p)) if sub.se_logit is not None else None,
            deff=np.full(p.shape, np.nan),
        )
    std_doms = Domains(labels.iloc[outer].reset_index(drop=True), doms.membership[outer])
    rows = _table(ind, std_doms, sub, level, default_ci)
    rows["standardization"] = ind.standardize.standard
    rows.loc[np.isnan(p), "status"] = "empty-age-band"
    if "age_group" not in ind.disaggregate_by:
        table = table[table["age_group"] == TOTAL]
    table = table.assign(standardization="")
    return pd.concat([table, rows], ignore_index=True)


def _subset(est: DomainEstimates, rows: np.ndarray) -> DomainEstimates:
    """The per-domain arrays of `est` restricted to `rows` (covariance dropped)."""
    picked = {
        f.name: getattr(est, f.name)[rows]
        for f in fields(est)
        if isinstance(getattr(est, f.name), np.ndarray) and f.name != "cov"
    }
    return replace(est, **picked, cov=None)


def _bands_key(ind: Indicator) -> tuple:
    return tuple(tuple(b) for b in ind.age_groups or [])


def _in_band(frame: pd.DataFrame, dims: list[str]) -> np.ndarray:
    """Rows whose known age lies outside every band are outside the indicator."""
    if "age_group" not in dims or "age" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    age_known = frame["age"].notna().to_numpy()
    return ~(age_known & frame["age_group"].isna().to_numpy())


def _unknown_share(frame: pd.DataFrame, w: np.ndarray, keep: np.ndarray, ind: Indicator) -> float:
    """Weighted share of the universe whose migratory-status dimension is unknown."""
    dim = next((d for d in ind.disaggregate_by if d in _MIGRATION_DIMS), None)
    if dim is None or dim not in frame.columns:
        return float("nan")
    total = w[keep].sum()
    unknown = (frame[dim].astype("object") == "unknown").to_numpy() & keep
    return float(w[unknown].sum() / total) if total > 0 else float("nan")


_MIGRATION_DIMS = (
    "migratory_status",
    "nativity",
    "citizenship_status",
    "migrant_generation",
    "duration_group",
    "protection_status",
)


def _table(
    ind: Indicator, doms: Domains, est: DomainEstimates, level: float, default_ci: str
) -> pd.DataFrame:
    table = doms.labels.copy()
    if ind.estimator == "proportion":
        interval = ci.proportion_ci(ind.ci_method or default_ci, est, level)
    else:
        interval = ci.wald(est.estimate, est.se, est.df, level, est.n)
    table["estimate"] = est.estimate
    table["se"] = est.se
    table["ci_lower"], table["ci_upper"] = interval.lower, interval.upper
    table["ci_method"] = interval.method
    table["conf_level"] = level
    table["df"] = est.df
    table["deff"] = est.deff
    table["cv"] = est.cv
    table["n_unweighted"] = est.n
    table["weighted_numerator"] = est.numerator
    table["weighted_denominator"] = est.denominator
    table["n_eff"] = est.n_eff
    table["status"] = [ci.STATUS[int(s)] if s else "" for s in interval.status]
    return table


def _contrasts(ind: Indicator, doms: Domains, est: DomainEstimates, level: float) -> pd.DataFrame:
    """Difference and ratio of each migratory group vs the reference (svyby covmat + svycontrast).

    Intervals use t with the smaller df of the two domains; the ratio's is on the log scale.
    """
    if not ind.reference_group or est.cov is None:
        return pd.DataFrame()
    ((dim, ref),) = ind.reference_group.items()
    g, r = reference_pairs(doms.labels, dim, ref)
    if len(g) == 0:
        return pd.DataFrame()
    c = domain_contrasts(est, g, r)
    df = np.fmin(est.df[g], est.df[r])
    t = ci.t_quantile(level, df)
    out = contrast_labels(doms.labels, dim, ref, g)
    out["estimate"], out["reference_estimate"] = est.estimate[g], est.estimate[r]
    out["difference"], out["difference_se"] = c.difference, c.se_difference
    out["difference_ci_lower"] = c.difference - t * c.se_difference
    out["difference_ci_upper"] = c.difference + t * c.se_difference
    out["ratio"], out["ratio_se"] = c.ratio, c.se_ratio
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio_ci_lower"] = c.ratio * np.exp(-t * c.log_ratio_se)
        out["ratio_ci_upper"] = c.ratio * np.exp(t * c.log_ratio_se)
    out["method"] = "delta (joint linearization or replicates); ratio CI on log scale"
    out["conf_level"] = level
    out["df"] = df
    return out
