"""Registry indicators: events over denominators by cell, margins, rates, contrasts.

The events extract and the denominator table are harmonised separately, banded onto the
definition's age groups, and reduced to sums per cell (np.bincount); every domain (cells and
`_T` margins) is a sparse product of those sums, so no loop runs over rows or domains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mhindicators.core import interval_methods
from mhindicators.definitions import Indicator
from mhindicators.errors import DataError
from mhindicators.expr import TriBool, compile_expression
from mhindicators.frame.ages import definition_age_groups
from mhindicators.frame.domains import (
    Cells,
    Domains,
    all_domains,
    contrast_labels,
    kept_cells,
    reference_pairs,
)
from mhindicators.frame.measures import measure, unknown_share
from mhindicators.issues import define, issue
from mhindicators.registry import contrasts as rate_contrasts
from mhindicators.registry import rates
from mhindicators.registry.proportions import (
    proportion_contrasts,
    wilson_proportion,
    z_quantile,
)
from mhindicators.results import TOTAL
from mhindicators.stdpop import align
from mhindicators.vocabulary import Vocabulary

define(
    "MHI341",
    "negative-denominator",
    "error",
    "The denominator table holds negative or missing values inside the population of interest.",
    "Fix the denominator table: populations, births and worker counts are >= 0.",
)
define(
    "MHI342",
    "events-without-population",
    "warning",
    "Events fall in cells where the denominator table has no population.",
    "Check that events and denominators use the same codes, years and coverage.",
)

DEFAULT_CI = interval_methods.DEFAULTS


@dataclass(frozen=True)
class RegistryInputs:
    """Harmonised events and denominator frames, with the profile paths for messages."""

    events: pd.DataFrame
    denominator: pd.DataFrame
    events_profile: str
    denominator_profile: str
    standards: Mapping[str, Path] = field(default_factory=dict)  # user-supplied: name -> CSV


@dataclass(frozen=True)
class RegistryResult:
    """One registry indicator: its domain table, contrasts and what the summary reports."""

    table: pd.DataFrame
    contrasts: pd.DataFrame
    n_universe: int
    n_missing_outcome: int
    n_excluded_age: int
    unknown_share: float


def compute_registry_indicator(
    ind: Indicator, inputs: RegistryInputs, vocab: Vocabulary, conf_level: float
) -> RegistryResult:
    """Estimates (one row per domain) and contrasts vs the reference group."""
    ev = inputs.events  # read only: age groups and cell codes live beside it, not in it
    standardized = ind.estimator == "standardized_rate"
    dims = [d for d in ind.disaggregate_by if not (standardized and d == "age_group")]
    needs_age = "age_group" in ind.disaggregate_by or standardized
    m = measure(ind, ev, vocab)
    ev_keep = m.keep.copy()
    excluded = np.zeros(len(ev), dtype=bool)
    extra = {}
    if needs_age:
        ages = definition_age_groups(ev, ind, inputs.events_profile)
        extra["age_group"] = ages.groups
        excluded = ages.outside & m.keep
        if standardized:  # an event of unknown age cannot be standardised
            excluded |= m.keep & np.asarray(ages.groups.isna())
        ev_keep &= ~excluded
    share = unknown_share(ev, ev_keep, ind)
    if ind.estimator in ("proportion", "count"):
        table, contrasts = _on_events_only(
            ind, cell_frame(ev, dims, extra), m, ev_keep, dims, conf_level
        )
    else:
        table, contrasts = _rates(ind, ev, extra, m, ev_keep, dims, inputs, vocab, conf_level)
    return RegistryResult(
        table, contrasts, m.n_universe, m.n_missing_outcome, int(excluded.sum()), share
    )


def _rates(ind, ev, extra, m, ev_keep, dims, inputs, vocab, conf_level):
    """Crude or directly standardised rates: events and denominators summed per cell."""
    standardized = ind.estimator == "standardized_rate"
    den = inputs.denominator
    den_keep, den_value = _denominator(ind, den, vocab, inputs.denominator_profile)
    den_extra = {}
    if "age_group" in extra or "age_group" in ev.columns:
        ages = definition_age_groups(den, ind, inputs.denominator_profile)
        den_extra["age_group"] = ages.groups
        den_keep &= ~ages.outside
    cell_dims = dims + (["age_group"] if standardized else [])
    ev_keep = ev_keep & (m.y > 0)
    ev_cells, (ev_codes, den_codes) = kept_cells(
        [cell_frame(ev, cell_dims, extra), cell_frame(den, cell_dims, den_extra)],
        cell_dims,
        [ev_keep, den_keep],
    )
    n_cells = ev_cells.n_cells
    events = np.bincount(ev_codes, minlength=n_cells).astype(np.float64)
    population = np.bincount(den_codes, den_value[den_keep], minlength=n_cells)
    method = ind.ci_method or DEFAULT_CI.get(ind.estimator, "garwood")
    mult = ind.effective_multiplier
    if standardized:
        bands = list(ev_cells.levels[-1])
        k = len(bands)
        outer = Cells(tuple(dims), ev_cells.levels[:-1], np.zeros(0, dtype=np.int64))
        doms = all_domains(outer)
        e = doms.membership @ events.reshape(-1, k)
        p = doms.membership @ population.reshape(-1, k)
        std = align(bands, ind.standardize.standard, extra=inputs.standards)
        weights = std["weight"].to_numpy()
        res = rates.dsr(e, p, weights, multiplier=mult, conf_level=conf_level, method=method)
        table = _table(doms, res, ind)
        table["age_group"] = TOTAL
        table["standardization"] = ind.standardize.standard
        contrasts = _contrasts(ind, doms, e, p, weights, conf_level, mult)
        orphans = doms.membership @ ((events > 0) & (population == 0)).reshape(-1, k).any(axis=1)
    else:
        doms = all_domains(ev_cells)
        e, p = doms.membership @ events, doms.membership @ population
        res = rates.crude_rate(e, p, multiplier=mult, conf_level=conf_level, method=method)
        table = _table(doms, res, ind)
        contrasts = _contrasts(ind, doms, e[:, None], p[:, None], np.ones(1), conf_level, mult)
        orphans = doms.membership @ ((events > 0) & (population == 0))
    table["status"] = _add_status(
        table["status"], (orphans > 0) & (table["weighted_denominator"] > 0), "MHI342"
    )
    return table, contrasts


def _add_status(status: pd.Series, mask: np.ndarray, code: str) -> pd.Series:
    text = status.astype(str).to_numpy()
    joined = np.where(text == "", code, np.char.add(np.char.add(text.astype(str), ";"), code))
    return pd.Series(np.where(mask, joined, text), index=status.index)


def _on_events_only(ind, ev, m, keep, dims, conf_level):
    """Counts (exact Poisson CI) and proportions among events (Wilson score CI, as PHE)."""
    cells, (codes,) = kept_cells([ev], dims, [keep])
    doms = all_domains(cells)
    hits = np.bincount(codes, m.y[keep], minlength=cells.n_cells)
    total = np.bincount(codes, minlength=cells.n_cells).astype(np.float64)
    x, n = doms.membership @ hits, doms.membership @ total
    if ind.estimator == "count":
        lo, hi, names = rates.poisson_limits(x, conf_level, ind.ci_method or "garwood")
        res = rates.RateResult(
            x, lo, hi, x, n, names, np.full(x.shape, "", object), conf_level, 1.0, x.copy()
        )
        return _table(doms, res, ind), pd.DataFrame()
    res = wilson_proportion(x, n, conf_level)
    return _table(doms, res, ind), proportion_contrasts(ind, doms, x, n, conf_level)


def _denominator(ind: Indicator, den: pd.DataFrame, vocab: Vocabulary, where: str):
    value = compile_expression(ind.denominator, vocab, "value").evaluate(den)
    keep = np.ones(len(den), dtype=bool)
    if ind.universe:
        cond = compile_expression(ind.universe, vocab, "condition")
        if cond.variables <= set(den.columns):
            mask = cond.evaluate(den)
            assert isinstance(mask, TriBool)  # a condition evaluates to a TriBool
            keep = mask.true_mask()
    value = np.asarray(value, dtype=np.float64)
    bad = keep & (np.isnan(value) | (value < 0))
    if bad.any():
        msg = f"{int(bad.sum())} row(s) with a negative or missing {ind.denominator}"
        raise DataError(msg, [issue("MHI341", msg, where)])
    return keep, np.where(keep, value, 0.0)


def _table(doms: Domains, res: rates.RateResult, ind: Indicator) -> pd.DataFrame:
    table = doms.labels.copy()
    variance = res.variance if res.variance is not None else _poisson_variance(res)
    table["estimate"] = res.estimate
    table["se"] = np.sqrt(variance)
    table["ci_lower"], table["ci_upper"] = res.lower, res.upper
    table["ci_method"] = res.method
    table["conf_level"] = res.conf_level
    table["df"] = np.nan
    table["deff"] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        table["cv"] = table["se"] / table["estimate"]
    table["n_unweighted"] = res.denominator if ind.estimator == "proportion" else res.events
    table["weighted_numerator"] = res.events
    table["weighted_denominator"] = res.denominator
    table["n_eff"] = np.nan
    table["status"] = res.status
    return table


def _poisson_variance(res: rates.RateResult) -> np.ndarray:
    """x (m/n)^2; NaN without a denominator, like the rate (events / 0 is not an infinite SE)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        var = res.events * (res.multiplier / res.denominator) ** 2
    return np.where(res.denominator > 0, var, np.nan)


def _contrasts(ind, doms: Domains, e, p, weights, conf_level: float, mult: float) -> pd.DataFrame:
    """Rate ratio and difference of each group vs the reference, within every other margin."""
    if not ind.reference_group or ind.estimator == "count":
        return pd.DataFrame()
    ((dim, ref),) = ind.reference_group.items()
    g, r = reference_pairs(doms.labels, dim, ref)
    if len(g) == 0:
        return pd.DataFrame()
    ratio = rate_contrasts.dsr_ratio(e[g], p[g], e[r], p[r], weights, conf_level=conf_level)
    diff = rate_contrasts.dsr_difference(
        e[g], p[g], e[r], p[r], weights, multiplier=mult, conf_level=conf_level
    )
    out = contrast_labels(doms.labels, dim, ref, g)
    out["estimate"] = rates.dsr(e[g], p[g], weights, multiplier=mult).estimate
    out["reference_estimate"] = rates.dsr(e[r], p[r], weights, multiplier=mult).estimate
    out["difference"] = diff.estimate
    out["difference_se"] = (diff.upper - diff.estimate) / z_quantile(conf_level)
    out["difference_ci_lower"], out["difference_ci_upper"] = diff.lower, diff.upper
    out["ratio"] = ratio.estimate
    out["ratio_se"] = np.nan
    out["ratio_ci_lower"], out["ratio_ci_upper"] = ratio.lower, ratio.upper
    out["method"] = [
        f"ratio: {a}; difference: {b}" for a, b in zip(ratio.method, diff.method, strict=True)
    ]
    out["conf_level"] = conf_level
    out["df"] = np.nan
    return out


def cell_frame(frame: pd.DataFrame, dims: list[str], extra: dict) -> pd.DataFrame:
    """Only the cell dimensions of `frame`, with `extra` columns (e.g. age groups) in place
    of the frame's own; the frame is neither copied nor modified."""
    data = {d: extra[d] if d in extra else frame[d].array for d in dims}
    return pd.DataFrame(data, index=pd.RangeIndex(len(frame)), copy=False)
