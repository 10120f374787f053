"""Registry rates: crude, age-specific, directly and indirectly standardised, with named CIs.

All functions are vectorised over cells (numpy broadcasting; standardisation sums the last
axis = age bands). Inputs are event counts and person-time or births; every result carries
the interval `method` per cell and a `status` (issue codes, ';'-joined, '' when clean).
Formulas and citations: docs/methods-registry.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mhindicators.core import interval_methods
from mhindicators.core.rate_intervals import (
    check_conf,
    check_method,
    counts,
    gamma_quantile,
    invalid,
    poisson_limits,
)
from mhindicators.issues import define

define(
    "MHI420",
    "rate-zero-denominator",
    "warning",
    "Zero population (or births) and zero events: the rate is undefined (NaN).",
    "Check the population table covers this cell, or merge it with a neighbour.",
)
define(
    "MHI421",
    "events-without-denominator",
    "warning",
    "Events were recorded in a cell with zero population: the rate is NaN.",
    "The events and population tables disagree; check codes and coverage.",
)
define(
    "MHI422",
    "rate-input-missing",
    "warning",
    "Events or population are missing (NaN) in a cell: the result is NaN.",
    "Fill missing counts explicitly (e.g. 0 events) before computing rates.",
)
define(
    "MHI424",
    "empty-age-band",
    "info",
    "An age band has zero population and zero events; it contributes 0 (SEER*Stat rule).",
    "Nothing to do; the band is reported so that sparse tables are visible.",
)
define(
    "MHI425",
    "contrast-undefined",
    "warning",
    "A rate ratio or its interval is undefined (no events in a group or the reference).",
    "Pool years or groups, or report the rates without the contrast.",
)
_STATUS = {
    "zero": "MHI420",
    "orphan": "MHI421",
    "missing": "MHI422",
    "empty": "MHI424",
    "undefined": "MHI425",
}


@dataclass(frozen=True)
class RateResult:
    """Rates per `multiplier` with limits; `events`/`denominator` are (band-summed) totals."""

    estimate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    events: np.ndarray
    denominator: np.ndarray
    method: np.ndarray
    status: np.ndarray
    conf_level: float
    multiplier: float
    variance: np.ndarray | None = None

    def to_frame(self) -> pd.DataFrame:
        cols = ["estimate", "lower", "upper", "events", "denominator", "method", "status"]
        data = {c: np.ravel(getattr(self, c)) for c in cols}
        if self.variance is not None:
            data["variance"] = np.ravel(self.variance)
        return pd.DataFrame(data).assign(conf_level=self.conf_level, multiplier=self.multiplier)


def crude_rate(
    events,
    denominator,
    *,
    multiplier: float = 1e5,
    conf_level: float = 0.95,
    method: str = "garwood",
) -> RateResult:
    """Events per `multiplier` person-time with an exact (or Byar) Poisson interval.

    Zero denominator: NaN with status MHI420 (no events) or MHI421 (events).
    """
    x, n = np.broadcast_arrays(counts(events, "events"), counts(denominator, "denominator"))
    lo, hi, names = poisson_limits(x, conf_level, method)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n > 0, multiplier / n, np.nan)
    status = _status(
        missing=np.isnan(x) | np.isnan(n), zero=(n == 0) & (x == 0), orphan=(n == 0) & (x > 0)
    )
    return RateResult(
        x * scale, lo * scale, hi * scale, x, n, names, status, conf_level, multiplier
    )


def age_specific_rates(events, population, **kwargs) -> RateResult:
    """Rates cell by cell for (groups × bands) arrays; same options as `crude_rate`."""
    return crude_rate(events, population, **kwargs)


def ratio_per_live_births(deaths, live_births, *, multiplier: float = 1e5, **kwargs) -> RateResult:
    """E.g. maternal mortality ratio: deaths per `multiplier` live births.

    Births are the fixed denominator and deaths Poisson (they are not a subset of births),
    so the interval is the exact Poisson one of `crude_rate`.
    """
    return crude_rate(deaths, live_births, multiplier=multiplier, **kwargs)


def dsr(
    events,
    population,
    standard,
    *,
    multiplier: float = 1e5,
    conf_level: float = 0.95,
    method: str = "fay-feuer",
) -> RateResult:
    """Directly standardised rate over the last axis (age bands) for every leading group.

    `standard`: weights aligned with the bands (array or `stdpop.align` frame); normalised.
    Methods: `fay-feuer` (gamma, w_M = max wᵢ, = epitools::ageadjust.direct), `tiwari`
    (Tiwari, Clegg & Zou 2006), `dobson` (PHEindicatormethods::calculate_dsr).
    """
    check_conf(conf_level)
    check_method(method, interval_methods.by_family("standardized"))
    p = _dsr_parts(events, population, standard)
    y, v, wm, total = p["y"], p["v"], p["wm"], p["events"]
    alpha = 1 - conf_level
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "dobson":
            o_lo, o_hi, names = poisson_limits(total, conf_level, "phe")
            k = np.sqrt(v / total)
            lower = np.where(total > 0, np.maximum(y + k * (o_lo - total), 0.0), 0.0)
            upper = np.where(total > 0, y + k * (o_hi - total), o_hi * wm)
            names = np.asarray(np.char.add("dobson-", names.astype(str)), dtype=object)
        else:
            lower = gamma_quantile(alpha / 2, y, v, zero_at_zero=True)
            ys, vs = (
                (y + wm, v + wm**2) if method == "fay-feuer" else (y + p["wbar"], v + p["w2bar"])
            )
            upper = gamma_quantile(1 - alpha / 2, ys, vs)
            names = np.full(y.shape, method, dtype=object)
    bad, m = np.isnan(y), multiplier
    est, lower, upper = (np.where(bad, np.nan, a * m) for a in (y, lower, upper))
    return RateResult(
        est,
        lower,
        upper,
        total,
        p["population"],
        names,
        _status(**p["masks"]),
        conf_level,
        multiplier,
        v * m**2,
    )


def expected_events(population, reference_rates) -> np.ndarray:
    """Σ over bands of population × reference rate (events per person): the E of an SMR."""
    return np.sum(counts(population, "population") * counts(reference_rates, "rates"), axis=-1)


def standardised_ratio(
    observed, expected, *, multiplier: float = 1.0, conf_level: float = 0.95, method: str = "phe"
) -> RateResult:
    """Indirectly standardised ratio O/E (SMR) with Byar (O ≥ 10) or exact limits, as PHE."""
    return crude_rate(
        observed, expected, multiplier=multiplier, conf_level=conf_level, method=method
    )


def indirect_rate(
    observed,
    expected,
    reference_rate,
    *,
    multiplier: float = 1e5,
    conf_level: float = 0.95,
    method: str = "phe",
) -> RateResult:
    """Indirectly standardised rate = O/E × reference crude rate (events per person)."""
    equivalent_pop = counts(expected, "expected") / counts(reference_rate, "reference_rate")
    return crude_rate(
        observed, equivalent_pop, multiplier=multiplier, conf_level=conf_level, method=method
    )


def cells(
    frame: pd.DataFrame, by: list[str], band: str, bands: list[str], events: str, denominator: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Tidy rows → (groups, events[G, K], denominator[G, K]) in `bands` order.

    Rows sharing the keys are summed, so leaving `year` out of `by` pools years. A band
    with no event rows has 0 events; one with no population rows has NaN (MHI422).
    """
    unknown = sorted(set(frame[band].astype(str)) - set(bands))
    if unknown:
        invalid(f"{band} has codes not in the requested bands: {', '.join(unknown[:10])}")
    keys = [*by, band]
    grouped = frame.groupby(keys, observed=True, sort=True, dropna=False)
    ev = grouped[events].sum(min_count=1).unstack(band).reindex(columns=bands)
    pop = grouped[denominator].sum(min_count=1).unstack(band).reindex(columns=bands)
    groups = ev.index.to_frame(index=False)
    return groups, ev.fillna(0).to_numpy(float), pop.to_numpy(float)


def _either(a: dict, b: dict) -> dict:
    return {k: a[k] | b[k] for k in a}


def _names(like, name: str) -> np.ndarray:
    return np.full(np.shape(like), name, dtype=object)


def _dsr_parts(events, population, standard) -> dict:
    """y = Σ wᵢxᵢ, v = Σ wᵢ²xᵢ with wᵢ = sᵢ/nᵢ; empty bands (n = x = 0) contribute 0."""
    x, n = np.broadcast_arrays(counts(events, "events"), counts(population, "population"))
    s = _weights(standard, x.shape[-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n > 0, s / n, 0.0)
        k = (n > 0).sum(-1)
        wbar, w2bar = w.sum(-1) / k, (w * w).sum(-1) / k
    masks = {
        "missing": np.isnan(x).any(-1) | np.isnan(n).any(-1),
        "zero": (n == 0).all(-1),
        "orphan": ((n == 0) & (x > 0)).any(-1),
    }
    masks["empty"] = ((n == 0) & (x == 0)).any(-1) & ~masks["zero"]
    masks["zero"] &= ~masks["missing"]
    bad = masks["missing"] | masks["zero"] | masks["orphan"]
    y = np.where(bad, np.nan, np.sum(w * x, axis=-1))
    v = np.where(bad, np.nan, np.sum(w * w * x, axis=-1))
    return {
        "y": y,
        "v": v,
        "wm": w.max(axis=-1),
        "wbar": wbar,
        "w2bar": w2bar,
        "events": x.sum(-1),
        "population": n.sum(-1),
        "masks": masks,
    }


def _weights(standard, k: int) -> np.ndarray:
    s = standard["weight"].to_numpy(float) if isinstance(standard, pd.DataFrame) else standard
    s = np.asarray(s, dtype=float)
    if s.shape != (k,) or not np.all(np.isfinite(s)) or (s < 0).any() or s.sum() <= 0:
        invalid(f"standard weights must be {k} finite numbers >= 0 with a positive sum")
    return s / s.sum()


def _status(**masks) -> np.ndarray:
    """Per-cell ';'-joined issue codes from boolean masks named as in `_STATUS`."""
    items = [(np.asarray(m, bool), _STATUS[k]) for k, m in masks.items()]
    shape = np.broadcast_shapes(*(m.shape for m, _ in items))
    bits = sum((np.broadcast_to(m, shape).astype(np.int64) << i) for i, (m, _) in enumerate(items))
    uniq, inv = np.unique(bits, return_inverse=True)
    text = [";".join(c for i, (_, c) in enumerate(items) if u >> i & 1) for u in uniq]
    return np.asarray(text, dtype=object)[inv.ravel()].reshape(shape)
