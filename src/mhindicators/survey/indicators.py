"""Survey indicators on one harmonised frame: design, one pass of statistics, domains, CIs.

Indicators that share a cross-classification (same dimensions and age bands) share one call
to `accumulate`, so every indicator column is reduced in the same pass over the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from mhindicators.core import intervals as ci
from mhindicators.core.design import SurveyDesign
from mhindicators.core.stats import Column, SurveyStats, accumulate
from mhindicators.definitions import Indicator
from mhindicators.frame.ages import AgeGroups, definition_age_groups
from mhindicators.frame.domains import (
    UNKNOWN,
    Cells,
    Domains,
    all_domains,
    components_by,
    contrast_labels,
    encode_cells,
    reference_pairs,
)
from mhindicators.frame.measures import Measure, measure, unknown_share
from mhindicators.results import TOTAL
from mhindicators.stdpop import align
from mhindicators.survey.contrasts import domain_contrasts
from mhindicators.survey.estimate import DomainEstimates, estimate_domains
from mhindicators.survey.inequality import inequality_domains
from mhindicators.survey.inequality_table import inequality_rows, migratory_dimension
from mhindicators.survey.poverty import below_line_domains
from mhindicators.survey.quantile import quantile_domains
from mhindicators.survey.standardize import standardize
from mhindicators.vocabulary import Vocabulary

SURVEY_ESTIMATOR = {
    "proportion": "proportion",
    "mean": "mean",
    "ratio": "ratio",
    "total": "total",
    "count": "total",
}


@dataclass
class SurveyResult:
    """One indicator's domain table plus what the summary reports."""

    indicator: Indicator
    table: pd.DataFrame
    contrasts: pd.DataFrame
    n_universe: int  # rows in the universe before removing missing outcomes
    n_missing_outcome: int
    unknown_share: float
    n_excluded_age: int
    #: HEAT summary measures over the migratory groups (inequality_table.py)
    inequality: pd.DataFrame = field(default_factory=pd.DataFrame)


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
    standards: Mapping[str, Path] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[SurveyResult]:
    """Estimates for every indicator, grouped so each cross-classification is one pass.

    standards: user-supplied standard populations (name -> CSV) besides the shipped ones.
    progress: called with a short message before each pass over the rows.
    """
    results: list[SurveyResult] = []
    age_groups: dict[tuple, AgeGroups] = {}  # groups with other dimensions share the banding
    done = 0
    for (dims, bands), inds in survey_groups(items).items():
        if progress is not None:
            progress(_progress_message(inds, done, len(items)))
        done += len(inds)
        part = accumulate_group(frame, design, dims, bands, inds, vocab, age_groups)
        doms = all_domains(part.cells)
        for j, ind in enumerate(inds):
            m = part.measures[j]
            keep = m.keep & part.in_band
            if ind.estimator in DISTRIBUTION:
                table, contrasts, pairs = _distribution(
                    ind, design, part.cells, doms, m, keep, conf_level
                )
                ineq = _inequality(ind, doms, pairs, table, conf_level)
            else:
                table, contrasts, ineq = finish_column(
                    ind, j, part.stats, doms, conf_level, default_ci, standards
                )
            results.append(
                SurveyResult(
                    ind,
                    table,
                    contrasts,
                    m.n_universe,
                    m.n_missing_outcome,
                    unknown_share(part.work, keep, ind, design.weights),
                    int(np.count_nonzero(m.keep & ~part.in_band)),
                    ineq,
                )
            )
    return results


def survey_groups(items: list[Indicator]) -> dict[tuple, list[Indicator]]:
    """Indicators by cross-classification (dimensions, age bands): one pass over rows each."""
    groups: dict[tuple, list[Indicator]] = defaultdict(list)
    for ind in items:
        groups[(tuple(cell_dimensions(ind)), _bands_key(ind))].append(ind)
    return dict(groups)


def _progress_message(inds: list[Indicator], done: int, total: int) -> str:
    span = f"s {done + 1}-{done + len(inds)}" if len(inds) > 1 else f" {done + 1}"
    ids = ", ".join(i.id for i in inds)
    ids = ids if len(ids) <= 60 else ids[:57] + "..."
    return f"indicator{span} of {total}: {ids}"


@dataclass
class GroupPass:
    """One cross-classification's pass over a frame: cells, measures and the statistics."""

    work: pd.DataFrame  # the frame, with `age_group` banded when a dimension
    in_band: np.ndarray  # rows inside the definition's age bands
    measures: list[Measure]
    cells: Cells
    stats: SurveyStats


def accumulate_group(
    frame: pd.DataFrame,
    design: SurveyDesign,
    dims: tuple[str, ...],
    bands: tuple,
    inds: list[Indicator],
    vocab: Vocabulary,
    age_groups: dict[tuple, AgeGroups] | None = None,
    shifts: np.ndarray | None = None,
) -> GroupPass:
    """Measure the indicators of one group, encode cells and accumulate their statistics.

    Distribution estimators get a column too (their y and universe), so the layout is the
    same for every indicator; their estimates come from the rows, not from these sums.
    shifts: of the columns' variance sums (`stats.accumulate`; row batches share them)."""
    work, in_band = frame, np.ones(len(frame), dtype=bool)
    if "age_group" in dims:
        cache = age_groups if age_groups is not None else {}
        if bands not in cache:
            cache[bands] = definition_age_groups(frame, inds[0], "survey")
        ages = cache[bands]
        work, in_band = frame.assign(age_group=ages.groups), ~ages.outside
    measures = [measure(ind, work, vocab) for ind in inds]
    universes = [m.keep & in_band for m in measures]
    columns = [
        Column(m.y, m.x if ind.estimator == "ratio" else None, universe)
        for ind, m, universe in zip(inds, measures, universes, strict=True)
    ]
    cells = encode_cells(work, list(dims), np.logical_or.reduce(universes))
    stats = accumulate(design, cells.codes, cells.n_cells, columns, shifts=shifts)
    return GroupPass(work, in_band, measures, cells, stats)


def finish_column(
    ind: Indicator,
    j: int,
    stats: SurveyStats,
    doms: Domains,
    conf_level: float,
    default_ci: str,
    standards: Mapping[str, Path] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Domain table, contrasts and inequality measures of column `j` of `stats` (any
    estimator but distributions)."""
    est = estimate_domains(
        stats,
        doms.membership,
        column=j,
        estimator=SURVEY_ESTIMATOR[ind.estimator],  # type: ignore[arg-type]
        covariance=bool(ind.reference_group or ind.standardize or migratory_dimension(ind)),
    )
    table = _table(ind, doms, est, conf_level, default_ci)
    margin_cov: Callable[[np.ndarray], np.ndarray | None] | None = None
    if stats.kind != "taylor":  # one svyby call per margin, as R drops NA replicates

        def replicate_margin_cov(rows: np.ndarray) -> np.ndarray | None:
            sub = estimate_domains(
                stats,
                doms.membership[rows],
                column=j,
                # the replicate covariance of y/x is the same for every estimator of a
                # ratio; "ratio" skips the proportion's logit fits
                estimator="total" if SURVEY_ESTIMATOR[ind.estimator] == "total" else "ratio",
                covariance=True,
            )
            return sub.cov

        margin_cov = replicate_margin_cov

    contrasts = _contrasts(ind, doms, est, conf_level, margin_cov)
    ineq_doms, ineq_est, block = doms, est, margin_cov
    if ind.standardize is not None:
        table, contrasts = _with_standardized(
            ind, doms, est, table, contrasts, conf_level, default_ci, standards or {}
        )
        ineq_doms, ineq_est = _standardized(ind, doms, est, standards or {})
        block = None  # standardised covariances are combinations of the full one
    return table, contrasts, _inequality(ind, ineq_doms, ineq_est, None, conf_level, block)


def _inequality(ind, doms: Domains, est, table, level: float, block=None) -> pd.DataFrame:
    """HEAT measures over the migratory groups on the joint covariance of their estimates.

    Populations are the groups' weighted denominators (the table's, when given); `block(rows)`
    (replicate designs) gives one margin's covariance as one svyby call over its domains."""
    population = (
        table["weighted_denominator"].to_numpy(dtype=np.float64)
        if table is not None
        else np.asarray(est.denominator, dtype=np.float64)
    )
    return inequality_rows(
        ind,
        doms.labels,
        np.asarray(est.estimate, dtype=np.float64),
        None if block is not None else est.cov,
        population,
        est.df,
        level,
        ind.effective_multiplier,
        block,
    )


def _with_standardized(ind, doms, est, table, contrasts, level, default_ci, standards):
    """Add age-standardised rows and contrasts (`standardization` = the standard), as
    `svystandardize(by = ~age_group, over = ~other dims)`; keep by-age rows only if requested."""
    assert ind.standardize is not None
    std_doms, std = _standardized(ind, doms, est, standards)
    rows = _table(ind, std_doms, std, level, default_ci)
    rows["standardization"] = ind.standardize.standard
    rows.loc[np.isnan(std.estimate), "status"] = "empty-age-band"
    std_contrasts = _contrasts(ind, std_doms, std, level)
    if "age_group" not in ind.disaggregate_by:
        table = table[table["age_group"] == TOTAL]
        if len(contrasts):
            contrasts = contrasts[contrasts["age_group"] == TOTAL]
    table = pd.concat([table.assign(standardization=""), rows], ignore_index=True)
    if len(std_contrasts):
        contrasts = pd.concat(
            [
                contrasts.assign(standardization=""),
                std_contrasts.assign(standardization=ind.standardize.standard),
            ],
            ignore_index=True,
        )
    return table, contrasts


def _standardized(
    ind, doms: Domains, est: DomainEstimates, standards: Mapping[str, Path]
) -> tuple[Domains, DomainEstimates]:
    """Standardised estimates with their joint covariance (A Cov A' for the weights A)."""
    labels = doms.labels
    bands = [b for b in pd.unique(labels["age_group"]) if b not in (TOTAL, UNKNOWN)]
    shares = align(bands, ind.standardize.standard, extra=standards)["weight"].to_numpy()
    outer, idx = components_by(labels, "age_group", bands)
    std = standardize(est, idx, shares)
    assert est.cov is not None, "standardised domains are estimated with covariance=True"
    block = est.cov[np.ix_(idx.ravel(), idx.ravel())].reshape(*idx.shape, *idx.shape)
    cov = np.einsum("a,gahb,b->gh", shares, block, shares)  # only the (group, band) domains used
    p = std.estimate
    with np.errstate(divide="ignore", invalid="ignore"):
        proportion = ind.estimator == "proportion"
        sub = replace(
            _subset(est, outer),
            estimate=p,
            variance=std.variance,
            se=std.se,
            cov=cov,
            n_eff=p * (1 - p) / std.variance if proportion else np.full(p.shape, np.nan),
            se_logit=std.se / (p * (1 - p)) if proportion else None,
            deff=np.full(p.shape, np.nan),
            logit_fit=None,
        )
    return Domains(labels.iloc[outer].reset_index(drop=True), doms.membership[outer]), sub


def _subset(est: DomainEstimates, rows: np.ndarray) -> DomainEstimates:
    """The per-domain arrays of `est` restricted to `rows` (covariance dropped)."""
    picked = {
        f.name: getattr(est, f.name)[rows]
        for f in fields(est)
        if isinstance(getattr(est, f.name), np.ndarray) and f.name not in ("cov", "logit_fit")
    }
    return replace(est, **picked, cov=None, logit_fit=None)


def _bands_key(ind: Indicator) -> tuple:
    return tuple(tuple(b) for b in ind.age_groups or [])


def _table(
    ind: Indicator, doms: Domains, est: DomainEstimates, level: float, default_ci: str
) -> pd.DataFrame:
    table = doms.labels.copy()
    if ind.estimator in ("proportion", "below_line"):
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


DISTRIBUTION = ("quantile", "below_line", "gini", "quintile_share_ratio")


def _distribution(ind, design, cells, doms, m, keep, level):
    """Domain table and contrasts of a distribution estimator (docs/methods-distribution.md)."""
    cov = bool(ind.reference_group or migratory_dimension(ind))
    value = m.y
    if ind.estimator == "quantile":
        rule = ind.quantile_rule or "math"
        q = quantile_domains(
            design, cells, doms, value, keep, float(ind.quantile), rule, level, covariance=cov
        )
        pairs = SimpleNamespace(estimate=q.estimate, cov=q.cov, df=q.df)  # what contrasts read
        return quantile_table(doms, q, level), _contrasts(ind, doms, pairs, level), pairs
    if ind.estimator == "below_line":
        ln = ind.line
        res = below_line_domains(
            design,
            cells,
            doms,
            value,
            keep,
            ln.share,
            ln.quantile,
            ln.quantile_rule,
            cov,
            m.line_value,
        )
        table = _table(ind, doms, res.est, level, "xlogit")
        table["weighted_numerator"] = res.est.numerator
        if not res.line > 0:
            table["status"] = "line-not-positive"
            table[["estimate", "se", "ci_lower", "ci_upper"]] = np.nan
            return (
                table,
                _contrasts(ind, doms, res.est, level),
                replace(res.est, estimate=table["estimate"].to_numpy()),
            )
        return table, _contrasts(ind, doms, res.est, level), res.est
    measure = "gini" if ind.estimator == "gini" else "qsr"
    est, status = inequality_domains(
        design, cells, doms, value, keep, measure, ind.quantile_rule or "school", cov
    )
    table = _table(ind, doms, est, level, "mean")
    table["status"] = [s or t for s, t in zip(status, table["status"], strict=True)]
    return table, _contrasts(ind, doms, est, level), est


def quantile_table(doms: Domains, q, level: float) -> pd.DataFrame:
    """The domain table of a quantile: Woodruff bounds; no deff or n_eff (not defined)."""
    table = doms.labels.copy()
    nan = np.full(len(table), np.nan)
    table["estimate"], table["se"] = q.estimate, q.se
    table["ci_lower"], table["ci_upper"] = q.lower, q.upper
    table["ci_method"] = "woodruff"
    table["conf_level"] = level
    table["df"] = q.df
    table["deff"] = nan
    with np.errstate(divide="ignore", invalid="ignore"):
        table["cv"] = q.se / np.abs(q.estimate)
    table["n_unweighted"] = q.n
    table["weighted_numerator"] = nan
    table["weighted_denominator"] = q.sum_w
    table["n_eff"] = nan
    table["status"] = q.status
    return table


def _contrasts(
    ind: Indicator, doms: Domains, est: DomainEstimates, level: float, margin_cov=None
) -> pd.DataFrame:
    """Difference and ratio of each migratory group vs the reference (svyby covmat + svycontrast).

    Intervals use t with the smaller df of the two domains; the ratio's is on the log scale.
    `margin_cov(rows)`, for replicate designs, gives the covariance of one margin's domains as
    one `svyby` call over them would (replicates undefined in a small cell of another margin
    are not dropped here).
    """
    if not ind.reference_group or est.cov is None:
        return pd.DataFrame()
    ((dim, ref),) = ind.reference_group.items()
    g, r = reference_pairs(doms.labels, dim, ref)
    if len(g) == 0:
        return pd.DataFrame()
    if margin_cov is not None:
        est = replace(est, cov=_per_margin_cov(est, g, r, margin_cov))
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


def _per_margin_cov(est: DomainEstimates, g: np.ndarray, r: np.ndarray, margin_cov) -> np.ndarray:
    """The covariance matrix with each margin's block (its reference and groups, the domains
    of one `svyby` call; empty domains left out, as svyby lists none) computed on its own."""
    cov = np.full_like(est.cov, np.nan)
    for ref in np.unique(r):
        rows = np.concatenate([[ref], g[r == ref]])
        rows = rows[est.n[rows] > 0]
        if len(rows):
            cov[np.ix_(rows, rows)] = margin_cov(rows)
    return cov
