"""Contrasts between survey domains: difference and ratio vs a reference, by the delta method.

Matches R `svycontrast()` applied to `svyby(..., covmat = TRUE)`: the covariance of the two domain
estimates comes from joint linearization (Taylor) or the replicate estimates (replicate designs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mhindicators.core.linearization import variance_root
from mhindicators.survey.estimate import DomainEstimates


@dataclass
class Contrasts:
    """Difference and ratio of each group domain vs its reference domain (arrays per pair)."""

    difference: np.ndarray
    se_difference: np.ndarray
    ratio: np.ndarray
    se_ratio: np.ndarray
    log_ratio_se: np.ndarray  # SE of log(ratio), for CIs on the log scale


def domain_contrasts(est: DomainEstimates, group, reference) -> Contrasts:
    """Contrasts of domains `group[i]` vs `reference[i]` (index arrays into the domains).

    `est` must carry the covariance (`estimate_domains(..., covariance=True)`). Variances are
    read from the covariance matrix, as `svycontrast` reads `vcov(svyby(...))`.
    """
    if est.cov is None:
        raise ValueError("domain_contrasts needs estimate_domains(..., covariance=True)")
    g = np.asarray(group, dtype=np.int64)
    r = np.asarray(reference, dtype=np.int64)
    eg, er = est.estimate[g], est.estimate[r]
    vg, vr, cgr = est.cov[g, g], est.cov[r, r], est.cov[g, r]
    with np.errstate(divide="ignore", invalid="ignore"):
        vdiff = vg + vr - 2 * cgr
        ratio = eg / er
        # gradient of a/b: (1/b, -a/b^2)
        terms = (vg / er**2, eg**2 * vr / er**4, 2 * eg * cgr / er**3)
        vratio = terms[0] + terms[1] - terms[2]
        scale = np.abs(terms[0]) + np.abs(terms[1]) + np.abs(terms[2])
        se_ratio = np.where(er != 0, variance_root(vratio, scale), np.nan)
        log_se = se_ratio / np.abs(ratio)
    return Contrasts(
        difference=eg - er,
        se_difference=variance_root(vdiff, np.abs(vg) + np.abs(vr) + 2 * np.abs(cgr)),
        ratio=ratio,
        se_ratio=se_ratio,
        log_ratio_se=log_se,
    )
