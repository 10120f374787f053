"""Finalize sufficient statistics into domain estimates (R `svyby` + `svymean`/`svyratio`/...).

A domain is a union of cells: `domains` is an (n_domains x n_cells) 0-1 matrix (dense or
scipy.sparse); margins (`_T`) are rows that sum cells over a dimension.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from mhindicators.core.linearization import taylor_df, taylor_variance
from mhindicators.core.replicates import (
    glm_logit,
    glm_logit_start,
    r_linkinv,
    r_mu_eta,
    rank_df,
    replicate_logits,
    replicate_thetas,
    svr_cov,
    svr_var,
)
from mhindicators.core.stats import WX, WXX, WXY, WY, WYS, WYY, SurveyStats, W

Estimator = Literal["proportion", "mean", "ratio", "total"]
DeffMode = Literal["wor", "replace"]


@dataclass
class DomainEstimates:
    """Per-domain results of one indicator column (arrays of length n_domains)."""

    estimator: str
    estimate: np.ndarray
    variance: np.ndarray
    se: np.ndarray
    df: np.ndarray
    n: np.ndarray  # unweighted rows in the domain (R `nrow(subset(design, domain))`)
    n_nonzero: np.ndarray  # rows with non-zero weight
    sum_w: np.ndarray  # sum of weights
    numerator: np.ndarray  # sum w y
    denominator: np.ndarray  # sum w x (X-hat; sum w for means and proportions)
    deff: np.ndarray
    n_eff: np.ndarray
    se_logit: np.ndarray | None  # proportions: SE of R's svyglm logit coefficient
    cov: np.ndarray | None = None  # (nd, nd) when requested
    # proportions: (nd, 2) = (the estimate p the fit belongs to, R's svyglm coefficient beta);
    # `ci.proportion_ci` centres the logit interval on beta only where p is still `estimate`
    logit_fit: np.ndarray | None = None

    @property
    def cv(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.se / np.abs(self.estimate)


def _as_domains(domains) -> sp.csr_matrix:
    return sp.csr_matrix(domains, dtype=np.float64)


def estimate_domains(
    stats: SurveyStats,
    domains,
    *,
    column: int = 0,
    estimator: Estimator = "ratio",
    covariance: bool = False,
    deff: DeffMode = "wor",
) -> DomainEstimates:
    """Estimate, variance, df, deff, n_eff per domain for one column of `stats`.

    estimator: 'proportion' | 'mean' | 'ratio' (sum wy / sum wx) | 'total' (sum wy).
    deff: 'wor' = R `deff = TRUE` (SRS without replacement of n from N-hat), 'replace' =
    R `deff = "replace"`.
    """
    dom = _as_domains(domains)
    pt = _point(stats, column, dom, estimator)
    beta = _svyglm_coef(stats, column, dom, pt.est, pt.n, pt.sw) if pt.proportion else None
    spread = (_taylor if stats.kind == "taylor" else _replicate)(
        stats, column, dom, pt, beta, covariance
    )
    var = np.where(pt.n > 0, spread.var, np.nan)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(var)  # NaN for a negative variance: status variance-not-finite (MHI440)
    se_logit = spread.se_logit
    if pt.proportion:
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = se / (pt.est * (1 - pt.est))
        inside = (pt.est > 0) & (pt.est < 1)
        se_logit = delta if se_logit is None else np.where(inside, se_logit, delta)
    vsrs = _srs_variance(pt.s, pt.shifted, spread.nobs, estimator, deff, stats, column)
    with np.errstate(divide="ignore", invalid="ignore"):
        dfx = var / vsrs
        # NCHS n_eff = p(1-p)/var for proportions; Kish n/deff otherwise
        neff = pt.est * (1 - pt.est) / var if pt.proportion else spread.nobs / dfx
    return DomainEstimates(
        estimator=estimator,
        estimate=pt.est,
        variance=var,
        se=se,
        df=np.where(pt.n > 0, spread.df, np.nan),
        n=pt.n,
        n_nonzero=pt.nnz,
        sum_w=pt.sw,
        numerator=pt.num,
        denominator=pt.den,
        deff=dfx,
        n_eff=neff,
        se_logit=se_logit,
        cov=spread.cov,
        logit_fit=None if beta is None else np.column_stack([pt.est, beta]),
    )


@dataclass(frozen=True)
class _Point:
    """Domain sums and the point estimate of one column (inputs of every variance path)."""

    s: np.ndarray  # (nd, slots) domain sums of the statistics
    n: np.ndarray
    nnz: np.ndarray
    est: np.ndarray
    ratio: np.ndarray  # the estimate with NaN as 0 (0 for totals)
    xhat: np.ndarray  # the denominator (1 for totals)
    shifted: np.ndarray  # R - shift, free of the offset
    total: bool
    proportion: bool

    @property
    def num(self) -> np.ndarray:
        return self.s[:, WY]

    @property
    def den(self) -> np.ndarray:
        return self.s[:, WX]

    @property
    def sw(self) -> np.ndarray:
        return self.s[:, W]


def _point(stats: SurveyStats, j: int, dom, estimator: str) -> _Point:
    cs = stats.cs[j].sum(axis=-1)  # (slots, nc)
    s = dom @ cs.T  # (nd, slots)
    n = np.asarray(dom @ stats.cs_n[j].sum(axis=-1)).astype(np.float64)
    nnz = np.asarray(dom @ stats.cs_nz[j].sum(axis=-1)).astype(np.float64)
    total = estimator == "total"
    num, den = s[:, WY], s[:, WX]
    with np.errstate(divide="ignore", invalid="ignore"):
        est = num.copy() if total else num / den
    est = np.where((n > 0) & (total | (den != 0)), est, np.nan)  # X = 0: undefined ratio
    ratio = np.zeros_like(est) if total else np.nan_to_num(est)
    xhat = np.ones_like(est) if total else den
    with np.errstate(divide="ignore", invalid="ignore"):  # R - shift, free of the offset
        shifted = -stats.shift[j] * np.ones_like(est) if total else np.nan_to_num(s[:, WYS] / den)
    return _Point(s, n, nnz, est, ratio, xhat, shifted, total, estimator == "proportion")


@dataclass(frozen=True)
class _Spread:
    """What a variance path returns: variance, covariance, logit SE, df and n for deff."""

    var: np.ndarray
    cov: np.ndarray | None
    se_logit: np.ndarray | None
    df: np.ndarray
    nobs: np.ndarray


def _taylor(stats, j, dom, pt: _Point, beta, covariance: bool) -> _Spread:
    se_logit = None
    if beta is None:
        var, cov = taylor_variance(
            stats, j, dom, pt.ratio, pt.xhat, covariance=covariance, shifted_ratio=pt.shifted
        )
    else:  # 0/1 outcomes: shift 0, so the ratio is its own shifted ratio
        var, cov, vb = _taylor_with_logit(stats, j, dom, pt.ratio, pt.xhat, beta, pt.sw, covariance)
        se_logit = np.sqrt(np.where(pt.n > 0, vb, np.nan))
    return _Spread(var, cov, se_logit, taylor_df(stats, j, dom), pt.nnz)


def _replicate(stats, j, dom, pt: _Point, beta, covariance: bool) -> _Spread:
    est, total = pt.est, pt.total
    thetas = replicate_thetas(stats, j, dom, total)  # shifted by stats.shift[j] unless total
    full = est if total else np.where(np.isnan(est), np.nan, pt.shifted)
    var = svr_var(thetas, full, stats.rep_meta)
    cov = svr_cov(thetas, full, stats.rep_meta) if covariance else None
    se_logit = None
    if pt.proportion:
        with np.errstate(divide="ignore", invalid="ignore"):
            logit_full = np.log(est / (1 - est)) if beta is None else beta
        p_pos = replicate_thetas(stats, j, dom, total, positive=True)
        lt = replicate_logits(thetas, logit_full, p_pos)
        se_logit = np.sqrt(svr_var(lt, logit_full, stats.rep_meta))
    return _Spread(var, cov, se_logit, rank_df(stats, j, dom, pt.n), pt.n)


_STACK_COV_MAX = 500  # above this many domains, a second variance call beats a (2nd)^2 covariance


def _taylor_with_logit(stats, j, dom, ratio, xhat, beta, sw, covariance):
    """Variance (and covariance) of the estimates, and the variance of R's svyglm coefficient.

    svy.varcoef linearises the estimating equation at glm's final coefficient: influence
    a (y - mu)/(mu.eta n) = w (y - mu)/(sum(w) mu.eta), a ratio linearisation with R = mu and
    X = sum(w) mu.eta (not p-hat: mu differs from p-hat by R's IRLS tolerance). Both come from
    one `taylor_variance` call on the domains stacked twice, so the cell moments are built once.
    """
    nd = dom.shape[0]
    mu, me = r_linkinv(beta), r_mu_eta(beta)
    rb, xb = np.nan_to_num(mu), sw * me
    if covariance and nd > _STACK_COV_MAX:
        var, cov = taylor_variance(stats, j, dom, ratio, xhat, covariance=True)
        vb, _ = taylor_variance(stats, j, dom, rb, xb)
        return var, cov, vb
    both = sp.vstack([dom, dom]).tocsr()
    v2, c2 = taylor_variance(
        stats, j, both, np.r_[ratio, rb], np.r_[xhat, xb], covariance=covariance
    )
    return v2[:nd], None if c2 is None else c2[:nd, :nd], v2[nd:]


def _svyglm_coef(stats: SurveyStats, j: int, dom, est, n, sw) -> np.ndarray | None:
    """R's svyglm(y ~ 1, design[domain, ], family = quasibinomial) coefficient per domain, or
    None when column j is not a 0/1 proportion (no `logit_parts`)."""
    parts = stats.logit_parts[j] if stats.logit_parts else None
    if parts is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_w = sw / n  # svyglm's rescale: w / mean(w) over the domain's rows
    beta, _ = glm_logit(est, n, glm_logit_start(parts, dom, mean_w))
    return beta


def _srs_variance(s, shifted, nobs, estimator, mode, stats, j) -> np.ndarray:
    """Variance under simple random sampling, as the `vsrs` of R's `deff = TRUE/"replace"`.

    From the sums of the shifted y' = y - shift x (slots WYS, WYY, WXY), so sum w (y - R x)^2
    does not cancel an offset of y."""
    big_n = s[:, W]
    kind = stats.kind
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        bessel = nobs / (nobs - 1)
        if estimator == "total":
            if stats.unit_x[j]:  # sum w (y' - ybar')^2; exactly 0 for a constant y
                ss = s[:, WYY] - s[:, WYS] / big_n * s[:, WYS]
            else:  # y = y' + shift x: back to the plain sums
                c = stats.shift[j]
                ss = s[:, WYY] + 2 * c * s[:, WXY] + c * c * s[:, WXX] - s[:, WY] ** 2 / big_n
            base = ss / big_n * bessel * big_n**2
        else:
            r = shifted
            ss = s[:, WYY] - 2 * r * s[:, WXY] + r * r * s[:, WXX]
            base = ss / s[:, WX] ** 2 / big_n * bessel * big_n**2
        if mode == "replace":
            return base / nobs
        v = base * (big_n - nobs) / (big_n * nobs)
    if estimator in ("mean", "proportion") and kind == "taylor":
        v = np.where(big_n < nobs, np.nan, v)  # R svymean: "Sample size greater than population"
    return v
