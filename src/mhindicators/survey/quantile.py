"""Quantiles by domain with Woodruff intervals (R `svyquantile`, survey 4.1, `interval.type =
"mean"`, its default for Taylor and replicate designs).

The value is sorted once; each margin pattern (which dimensions are `_T`) partitions the cells,
so one stable sort of its domain codes orders the rows by domain and value. The Woodruff step
needs the design-based variance of the domain's estimated CDF at its own quantile,
F(q_d) = mean of 1{y <= q_d}: one indicator column per margin pattern, all reduced in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from mhindicators.core import intervals as ci
from mhindicators.core.design import SurveyDesign
from mhindicators.core.quantiles import grouped_quantile, prepare, sort_groups
from mhindicators.core.replicates import svr_cov
from mhindicators.core.stats import Column, accumulate
from mhindicators.frame.domains import Cells, Domains
from mhindicators.results import TOTAL
from mhindicators.survey.estimate import estimate_domains

TOO_FEW = "too-few-values"
BOUND_UNDEFINED = "ci-bound-undefined"


@dataclass
class QuantileEstimates:
    """Per-domain quantile, Woodruff bounds, the SE R reports (width / 2t) and context."""

    estimate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    se: np.ndarray
    df: np.ndarray
    n: np.ndarray
    sum_w: np.ndarray
    cdf: np.ndarray  # estimated share at or below the quantile
    cdf_se: np.ndarray
    status: list[str]
    # joint covariance for contrasts (domains of one margin pattern; NaN across patterns)
    cov: np.ndarray | None = None


def share_column(indicator: np.ndarray, universe: np.ndarray) -> Column:
    """A weighted share as the ratio sum w 2y / sum w 2: the same estimate, linearisation and
    df as the mean of y, without the 0/1 moments `accumulate` keeps for R's logit interval
    (unused here and most of the pass's cost)."""
    return Column(2.0 * indicator, np.full(len(indicator), 2.0), universe)


def margin_patterns(labels: pd.DataFrame) -> dict[tuple, np.ndarray]:
    """Domain rows grouped by which dimensions are totals; each group partitions the cells."""
    if labels.shape[1] == 0:
        return {(): np.arange(len(labels))}
    flags = (labels.astype(str) == TOTAL).to_numpy()
    keys = [tuple(r) for r in flags]
    out: dict[tuple, list[int]] = {}
    for i, k in enumerate(keys):
        out.setdefault(k, []).append(i)
    return {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}


def _cell_to_domain(membership: sp.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """For a partition of the cells by the domains `rows`: the domain (0..len(rows)) per cell."""
    m = sp.csc_matrix(membership[rows])
    return np.asarray(m.indices, dtype=np.int64)  # one non-zero per column


def quantile_domains(
    design: SurveyDesign,
    cells: Cells,
    doms: Domains,
    value: np.ndarray,
    keep: np.ndarray,
    prob: float,
    rule: str,
    level: float,
    covariance: bool = False,
) -> QuantileEstimates:
    """Quantile `prob` of `value` in every domain, with Woodruff intervals at `level`.

    covariance: also the joint covariance of the quantiles of each margin pattern (for
    contrasts): Taylor designs from the linearised quantile with a kernel density, replicate
    designs from the quantiles recomputed with every replicate's weights.
    """
    nd = len(doms.labels)
    w = design.weights
    inside = keep & (cells.codes >= 0)
    pos = inside & (w > 0)
    idx = np.flatnonzero(pos)
    xv, wv, cv = value[idx], w[idx], cells.codes[idx]
    value_order = np.argsort(xv, kind="stable")
    patterns = margin_patterns(doms.labels)
    est = np.full(nd, np.nan)
    sorted_parts = {}
    columns = []
    for key, rows in patterns.items():
        to_dom = _cell_to_domain(doms.membership, rows)
        group = to_dom[cv]
        order = sort_groups(xv, group, value_order)
        parts = (xv[order], wv[order], group[order], len(rows))
        sorted_parts[key] = prep = prepare(*parts, order=order)
        q = grouped_quantile(*parts, np.full(len(rows), prob), rule, prep)
        est[rows] = q
        qrow = np.full(len(value), np.nan)
        qrow[inside] = q[to_dom[cells.codes[inside]]]
        with np.errstate(invalid="ignore"):
            below = np.where(inside, value <= qrow, False)
        columns.append(share_column(below, inside))
        if covariance and design.replicates is None:
            columns.append(_linearised(value, w, inside, below, to_dom, cells, q, len(rows)))
    stats = accumulate(design, cells.codes, cells.n_cells, columns)
    cov = None
    if covariance:
        cov = _covariance(design, stats, doms, patterns, sorted_parts, idx, prob, rule, est)
    lower, upper = np.full(nd, np.nan), np.full(nd, np.nan)
    df, n, sw = np.full(nd, np.nan), np.zeros(nd), np.zeros(nd)
    cdf, cdf_se = np.full(nd, np.nan), np.full(nd, np.nan)
    step = 2 if covariance and design.replicates is None else 1
    for j, (key, rows) in enumerate(patterns.items()):
        m = estimate_domains(stats, doms.membership[rows], column=step * j, estimator="mean")
        t = ci.t_quantile(level, m.df)
        with np.errstate(invalid="ignore"):
            plo, phi = m.estimate - t * m.se, m.estimate + t * m.se
        s = sorted_parts[key]
        parts = (s.x, s.w, s.group, len(rows))
        lo = grouped_quantile(*parts, np.where(plo >= 0, plo, np.nan), rule, s)
        hi = grouped_quantile(*parts, np.where(phi <= 1, phi, np.nan), rule, s)
        lower[rows], upper[rows] = lo, hi
        df[rows], n[rows], sw[rows] = m.df, m.n, m.sum_w
        cdf[rows], cdf_se[rows] = m.estimate, m.se
    with np.errstate(invalid="ignore", divide="ignore"):
        se = (upper - lower) / (2 * ci.t_quantile(level, df))
    status = [
        ci.STATUS[ci.EMPTY]
        if not nn
        else TOO_FEW
        if np.isnan(e)
        else BOUND_UNDEFINED
        if np.isnan(lo) or np.isnan(hi)
        else ""
        for nn, e, lo, hi in zip(n, est, lower, upper, strict=True)
    ]
    return QuantileEstimates(est, lower, upper, se, df, n, sw, cdf, cdf_se, status, cov)


def _linearised(value, w, inside, below, to_dom, cells, q, nd) -> Column:
    """z_k = -(1{y_k <= q_d} - F_d) / (f_d(q_d) N_d) for the rows of domain d, with a Gaussian
    kernel density f_d and bandwidth h_d = sd_d / N_d^(1/5) of the domain (R convey's rule)."""
    g = np.where(inside, to_dom[np.where(inside, cells.codes, 0)], 0)
    wi = np.where(inside, w, 0.0)
    y = np.where(inside, value, 0.0)
    big_n = np.bincount(g, weights=wi, minlength=nd)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        f_cdf = np.bincount(g, weights=wi * below, minlength=nd) / big_n
        mean = np.bincount(g, weights=wi * y, minlength=nd) / big_n
        var = np.bincount(g, weights=wi * y * y, minlength=nd) / big_n - mean**2
        h = np.sqrt(np.maximum(var, 0)) / np.exp(0.2 * np.log(big_n))
        kern = np.exp(-0.5 * ((q[g] - y) / h[g]) ** 2) / np.sqrt(2 * np.pi)
        dens = np.bincount(g, weights=wi * np.nan_to_num(kern), minlength=nd) / (big_n * h)
        z = np.where(inside, -(below - f_cdf[g]) / (dens[g] * big_n[g]), 0.0)
    return Column(np.nan_to_num(z, posinf=0.0, neginf=0.0), None, inside)


def _covariance(design, stats, doms, patterns, sorted_parts, idx, prob, rule, est):
    """(nd, nd) covariance of the quantiles within each margin pattern (NaN across)."""
    nd = len(doms.labels)
    cov = np.full((nd, nd), np.nan)
    if design.replicates is None:
        if stats.n_cols < 2 * len(patterns):
            return cov
        for j, rows in enumerate(patterns.values()):
            m = estimate_domains(
                stats, doms.membership[rows], column=2 * j + 1, estimator="total", covariance=True
            )
            cov[np.ix_(rows, rows)] = m.cov
        return cov
    reps = design.replicates
    thetas = np.full((nd, reps.n_replicates), np.nan)
    for key, rows in patterns.items():
        s = sorted_parts[key]
        # the sorted rows of this pattern, as positions in `idx` order
        pos_of = s.order
        for r, col in enumerate(reps.weights.columns):
            wr = col[idx][pos_of]
            ok = wr > 0
            p = np.full(len(rows), prob)
            thetas[rows, r] = grouped_quantile(s.x[ok], wr[ok], s.group[ok], len(rows), p, rule)
    for rows in patterns.values():
        cov[np.ix_(rows, rows)] = svr_cov(thetas[rows], est[rows], stats.rep_meta)
    return cov
