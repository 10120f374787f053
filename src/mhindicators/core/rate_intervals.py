"""Intervals for Poisson counts and for gamma-distributed rates, vectorised over cells.

`poisson_limits`: exact (Garwood), Byar, or PHE's switch between them at 10 events;
`gamma_quantile`: the gamma quantile that Fay-Feuer and Tiwari limits of standardised rates are
made of (registry/rates.py). Arrays in, arrays out; the method names come from the registry of
interval methods (core/interval_methods.py). Formulas: docs/methods-registry.md.
"""

from __future__ import annotations

from typing import NoReturn

import numpy as np
from scipy import special

from mhindicators.core import interval_methods
from mhindicators.errors import EstimationError
from mhindicators.issues import define, issue

define(
    "MHI423",
    "rate-input-invalid",
    "error",
    "Counts, populations or arguments are negative, infinite or misshapen.",
    "Counts and populations must be finite and >= 0; conf_level in (0.5, 1).",
)
define(
    "MHI437",
    "unknown-ci-method",
    "error",
    "The interval method is not one mhi implements.",
    "See docs/methods-registry.md for the method names.",
)


def poisson_limits(x, conf_level: float = 0.95, method: str = "garwood"):
    """Limits for a Poisson count: `garwood` (exact), `byar`, or `phe` (Byar if x >= 10).

    Returns (lower, upper, method names). x = 0 gives lower 0 and the two-sided exact upper
    Gamma⁻¹(1 − α/2; 1) (Byar at 0 is replaced by the exact limits).
    """
    x = counts(x, "events")
    check_conf(conf_level)
    method = interval_methods.canonical(method)
    check_method(method, interval_methods.by_family("poisson"))
    alpha = 1 - conf_level
    with np.errstate(divide="ignore", invalid="ignore"):
        g_lo = np.where(x > 0, special.gammaincinv(np.where(x > 0, x, 1), alpha / 2), 0.0)
        g_hi = special.gammaincinv(x + 1, 1 - alpha / 2)
        z = special.ndtri(conf_level + (1 - conf_level) / 2)
        b_lo = np.maximum(x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3, 0.0)
        b_hi = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    use_byar = (
        (x > 0) if method == "byar" else (x >= 10) if method == "phe" else np.zeros_like(x, bool)
    )
    use_byar &= np.isfinite(x)
    names = np.where(use_byar, "byar", "garwood").astype(object)
    return np.where(use_byar, b_lo, g_lo), np.where(use_byar, b_hi, g_hi), names


def gamma_quantile(q, mean, var, zero_at_zero: bool = False):
    """Quantile of the gamma with this mean and variance (shape m²/v, scale v/m)."""
    shape = np.where(mean > 0, mean**2 / var, 1.0)
    out = special.gammaincinv(shape, q) * (var / mean)
    return np.where(mean > 0, out, 0.0) if zero_at_zero else out


def counts(a, name: str) -> np.ndarray:
    """`a` as floats; negative or infinite counts are an error (MHI423)."""
    arr = np.asarray(a, dtype=float)
    if np.isinf(arr).any() or (arr < 0).any():
        invalid(f"{name} must be finite and >= 0")
    return arr


def check_conf(conf_level: float) -> None:
    """A confidence level in (0.5, 1), else MHI423."""
    if not 0.5 < conf_level < 1:
        invalid(f"conf_level must be in (0.5, 1), got {conf_level}")


def check_method(method: str, allowed: tuple[str, ...]) -> None:
    """`method` is one of `allowed`, else MHI437 naming them."""
    if method not in allowed:
        msg = f"unknown interval method '{method}'; use one of {', '.join(allowed)}"
        raise EstimationError(msg, [issue("MHI437", msg)])


def invalid(message: str) -> NoReturn:
    """Raise MHI423 (invalid rate input) with `message`."""
    raise EstimationError(message, [issue("MHI423", message)])
