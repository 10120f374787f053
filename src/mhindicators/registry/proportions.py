"""Proportions among registry records: Wilson score intervals (as PHEindicatormethods'
`phe_proportion`) and group-vs-reference contrasts of independent proportions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mhindicators.frame.domains import Domains, contrast_labels, reference_pairs
from mhindicators.registry import rates


def proportion_contrasts(ind, doms: Domains, x, n, conf_level: float) -> pd.DataFrame:
    """Difference (Wald) and ratio (Katz log) of proportions among independent records."""
    if not ind.reference_group:
        return pd.DataFrame()
    ((dim, ref),) = ind.reference_group.items()
    g, r = reference_pairs(doms.labels, dim, ref)
    if len(g) == 0:
        return pd.DataFrame()
    z = z_quantile(conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p0 = x[g] / n[g], x[r] / n[r]
        diff = p1 - p0
        se_diff = np.sqrt(p1 * (1 - p1) / n[g] + p0 * (1 - p0) / n[r])
        ratio = p1 / p0
        se_log = np.sqrt(1 / x[g] - 1 / n[g] + 1 / x[r] - 1 / n[r])
    with np.errstate(invalid="ignore"):
        out = contrast_labels(doms.labels, dim, ref, g)
        out["estimate"], out["reference_estimate"] = p1, p0
        out["difference"], out["difference_se"] = diff, se_diff
        out["difference_ci_lower"], out["difference_ci_upper"] = (
            diff - z * se_diff,
            diff + z * se_diff,
        )
        out["ratio"], out["ratio_se"] = ratio, ratio * se_log
        out["ratio_ci_lower"], out["ratio_ci_upper"] = (
            ratio * np.exp(-z * se_log),
            ratio * np.exp(z * se_log),
        )
    out["method"] = "difference: wald; ratio: katz-log"
    out["conf_level"] = conf_level
    out["df"] = np.nan
    return out


def wilson_proportion(x: np.ndarray, n: np.ndarray, conf_level: float) -> rates.RateResult:
    """Proportion x/n with the Wilson score interval (PHEindicatormethods::phe_proportion)."""
    z = z_quantile(conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        centre = (2 * x + z * z) / (2 * (n + z * z))
        half = z * np.sqrt(z * z + 4 * x * (1 - p)) / (2 * (n + z * z))
        variance = p * (1 - p) / n
    status = np.where(n > 0, "", "MHI420").astype(object)
    return rates.RateResult(
        p,
        centre - half,
        centre + half,
        x,
        n,
        np.full(x.shape, "wilson", object),
        status,
        conf_level,
        1.0,
        variance,
    )


def z_quantile(conf_level: float) -> float:
    """Two-sided normal quantile for the confidence level."""
    from scipy.special import ndtri

    return float(ndtri(1 - (1 - conf_level) / 2))
