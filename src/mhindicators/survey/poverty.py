"""Share below a data-derived line (at-risk-of-poverty rate) by domain, with the line's own
sampling variability in the variance.

The line is `share` x the `prob` quantile of the value over the whole universe (national: one
line, then applied to every domain). The rate in domain d is R_d = sum_d w 1{y < line} / N_d.
Variance: replicate designs recompute line and rates for every replicate; Taylor designs use the
linearised variable of Deville (1999) and Osier (2009) (docs/methods-distribution.md):
  z_dk = 1{k in d} (1{y_k < line} - R_d) / N_d
         - share f_d(line) / f(q) * (1{y_k <= q} - F(q)) / N
with Gaussian-kernel densities f (bandwidth h = sigma / N^0.2 over the universe, as R `convey`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mhindicators.core.design import SurveyDesign
from mhindicators.core.linearization import average_factor, check_lonely, strata_plan
from mhindicators.core.quantiles import grouped_quantile
from mhindicators.core.replicates import svr_var
from mhindicators.core.stats import accumulate
from mhindicators.frame.domains import Cells, Domains
from mhindicators.survey.estimate import DomainEstimates, estimate_domains
from mhindicators.survey.quantile import share_column


@dataclass
class LineEstimates:
    """Domain rates below the line, with the line and its quantile."""

    est: DomainEstimates  # variance, se, cov already include the line's variability
    line: float
    quantile: float


def _quantile(x, w, prob, rule) -> float:
    ok = w > 0
    x, w = x[ok], w[ok]
    order = np.argsort(x, kind="stable")
    g = np.zeros(len(x), dtype=np.int64)
    return float(grouped_quantile(x[order], w[order], g, 1, np.array([prob]), rule)[0])


def national_line(value, weights, inside, share, prob, rule) -> tuple[float, float]:
    """(line, quantile) over the universe rows `inside`."""
    q = _quantile(value[inside], weights[inside], prob, rule)
    return share * q, q


def below_line_domains(
    design: SurveyDesign,
    cells: Cells,
    doms: Domains,
    value: np.ndarray,
    keep: np.ndarray,
    share: float,
    prob: float,
    rule: str,
    covariance: bool = False,
    line_value: np.ndarray | None = None,
) -> LineEstimates:
    """Rate below `share` x quantile(prob) per domain with its full variance; the quantile is
    of `line_value` when given (`line.of`), else of `value`."""
    inside = keep & (cells.codes >= 0)
    w = design.weights
    lv = value if line_value is None else line_value
    line, q = national_line(lv, w, inside, share, prob, rule)
    below = inside & (value < line)
    stats = accumulate(design, cells.codes, cells.n_cells, [share_column(below, inside)])
    est = estimate_domains(
        stats, doms.membership, column=0, estimator="mean", covariance=covariance
    )
    if design.replicates is None:
        var, cov = _taylor(
            design, stats, cells, doms, value, lv, inside, below, est, share, q, line, covariance
        )
    else:
        thetas = _replicate_rates(design, cells, doms, value, lv, inside, share, prob, rule)
        meta = stats.rep_meta
        assert meta is not None, "a replicate design's statistics carry their meta"
        var = svr_var(thetas, est.estimate, meta)
        cov = None
        if covariance:
            from mhindicators.core.replicates import svr_cov

            cov = svr_cov(thetas, est.estimate, meta)
    var = np.where(est.n > 0, var, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = est.estimate
        out = DomainEstimates(
            estimator="proportion",
            estimate=p,
            variance=var,
            se=np.sqrt(var),
            df=est.df,
            n=est.n,
            n_nonzero=est.n_nonzero,
            sum_w=est.sum_w,
            numerator=est.numerator / 2,  # share_column doubles y and x
            denominator=est.denominator / 2,
            deff=np.full(p.shape, np.nan),
            n_eff=p * (1 - p) / var,
            se_logit=np.sqrt(var) / (p * (1 - p)),
            cov=cov,
        )
    return LineEstimates(out, line, q)


def _replicate_rates(design, cells, doms, value, lv, inside, share, prob, rule) -> np.ndarray:
    """(nd, R): line and rates recomputed with every replicate's weights."""
    reps = design.replicates
    idx = np.flatnonzero(inside)
    order = np.argsort(lv[idx], kind="stable")  # the line's variable, sorted once
    ls, xs, cs = lv[idx][order], value[idx][order], cells.codes[idx][order]
    zero = np.zeros(len(xs), dtype=np.int64)
    dom = sp.csr_matrix(doms.membership)
    out = np.empty((dom.shape[0], reps.n_replicates))
    for r, col in enumerate(reps.weights.columns):
        wr = col[idx][order]
        pos = wr > 0
        qr = grouped_quantile(ls[pos], wr[pos], zero[: int(pos.sum())], 1, np.array([prob]), rule)
        lr = share * qr[0]
        num = np.bincount(cs, weights=wr * (xs < lr), minlength=cells.n_cells)
        den = np.bincount(cs, weights=wr, minlength=cells.n_cells)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, r] = (dom @ num) / (dom @ den)
    return out


def kernel_bandwidth(value, weights, inside) -> float:
    """h = sigma / N^(1/5) with the weighted population SD over the universe (R convey h_fun)."""
    y, w = value[inside], weights[inside]
    n = w.sum()
    sd = np.sqrt((np.sum(w * y * y) - np.sum(w * y) ** 2 / n) / n)
    return float(sd / np.exp(0.2 * np.log(n)))


def _taylor(design, stats, cells, doms, value, lv, inside, below, est, share, q, line, covariance):
    """Variance of the linearised rates from PSU totals (R svyrecvar's formula). Densities:
    f_d at the line of the compared value, f at q of the line's variable (each its own h)."""
    w = design.weights
    h_v, h_l = (kernel_bandwidth(v, w, inside) for v in (value, lv))
    h = h_v if np.isfinite(h_v) and np.isfinite(h_l) and h_l > 0 else 0.0
    dom = sp.csr_matrix(doms.membership)
    codes = np.where(inside, cells.codes, 0)
    root = np.sqrt(2 * np.pi)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        kern_t = np.where(inside, np.exp(-0.5 * ((line - value) / h_v) ** 2) / root, 0)
        kern_q = np.where(inside, np.exp(-0.5 * ((q - lv) / h_l) ** 2) / root, 0)
        n_all = w.sum(where=inside)
        f_q = float(np.sum(w * kern_q) / (n_all * h_l))
        f_dt = (dom @ np.bincount(codes, weights=w * kern_t, minlength=cells.n_cells)) / (
            est.sum_w * h_v
        )
    le_q = inside & (lv <= q)
    big_f = w.sum(where=le_q) / n_all
    g = np.where(inside, le_q - big_f, 0.0) / n_all
    # all values equal (h = 0): the line sits below every value, the rate has no line term
    coef = share * f_dt / f_q if h > 0 else np.zeros(len(f_dt))
    plan = strata_plan(stats)
    present = (dom @ stats.cs_n[0]) > 0
    check_lonely(stats, plan, present)
    psu = design.psu if design.psu is not None else np.arange(design.n)
    n_psu = int(psu.max()) + 1
    psu_stratum = np.zeros(n_psu, dtype=np.int64)
    psu_stratum[psu] = design.strata_codes
    # uncentred form: sum_h a_h sum_i T_hi^2 - c_h (sum_i T_hi)^2, with the adjust policy's
    # lonely strata (b_h) uncentred; fine for a 0/1 rate (no large offset to cancel)
    multi = plan.n_psu > 1
    a = (plan.a + plan.b)[psu_stratum]
    c = np.where(multi, plan.a / np.where(multi, plan.n_psu, 1), 0.0)
    # PSU totals T_dP = A_dP - coef_d G_P: A (sparse, domain part), G (the line's part)
    rows = np.flatnonzero(inside)
    shape = (cells.n_cells, n_psu)
    wb = sp.csr_matrix(((w * below)[rows], (cells.codes[rows], psu[rows])), shape=shape)
    ww = sp.csr_matrix((w[rows], (cells.codes[rows], psu[rows])), shape=shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_n = np.where(est.sum_w > 0, 1 / est.sum_w, 0.0)
    r = np.nan_to_num(est.estimate)
    big_a = sp.diags(inv_n) @ (dom @ wb - sp.diags(r) @ (dom @ ww))
    big_g = np.bincount(psu, weights=w * g, minlength=n_psu)
    onehot = sp.csr_matrix((np.ones(n_psu), (np.arange(n_psu), psu_stratum)), shape=(n_psu, len(c)))
    th = (big_a @ onehot).toarray() - np.outer(coef, onehot.T @ big_g)  # (nd, H)
    ag = big_a @ (a * big_g)
    s3 = float(np.sum(a * big_g * big_g))
    aa = (big_a @ sp.diags(a) @ big_a.T).toarray()
    full = aa - np.outer(coef, ag) - np.outer(ag, coef) + np.outer(coef, coef) * s3
    full -= (th * c) @ th.T
    var = np.maximum(np.diag(full), 0) * average_factor(stats, plan, present)
    cov = None
    if covariance:
        cov = full * average_factor(stats, plan, present.any(axis=0, keepdims=True))[0]
    return var, cov
