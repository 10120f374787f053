"""Replicate-weight variance of domain estimates (R `svrVar`) and R's rank-based `degf`; R's
intercept-only quasibinomial `glm.fit` (what `svyciprop(method = "logit")` fits) for the full
sample and for each replicate.

V = scale * sum_r rscales_r (theta_r - c)^2, c = full-sample estimate if mse else the mean of the
replicates with rscales > 0. Replicates whose estimate is undefined (0/0) are dropped, as R's
`na.omit` in `svrVar` does.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from mhindicators.core.logit_moments import logit_bin_centre
from mhindicators.core.stats import SurveyStats

QR_TOL = 1e-5  # R: qr(weights(design, "analysis"), tol = 1e-5)$rank - 1


def replicate_thetas(
    stats: SurveyStats, j: int, dom, total: bool, positive: bool = False
) -> np.ndarray:
    """Replicate estimates (nd, R) of column j for each domain (positive: w_r > 0 rows only).

    The sums carry y' = y - shift x (`stats.py`): ratios come back shifted (theta_r - shift,
    whose differences do not cancel an offset of y; compare with a shifted full estimate),
    totals are restored (sum w_r y' + shift sum w_r x)."""
    rep = stats.rep_pos if positive and stats.rep_pos is not None else stats.rep
    assert rep is not None, "replicate sums exist for replicate designs only"
    yr = dom @ rep[j, 0]
    xr = dom @ rep[j, 1]
    if total:
        shift = stats.shift[j]
        return np.asarray(yr + shift * xr if shift else yr)
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
    """Covariance (nd, nd) of replicate estimates; replicates undefined in any domain are
    dropped (R's `na.omit` in `svrVar` over the domains of one `svyby` call).

    A domain undefined in every replicate (an empty domain, which `svyby` never lists) takes
    no part in that rule: its rows and columns are NaN and the others are unaffected.
    """
    rs = np.asarray(meta["rscales"], dtype=np.float64)
    nan = np.isnan(thetas)
    listed = ~nan.all(axis=1)
    keep = ~nan[listed].any(axis=0)
    out = np.full((thetas.shape[0],) * 2, np.nan)
    if not keep.any() or not listed.any():
        return out
    t, r = thetas[np.ix_(listed, keep)], rs[keep]
    with np.errstate(invalid="ignore", over="ignore"):
        centre = np.asarray(full)[listed] if meta["mse"] else t[:, r > 0].mean(axis=1)
        dev = t - centre[:, None]
        out[np.ix_(listed, listed)] = meta["scale"] * (dev * r) @ dev.T
    return out


def rank_df(stats: SurveyStats, j: int, dom, n_rows: np.ndarray) -> np.ndarray:
    """R's `degf` of each domain's replicate design: rank of its replicate weights minus 1.

    Emulates LINPACK `dqrdc2` (limited pivoting, tol 1e-5) on the domain's Gram matrix: column
    k counts when its residual norm after projection on the earlier counted columns is at least
    tol times its own norm.
    """
    meta = stats.rep_meta
    assert meta is not None, "rank_df is for replicate designs"
    if meta.get("df") is not None:
        return np.full(dom.shape[0], float(meta["df"]))
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
GLM_EPSILON, GLM_MAXIT = 1e-8, 25  # glm.control() defaults, used by svyglm


def r_linkinv(eta: np.ndarray) -> np.ndarray:
    """R's binomial()$linkinv (logit_linkinv in C): clamped at |eta| > 30."""
    tmp = np.where(
        eta < -30, _DBL_EPS, np.where(eta > 30, 1 / _DBL_EPS, np.exp(np.clip(eta, -30, 30)))
    )
    return tmp / (1 + tmp)


def r_mu_eta(eta: np.ndarray) -> np.ndarray:
    """R's binomial()$mu.eta (logit_mu_eta in C)."""
    ex = np.exp(np.clip(eta, -30, 30))
    return np.where(np.abs(eta) > 30, _DBL_EPS, ex / ((1 + ex) * (1 + ex)))


def _binomial_dev(p: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Deviance per unit prior weight of 0/1 rows with weighted mean p at a constant mu."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return -2 * (
            np.where(p > 0, p * np.log(mu), 0.0) + np.where(p < 1, (1 - p) * np.log(1 - mu), 0.0)
        )


def _irls(p_dev, p_step, beta, devold, scale, active, maxit, eps):
    """glm.fit iterations once mu is constant: beta += (p_step - mu)/mu.eta; stop when
    |dev - devold| / (|dev| + 0.1) < eps, dev = scale * _binomial_dev(p_dev, mu).

    Returns the coefficients and the number of iterations run per entry.
    """
    beta = np.array(beta, dtype=np.float64)
    devold = np.array(devold, dtype=np.float64)
    active = np.array(active, dtype=bool)
    iters = np.zeros(beta.shape, dtype=np.int64)
    mu = r_linkinv(beta)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(maxit):
            if not active.any():
                break
            new = beta + (p_step - mu) / r_mu_eta(beta)
            beta = np.where(active, new, beta)
            mu = r_linkinv(beta)
            dev = scale * _binomial_dev(p_dev, mu)
            done = np.abs(dev - devold) / (np.abs(dev) + 0.1) < eps
            iters += active
            devold = np.where(active, dev, devold)
            active &= ~done
    return beta, iters


def replicate_logits(
    p_r: np.ndarray, beta0: np.ndarray, p_pos=None, maxit: int = GLM_MAXIT, eps: float = GLM_EPSILON
):
    """Intercept-only quasibinomial fits per replicate, as `svyglm` on a replicate design does.

    R refits `glm.fit(start = beta0)` with weights w_r / sum(w_r), beta0 = the full-sample
    `svyglm` coefficient (`glm_logit`); for an intercept the IRLS step is
    beta + (p_r - mu) / mu_eta. We iterate the same way with the same stopping rule
    (|dev - devold| / (|dev| + 0.1) < 1e-8, at most 25 iterations), so replicates at p_r = 0 or 1
    give R's (finite, non-converged) values rather than infinities. `p_pos`: the proportion over
    rows with positive replicate weight, which is what glm.fit's step uses (its `good` rows);
    the deviance uses all rows.
    """
    p_step = p_r if p_pos is None else p_pos
    beta = np.broadcast_to(beta0[:, None], p_r.shape).astype(np.float64).copy()
    devold = _binomial_dev(p_r, r_linkinv(beta))
    active = np.isfinite(p_r) & np.isfinite(beta)
    beta, _ = _irls(p_r, p_step, beta, devold, 1.0, active, maxit, eps)
    return np.where(np.isfinite(p_r), beta, np.nan)


def _gauss2(mom: np.ndarray, half: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-node Gauss rule (nodes (2, m), weights (2, m) summing to the count) matching the
    count and the sums of d, d^2, d^3 of each bin (d in [-half, half]); a point mass when d is
    (nearly) constant."""
    n, s1, s2, s3 = mom
    m = s1 / n
    c2 = np.maximum(s2 / n - m * m, 0.0)
    c3 = s3 / n - 3 * m * (s2 / n) + 2 * m**3
    point = c2 <= (1e-6 * half) ** 2
    sd = np.where(point, 0.0, np.sqrt(c2))
    g = np.where(point, 0.0, c3 / np.where(point, 1.0, sd) ** 3)  # skewness
    r = np.sqrt(g * g + 4)
    # roots of t^2 - g t - 1 (t+ t- = -1), the larger-magnitude one without cancellation
    tp = np.where(g >= 0, (g + r) / 2, 2 / (r - g))
    tm = -1 / tp
    wp, wm = -tm / (tp - tm), tp / (tp - tm)
    nodes = np.clip(np.stack([m + sd * tp, m + sd * tm]), -half, half)
    return nodes, np.stack([n * wp, n * wm])


def glm_logit_start(parts, dom, mean_w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per domain: sum W, sum W z and the deviance at mustart, R's first glm.fit IRLS step.

    `svyglm` fits with prior weights a = w / mean_w (`rescale = TRUE`; mean_w = mean weight
    over the rows of `design[domain, ]`, which `[` drops to the domain's rows). `binomial()`
    starts at mustart = (a y + 0.5)/(a + 1), i.e. eta0 = +/-log(2a + 1), and step 1 is the
    weighted least squares fit of z = eta0 + (y - mu0)/v0 with weights W = a v0, v0 =
    mu0 (1 - mu0). Each row's terms are analytic functions of w / mean_w (singular only at
    w = -mean_w/2 and -mean_w); we integrate them over the rows of each cell x y x weight bin
    (`stats.logit_parts`, relative width <= 1/32) with the bin's two-node Gauss rule (relative
    error ~1e-11 or less; glm.fit's later Newton steps shrink an error in beta_1 by a further
    ~1e-3 or more before R stops).
    """
    cell, yb, bins, mom = parts
    nd = dom.shape[0]
    out = np.zeros((3, nd))
    if cell.size == 0:
        return out[0], out[1], out[2]
    centre, half = logit_bin_centre(bins)
    nodes, wts = _gauss2(mom, half)
    csc = sp.csc_matrix(dom)
    first, cnt = csc.indptr[cell], np.diff(csc.indptr)[cell]
    key = np.repeat(np.arange(cell.size), cnt)
    pos = np.repeat(first - (np.cumsum(cnt) - cnt), cnt) + np.arange(key.size)
    d, mult = csc.indices[pos], csc.data[pos]
    sign = (2.0 * yb - 1.0)[key]  # W z for y = 0 is minus that for y = 1
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        inv_mean = (1 / mean_w)[d]
        acc = np.zeros((3, key.size))
        for i in range(2):
            a = (centre + nodes[i])[key] * inv_mean
            u = 2 * a
            s = u + 1
            inv = 1 / (s + 1)
            w0 = a * s * inv * inv  # a v0, v0 = mu0 (1 - mu0) = s / (s + 1)^2
            f = wts[i, key] * mult
            acc[0] += f * w0
            acc[1] += (f * sign) * (w0 * np.log1p(u) + a * inv)  # a v0 eta0 + a (y - mu0)
            acc[2] += f * u * np.log1p(1 / s)  # 2 a log(1/mu0) (y = 1), same for y = 0
        for row in range(3):
            out[row] = np.bincount(d, acc[row], nd)
    return out[0], out[1], out[2]


def glm_logit(
    p: np.ndarray,
    n_rows: np.ndarray,
    start: tuple[np.ndarray, np.ndarray, np.ndarray],
    maxit: int = GLM_MAXIT,
    eps: float = GLM_EPSILON,
) -> tuple[np.ndarray, np.ndarray]:
    """R's `svyglm(y ~ 1, design[domain, ], family = quasibinomial)` coefficient per domain.

    start: `glm_logit_start`. Iteration 1 gives beta_1 = sum W z / sum W, tested against the
    deviance at mustart; from then on mu is constant and glm.fit's step is
    beta + (p - mu)/mu.eta with deviance n * _binomial_dev(p, mu) (the prior weights sum to the
    domain's row count n). Returns (beta, iterations) as glm.fit would stop.
    """
    sw, swz, dev0 = start
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        beta1 = swz / sw
        dev1 = n_rows * _binomial_dev(p, r_linkinv(beta1))
        conv1 = np.abs(dev1 - dev0) / (np.abs(dev1) + 0.1) < eps
    active = np.isfinite(p) & np.isfinite(beta1) & ~conv1
    beta, iters = _irls(p, p, beta1, dev1, n_rows, active, maxit - 1, eps)
    return np.where(np.isfinite(p), beta, np.nan), iters + 1
