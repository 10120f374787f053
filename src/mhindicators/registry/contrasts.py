"""Rate ratios and differences of each group vs a reference group, with named intervals.

Crude rates are the one-band case of the standardised ones, so one implementation serves
both (formulas and citations: docs/methods-registry.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import special

from mhindicators.core.rate_intervals import check_conf, check_method
from mhindicators.registry.rates import (
    _dsr_parts,
    _either,
    _names,
    _status,
)


@dataclass(frozen=True)
class Contrast:
    """Ratio or difference of each group vs its reference, with a named interval."""

    measure: str
    estimate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    method: np.ndarray
    status: np.ndarray
    conf_level: float

    def to_frame(self) -> pd.DataFrame:
        cols = ["estimate", "lower", "upper", "method", "status"]
        data = {c: np.ravel(getattr(self, c)) for c in cols}
        return pd.DataFrame(data).assign(measure=self.measure, conf_level=self.conf_level)


def dsr_ratio(
    events,
    population,
    ref_events,
    ref_population,
    standard,
    *,
    conf_level: float = 0.95,
    method: str = "fay-f",
) -> Contrast:
    """Ratio of DSRs (group / reference); arrays broadcast, bands on the last axis.

    `fay-f`: Fay (1999) F interval from the two Fay-Feuer gammas (SEER*Stat); with one band
    it is the exact conditional interval of `poisson.test`. `log-normal`: Var(log y) ≈ v/y².
    """
    check_conf(conf_level)
    check_method(method, ("fay-f", "log-normal"))
    g, r = (
        _dsr_parts(events, population, standard),
        _dsr_parts(ref_events, ref_population, standard),
    )
    y1, v1, m1, y0, v0, m0 = g["y"], g["v"], g["wm"], r["y"], r["v"], r["wm"]
    alpha = 1 - conf_level
    with np.errstate(divide="ignore", invalid="ignore"):
        est = y1 / y0
        if method == "fay-f":
            f_lo = special.fdtri(2 * y1**2 / v1, 2 * (y0 + m0) ** 2 / (v0 + m0**2), alpha / 2)
            f_hi = special.fdtri(2 * (y1 + m1) ** 2 / (v1 + m1**2), 2 * y0**2 / v0, 1 - alpha / 2)
            lower = np.where(y1 > 0, y1 / (y0 + m0) * f_lo, 0.0)
            upper = np.where(y0 > 0, (y1 + m1) / y0 * f_hi, np.inf)
            undefined = y0 == 0
        else:
            half = special.ndtri(1 - alpha / 2) * np.sqrt(v1 / y1**2 + v0 / y0**2)
            lower, upper = est * np.exp(-half), est * np.exp(half)
            undefined = (y0 == 0) | (y1 == 0)
    bad = np.isnan(y1) | np.isnan(y0)
    lower, upper = (np.where(bad | np.isnan(a), np.nan, a) for a in (lower, upper))
    status = _status(**_either(g["masks"], r["masks"]), undefined=undefined)
    return Contrast("rate_ratio", est, lower, upper, _names(est, method), status, conf_level)


def dsr_difference(
    events,
    population,
    ref_events,
    ref_population,
    standard,
    *,
    multiplier: float = 1e5,
    conf_level: float = 0.95,
) -> Contrast:
    """DSR(group) − DSR(reference) with a normal interval on Var = v₁ + v₀ (method `normal`)."""
    check_conf(conf_level)
    g, r = (
        _dsr_parts(events, population, standard),
        _dsr_parts(ref_events, ref_population, standard),
    )
    est = (g["y"] - r["y"]) * multiplier
    half = special.ndtri(1 - (1 - conf_level) / 2) * np.sqrt(g["v"] + r["v"]) * multiplier
    status = _status(**_either(g["masks"], r["masks"]))
    return Contrast(
        "rate_difference", est, est - half, est + half, _names(est, "normal"), status, conf_level
    )


def rate_ratio(
    events,
    denominator,
    ref_events,
    ref_denominator,
    *,
    conf_level: float = 0.95,
    method: str = "exact-conditional",
) -> Contrast:
    """Crude rate ratio: `exact-conditional` (binomial on x₁ | x₁+x₀, R poisson.test) or
    `log-normal` (SE² = 1/x₁ + 1/x₀, epitools::rateratio.wald)."""
    check_method(method, ("exact-conditional", "log-normal"))
    inner = "fay-f" if method == "exact-conditional" else "log-normal"
    e, d, ref_e, ref_d = (
        np.expand_dims(np.asarray(a, dtype=float), -1)
        for a in (events, denominator, ref_events, ref_denominator)
    )
    c = dsr_ratio(e, d, ref_e, ref_d, [1.0], conf_level=conf_level, method=inner)
    return replace(c, method=_names(c.estimate, method))


def rate_difference(
    events,
    denominator,
    ref_events,
    ref_denominator,
    *,
    multiplier: float = 1e5,
    conf_level: float = 0.95,
) -> Contrast:
    """Crude rate difference with a normal interval, Var = x₁/n₁² + x₀/n₀² (`normal`)."""
    e, d, ref_e, ref_d = (
        np.expand_dims(np.asarray(a, dtype=float), -1)
        for a in (events, denominator, ref_events, ref_denominator)
    )
    return dsr_difference(e, d, ref_e, ref_d, [1.0], multiplier=multiplier, conf_level=conf_level)
