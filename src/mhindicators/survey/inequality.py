"""Gini coefficient and income quintile share ratio S80/S20 by domain.

Each domain's statistic is computed on its own distribution (laeken `gini`, `qsr`; EU-SILC
definitions). Variance: Taylor designs use the linearised variables of Langel and Tillé (2013)
for the Gini and Osier (2009) for S80/S20, reduced as a domain total with the usual survey
machinery (one indicator column per margin pattern, one pass); replicate designs recompute
the statistic with every replicate's weights on the same sort order.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp

from mhindicators.core.design import SurveyDesign
from mhindicators.core.quantiles import grouped_quantile, sort_groups
from mhindicators.core.replicates import svr_cov, svr_var
from mhindicators.core.stats import Column, accumulate
from mhindicators.frame.domains import Cells, Domains
from mhindicators.survey.estimate import DomainEstimates, estimate_domains
from mhindicators.survey.quantile import _cell_to_domain, margin_patterns

Measure = Literal["gini", "qsr"]
NEGATIVE = "negative-values"


def _segmented_cumsum(v, group, n_groups):
    """Cumulative sums restarting at each group (rows sorted by group), as R's long-double
    cumsum."""
    n = np.bincount(group, minlength=n_groups)
    starts = np.r_[0, np.cumsum(n)][:-1]
    cl = np.cumsum(v, dtype=np.longdouble)
    before = np.r_[np.longdouble(0), cl][starts]
    return (cl - before[group]).astype(np.float64)


def _run_last(x, group):
    """Index of the last row of each row's run of equal (group, value)."""
    n = len(x)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.r_[True, (group[1:] != group[:-1]) | (x[1:] != x[:-1])]
    run = np.cumsum(new) - 1
    last = np.r_[np.flatnonzero(new)[1:] - 1, n - 1]
    return last[run]


def gini_parts(x, w, group, nd, linearize=True):
    """Gini per group (Langel and Tillé 2013 / laeken) and the linearised variable per row."""
    cw = _segmented_cumsum(w, group, nd)
    sw = np.bincount(group, weights=w, minlength=nd)
    swx = np.bincount(group, weights=w * x, minlength=nd)
    s = np.bincount(group, weights=w * x * cw, minlength=nd)
    s2 = np.bincount(group, weights=w * w * x, minlength=nd)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (2 * s - s2) / (sw * swx) - 1
    if not linearize:
        return g, None
    last = _run_last(x, group)
    nk = cw[last]  # weight at or below y_k (ties included)
    yk = _segmented_cumsum(w * x, group, nd)[last]  # sum w y at or below y_k
    big_n, big_y, gg = sw[group], swx[group], g[group]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (2 * (nk * x - yk) + big_y - big_n * x - gg * (big_y + x * big_n)) / (big_n * big_y)
    return g, z


def qsr_parts(x, w, group, nd, rule, linearize=True):
    """S80/S20 per group (laeken `qsr`: top = y > q80, bottom = y <= q20) and the linearised
    variable per row (Osier 2009)."""
    q20 = grouped_quantile(x, w, group, nd, np.full(nd, 0.2), rule)
    q80 = grouped_quantile(x, w, group, nd, np.full(nd, 0.8), rule)
    low = x <= q20[group]
    top = x > q80[group]
    t20 = np.bincount(group, weights=w * x * low, minlength=nd)
    ttop = np.bincount(group, weights=w * x * top, minlength=nd)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = ttop / t20
    if not linearize:
        return r, None
    u20 = (x - q20[group]) * low + 0.2 * q20[group]
    u80 = (x - q80[group]) * ~top + 0.8 * q80[group]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x - u80 - r[group] * u20) / t20[group]
    return r, z


def _parts(measure, x, w, group, nd, rule, linearize=True):
    if measure == "gini":
        return gini_parts(x, w, group, nd, linearize)
    return qsr_parts(x, w, group, nd, rule, linearize)


def inequality_domains(
    design: SurveyDesign,
    cells: Cells,
    doms: Domains,
    value: np.ndarray,
    keep: np.ndarray,
    measure: Measure,
    rule: str = "school",
    covariance: bool = False,
) -> tuple[DomainEstimates, list[str]]:
    """The Gini or S80/S20 of every domain with its variance; a status per domain."""
    nd = len(doms.labels)
    w = design.weights
    inside = keep & (cells.codes >= 0)
    idx = np.flatnonzero(inside & (w > 0))
    xv, wv, cv = value[idx], w[idx], cells.codes[idx]
    value_order = np.argsort(xv, kind="stable")
    patterns = margin_patterns(doms.labels)
    est = np.full(nd, np.nan)
    columns, sorted_rows = [], {}
    for key, rows in patterns.items():
        group = _cell_to_domain(doms.membership, rows)[cv]
        order = sort_groups(xv, group, value_order)
        sorted_rows[key] = (order, group[order])
        stat, z = _parts(measure, xv[order], wv[order], group[order], len(rows), rule)
        est[rows] = stat
        zrow = np.zeros(len(value))
        zrow[idx[order]] = np.nan_to_num(z)
        columns.append(Column(zrow, None, inside))
    stats = accumulate(design, cells.codes, cells.n_cells, columns)
    var, df, n = np.full(nd, np.nan), np.full(nd, np.nan), np.zeros(nd)
    sw = np.zeros(nd)
    cov = np.full((nd, nd), np.nan) if covariance else None
    for j, rows in enumerate(patterns.values()):
        m = estimate_domains(
            stats, doms.membership[rows], column=j, estimator="total", covariance=covariance
        )
        var[rows], df[rows], n[rows], sw[rows] = m.variance, m.df, m.n, m.sum_w
        if cov is not None and m.cov is not None:  # cov is set when covariance is asked
            cov[np.ix_(rows, rows)] = m.cov
    if design.replicates is not None:
        thetas = _replicates(design, xv, cv, idx, patterns, sorted_rows, measure, rule, doms, nd)
        meta = stats.rep_meta
        assert meta is not None, "a replicate design's statistics carry their meta"
        var = svr_var(thetas, est, meta)
        cov = svr_cov(thetas, est, meta) if covariance else None
    var = np.where(n > 0, var, np.nan)
    negative = np.asarray(
        sp.csr_matrix(doms.membership)
        @ np.bincount(cells.codes[inside & (value < 0)], minlength=cells.n_cells)
    )
    status = [
        "empty-domain" if not k else NEGATIVE if neg else "undefined" if np.isnan(e) else ""
        for k, neg, e in zip(n, negative, est, strict=True)
    ]
    est = np.where(negative > 0, np.nan, est)
    out = DomainEstimates(
        estimator=measure,
        estimate=est,
        variance=var,
        se=np.sqrt(var),
        df=df,
        n=n,
        n_nonzero=n,
        sum_w=sw,
        numerator=np.full(nd, np.nan),
        denominator=sw,
        deff=np.full(nd, np.nan),
        n_eff=np.full(nd, np.nan),
        se_logit=None,
        cov=cov,
    )
    return out, status


def _replicates(design, xv, cv, idx, patterns, sorted_rows, measure, rule, doms, nd):
    """(nd, R) statistics recomputed with each replicate's weights (same sort order)."""
    reps = design.replicates
    out = np.full((nd, reps.n_replicates), np.nan)
    for r, col in enumerate(reps.weights.columns):
        wr = col[idx]
        for key, rows in patterns.items():
            order, group = sorted_rows[key]
            x, w = xv[order], wr[order]
            pos = w > 0
            stat, _ = _parts(measure, x[pos], w[pos], group[pos], len(rows), rule, False)
            out[rows, r] = stat
    return out
