"""Direct standardisation of survey domain estimates (R `svystandardize` + `svyby(svymean)`).

`svystandardize(design, by = ~age, over = ~group, population = P)` post-stratifies so that the
age distribution within each group equals P / sum(P); the group mean is then
sum_a pi_a * ybar_(a, g), and its linearized (or replicate) variance is pi' Cov pi with Cov the
joint covariance of the (age, group) domain means, the population shares being fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mhindicators.core.linearization import variance_root
from mhindicators.survey.estimate import DomainEstimates


@dataclass
class Standardized:
    """Directly standardised estimates per output group."""

    estimate: np.ndarray
    variance: np.ndarray
    se: np.ndarray
    shares: np.ndarray  # standard population shares pi_a


def standard_shares(population) -> np.ndarray:
    """Normalise a standard population (counts or weights) to shares summing to 1."""
    p = np.asarray(population, dtype=np.float64)
    if p.ndim != 1 or (p < 0).any() or p.sum() <= 0:
        raise ValueError("standard population must be non-negative with a positive total")
    return p / p.sum()


def standardize(est: DomainEstimates, components, population) -> Standardized:
    """Standardise: components[g, a] = index of the (by-level a, group g) domain in `est`.

    `est` must carry the covariance (`estimate_domains(..., covariance=True)`). A group with an
    empty or undefined age cell gets NaN (R's post-stratification would fail).
    """
    if est.cov is None:
        raise ValueError("standardize needs estimate_domains(..., covariance=True)")
    idx = np.atleast_2d(np.asarray(components, dtype=np.int64))
    pi = standard_shares(population)
    if idx.shape[1] != pi.size:
        raise ValueError("components must have one column per standard-population level")
    value = (est.estimate[idx] * pi).sum(axis=1)
    sub = est.cov[idx[:, :, None], idx[:, None, :]]  # (groups, a, a)
    var = np.einsum("a,gab,b->g", pi, sub, pi)
    scale = np.einsum("a,gab,b->g", pi, np.abs(sub), pi)
    return Standardized(value, var, variance_root(var, scale), pi)
