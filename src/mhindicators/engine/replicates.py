"""Replicate-weight variance of domain estimates (R `svrVar`) and R's rank-based `degf`.

V = scale * sum_r rscales_r (theta_r - c)^2, c = full-sample estimate if mse else the mean of the
replicates with rscales > 0. Replicates whose estimate is undefined (0/0) are dropped, as R's
`na.omit` in `svrVar` does.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from mhindicators.engine.stats import SurveyStats

QR_TOL = 1e-5  # R: qr(weights(design, "analysis"), tol = 1e-5)$rank - 1


def replicate_thetas(
    stats: SurveyStats, j: int, dom, total: bool, positive: bool = False
) -> np.ndarray:
    """Replicate estimates (nd, R) of column j for each domain (positive: w_r > 0 rows only)."""
    rep = stats.rep_pos if positive and stats.rep_pos is not None else stats.rep
    yr = dom @ rep[j, 0]
    if total:
        return np.asarray(yr)
    xr = dom @ rep[j, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(yr / xr)


def svr_var(thetas: np.ndarray, full: np.ndarray, meta: dict) -> np.ndarray:
    """Per-domain replicate variance of thetas (nd, R), dropping NaN (0/0) replicates.

    Infinite replicates are kept, as in R, and make the variance infinite or NaN.
    """
    rs = np.asarray(meta["rscales"], dtype=np.float64)
    ok = ~np.isnan(thetas)
    t0 = np.where(ok, thetas, 0.0)
    with np.errstate(invalid="ignore"):
        if meta["mse"]:
            centre = full
        else:
            use = ok & (rs > 0)
            with np.errstate(divide="ignore"):
                centre = np.where(use, t0, 0.0).sum(1) / use.sum(1)
        dev = np.where(ok, t0 - centre[:, None], 0.0)
        v = meta["scale"] * (dev * dev * rs).sum(1)
    return np.where(ok.any(axis=1), v, np.nan)


def svr_cov(thetas: np.ndarray, full: np.ndarray, meta: dict) -> np.ndarray:
    """Covariance (nd, nd) of replicate estimates; replicates undefined anywhere are dropped."""
    rs = np.asarray(meta["rscales"], dtype=np.float64)
    keep = ~np.isnan(thetas).any(axis=0)
    t, r = thetas[:, keep], rs[keep]
    if not keep.any():
        return np.full((thetas.shape[0],) * 2, np.nan)
    with np.errstate(invalid="ignore", over="ignore"):
        centre = full if meta["mse"] else t[:, r > 0].mean(axis=1)
        dev = t - centre[:, None]
        return meta["scale"] * (dev * r) @ dev.T


def rank_df(stats: SurveyStats, j: int, dom, n_rows: np.ndarray) -> np.ndarray:
    """R's `degf` of each domain's replicate design: rank of its replicate weights minus 1.

    Emulates LINPACK `dqrdc2` (limited pivoting, tol 1e-5) on the domain's Gram matrix: column
    k counts when its residual norm after projection on the earlier counted columns is at least
    tol times its own norm.
    """
    if stats.rep_meta.get("df") is not None:
        return np.full(dom.shape[0], float(stats.rep_meta["df"]))
    if stats.gram is None:
        return np.full(dom.shape[0], np.nan)
    g = stats.gram[j]
    nc, r, _ = g.shape
    dg = (sp.csr_matrix(dom) @ g.reshape(nc, r * r)).reshape(-1, r, r)
    return np.minimum(gram_rank(dg), n_rows).astype(np.float64) - 1.0


def gram_rank(g: np.ndarray, tol: float = QR_TOL) -> np.ndarray:
    """Batched rank (nd,) of matrices given by their Gram matrices g (nd, R, R)."""
    nd, r, _ = g.shape
    low = np.zeros((nd, r, r))  # Cholesky-like factor; rejected columns stay 0
    rank = np.zeros(nd, dtype=np.int64)
    for k in range(r):
        lk = low[:, k, :k]
        resid = g[:, k, k] - (lk * lk).sum(1)
        norm = g[:, k, k]
        accept = (norm > 0) & (np.sqrt(np.maximum(resid, 0.0)) >= tol * np.sqrt(norm))
        rank += accept
        diag = np.where(accept, np.sqrt(np.maximum(resid, 0.0)), 1.0)
        low[:, k, k] = np.where(accept, diag, 0.0)
        if k + 1 < r:
            below = g[:, k + 1 :, k] - np.einsum("nij,nj->ni", low[:, k + 1 :, :k], lk)
            low[:, k + 1 :, k] = np.where(accept[:, None], below / diag[:, None], 0.0)
    return rank


_DBL_EPS = np.finfo(np.float64).eps


def _expit_r(eta: np.ndarray) -> np.ndarray:
    """R's binomial()$linkinv (logit_linkinv in C): clamped at |eta| > 30."""
    tmp = np.where(
        eta < -30, _DBL_EPS, np.where(eta > 30, 1 / _DBL_EPS, np.exp(np.clip(eta, -30, 30)))
    )
    return tmp / (1 + tmp)


def _mu_eta_r(eta: np.ndarray) -> np.ndarray:
    ex = np.exp(np.clip(eta, -30, 30))
    return np.where(np.abs(eta) > 30, _DBL_EPS, ex / ((1 + ex) * (1 + ex)))


def _binomial_dev(p: np.ndarray, mu: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -2 * (
            np.where(p > 0, p * np.log(mu), 0.0) + np.where(p < 1, (1 - p) * np.log(1 - mu), 0.0)
        )


def replicate_logits(
    p_r: np.ndarray, beta0: np.ndarray, p_pos=None, maxit: int = 25, eps: float = 1e-8
):
    """Intercept-only quasibinomial fits per replicate, as `svyglm` on a replicate design does.

    R refits `glm.fit(start = beta0)` with weights w_r / sum(w_r); for an intercept the IRLS step
    is beta + (p_r - mu) / mu_eta. We iterate the same way with the same stopping rule
    (|dev - devold| / (|dev| + 0.1) < 1e-8, at most 25 iterations), so replicates at p_r = 0 or 1
    give R's (finite, non-converged) values rather than infinities. `p_pos`: the proportion over
    rows with positive replicate weight, which is what glm.fit's step uses (its `good` rows);
    the deviance uses all rows.
    """
    p_step = p_r if p_pos is None else p_pos
    beta = np.broadcast_to(beta0[:, None], p_r.shape).astype(np.float64).copy()
    mu = _expit_r(beta)
    devold = _binomial_dev(p_r, mu)
    active = np.isfinite(p_r) & np.isfinite(beta)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(maxit):
            if not active.any():
                break
            new = beta + (p_step - mu) / _mu_eta_r(beta)
            beta = np.where(active, new, beta)
            mu = _expit_r(beta)
            dev = _binomial_dev(p_r, mu)
            done = np.abs(dev - devold) / (np.abs(dev) + 0.1) < eps
            devold = np.where(active, dev, devold)
            active &= ~done
    return np.where(np.isfinite(p_r), beta, np.nan)
