"""Hand formulas for the cross-country quantities of a multi-country project, written with
the standard library only and independently of mhi's engine (docs/multi-country.md).

Population-weighted aggregate of national estimates (Eurostat EU aggregates: weighted mean of
national values; national samples independent, weights treated as fixed):
    x_agg = sum_c N_c x_c / sum_c N_c
    se_agg = sqrt(sum_c (N_c / sum_k N_k)^2 se_c^2)
    CI = x_agg -/+ z_{1-alpha/2} se_agg
Aggregate gap of group g to reference group r over the same member countries, from each
country's two estimates and its own gap SE (which holds the within-country covariance):
    a_c = N_cg / sum N_kg, b_c = N_cr / sum N_kr
    D = sum_c a_c x_cg - sum_c b_c x_cr
    cov_c = (se_cg^2 + se_cr^2 - se_c(gap)^2) / 2
    se_D = sqrt(sum_c a_c^2 se_cg^2 + b_c^2 se_cr^2 - 2 a_c b_c cov_c)
Difference of two countries' gaps (gap = group - reference within a country, whose SE already
holds the within-country covariance; countries independent):
    d = gap_A - gap_B, se_d = sqrt(se_A^2 + se_B^2), CI = d -/+ q se_d,
    q = t quantile with min(df_A, df_B) when both are finite, else the normal quantile.
"""

from __future__ import annotations

import math
from statistics import NormalDist


def aggregate(members: list[tuple[float, float, float]], level: float = 0.95):
    """members: (population N_c, estimate x_c, se_c) -> (estimate, se, lower, upper)."""
    total = sum(n for n, _, _ in members)
    est = sum(n * x for n, x, _ in members) / total
    se = math.sqrt(sum((n / total) ** 2 * s**2 for n, _, s in members))
    z = NormalDist().inv_cdf(0.5 + level / 2)
    return est, se, est - z * se, est + z * se


def gap_difference(gap_a, se_a, gap_b, se_b, quantile: float):
    """(difference, se, lower, upper) of gap_a - gap_b with the given quantile."""
    d = gap_a - gap_b
    se = math.sqrt(se_a**2 + se_b**2)
    return d, se, d - quantile * se, d + quantile * se


def normal_quantile(level: float = 0.95) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def aggregate_gap(members, level: float = 0.95):
    """members: (N_g, x_g, se_g, N_r, x_r, se_r, se_gap) per country -> (D, se, lower, upper)."""
    tg = sum(m[0] for m in members)
    tr = sum(m[3] for m in members)
    d = sum(m[0] / tg * m[1] for m in members) - sum(m[3] / tr * m[4] for m in members)
    var = 0.0
    for ng, _, sg, nr, _, sr, sd in members:
        a, b = ng / tg, nr / tr
        cov = (sg**2 + sr**2 - sd**2) / 2
        var += a**2 * sg**2 + b**2 * sr**2 - 2 * a * b * cov
    se = math.sqrt(var)
    z = NormalDist().inv_cdf(0.5 + level / 2)
    return d, se, d - z * se, d + z * se
