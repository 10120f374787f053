"""Taylor-linearization variance of domain ratios and totals from `SurveyStats`.

Matches R `survey`'s `svyrecvar` (ultimate-cluster, first stage) for a domain estimated with
`svyby` / `subset`: z_hi = sum_{k in PSU hi, domain} w_k (y_k - R x_k) / X; per stratum
V_h = a_h * sum_i (z_hi - zbar_h)^2 with a_h = f_h n_h/(n_h - 1), every PSU of the design
counted (PSUs without domain members contribute z = 0).

No sum of squares minus a squared sum: clustered designs form each domain's PSU totals of the
shifted y' and of x (one sparse product), e_i = Y'_i - R' X_i with R' the shifted ratio, and
centre them within stratum; unclustered designs pool the centred co-moments of the cells. Every
term is a sum of squares, so V >= 0 up to rounding and a true 0 comes out as 0 (or within a few
ulps). See docs/methods-survey.md (precision).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mhindicators.core.design import _fail
from mhindicators.core.stats import QXX, QYX, QYY, WX, WYS, SurveyStats
from mhindicators.errors import EstimationError
from mhindicators.issues import issue

CERTAINTY_F = 1e-7  # R: a stratum with all f < 1e-7 contributes 0 (and is not lonely)


@dataclass
class StrataPlan:
    """Per-stratum variance coefficients after the lonely-PSU policy."""

    n_psu: np.ndarray  # (H,) PSUs (or rows) per stratum in the whole design
    f: np.ndarray  # (H,) 1 - sampling fraction (1 without fpc)
    a: np.ndarray  # (H,) coefficient of the centred sum of squares sum_i (z_hi - zbar_h)^2
    b: np.ndarray  # (H,) coefficient of n_h zbar_h^2 (lonely_psu='adjust': centred at 0)
    lonely: np.ndarray  # (H,) bool: single PSU and f >= 1e-7


def strata_plan(stats: SurveyStats) -> StrataPlan:
    """n_h, f_h and the a_h, b_h coefficients of the design (R `onestrat` semantics)."""
    h = stats.n_strata
    if stats.clustered:
        seen = stats.psu_stratum[stats.psu_stratum >= 0]
        n_psu = np.bincount(seen, minlength=h).astype(np.float64)
    else:
        n_psu = stats.stratum_rows.astype(np.float64)
    f = np.ones(h)
    lo, hi = stats.stratum_fpc
    has = ~np.isnan(lo)
    if has.any():
        if np.any(lo[has] != hi[has]):
            bad = int((lo[has] != hi[has]).sum())
            _fail("MHI362", f"fpc is not constant within {bad} strata")
        if stats.fpc_type == "fraction":
            f[has] = 1.0 - lo[has]
        else:
            if np.any(lo[has] < n_psu[has]):
                _fail("MHI362", "fpc (population size) is smaller than the sample in some strata")
            f[has] = (lo[has] - n_psu[has]) / lo[has]
    multi = n_psu > 1
    a = np.where(multi, f * n_psu / np.where(multi, n_psu - 1, 1), 0.0)
    b = np.zeros(h)
    zero = f < CERTAINTY_F
    a[zero] = 0.0
    lonely = (n_psu == 1) & ~zero
    if stats.lonely_psu == "adjust":
        b = np.where(lonely, f, 0.0)  # uncentred: (sum_i z_hi)^2 with scale f, no n/(n-1)
    return StrataPlan(n_psu=n_psu, f=f, a=a, b=b, lonely=lonely)


def check_lonely(stats: SurveyStats, plan: StrataPlan, present: np.ndarray) -> None:
    """Under lonely_psu='fail', raise naming the lonely strata that a domain touches."""
    if stats.lonely_psu != "fail":
        return
    bad = np.flatnonzero(plan.lonely & present.any(axis=0))
    if bad.size:
        labels = stats.strata_labels
        names = [str(labels[b]) if labels and b < len(labels) else str(b) for b in bad]
        shown = ", ".join(names[:20]) + (" ..." if len(names) > 20 else "")
        msg = f"{bad.size} strata have only one PSU (lonely_psu = 'fail'): {shown}"
        raise EstimationError(msg, [issue("MHI460", msg)])


def average_factor(stats: SurveyStats, plan: StrataPlan, present: np.ndarray) -> np.ndarray:
    """R's `nstrat / nokstrat` under lonely_psu='average' (1 otherwise), per domain."""
    if stats.lonely_psu != "average":
        return np.ones(present.shape[0])
    nstrat = present.sum(axis=1)
    nlonely = (present & plan.lonely).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(nstrat > nlonely, nstrat / np.maximum(nstrat - nlonely, 1), np.nan)


def taylor_variance(
    stats: SurveyStats,
    j: int,
    dom: sp.csr_matrix,
    ratio: np.ndarray,
    xhat: np.ndarray,
    *,
    covariance: bool = False,
    shifted_ratio: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Variance (nd,) and optionally covariance (nd, nd) of the domain estimates of column j.

    ratio: R_d (0 for totals); xhat: X_d (1 for totals). shifted_ratio: R_d - shift computed
    from the shifted sums (more accurate than `ratio - stats.shift[j]` when y has an offset).
    The covariance uses the design's universe (all cells) for R's `average` rescaling, as
    `svyby(covmat = TRUE)` does; its diagonal is the variance.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # non-finite: status MHI440
        return _taylor_variance(stats, j, dom, ratio, xhat, covariance, shifted_ratio)


def _taylor_variance(stats, j, dom, ratio, xhat, covariance, shifted_ratio):
    plan = strata_plan(stats)
    present = (dom @ stats.cs_n[j]) > 0  # (nd, H): stratum has a domain row
    check_lonely(stats, plan, present)
    rs = np.asarray(ratio, dtype=np.float64) - stats.shift[j]
    if shifted_ratio is not None:
        rs = np.asarray(shifted_ratio, dtype=np.float64)
    dom = sp.csr_matrix(dom, dtype=np.float64)
    e = None
    if stats.clustered:
        e = domain_psu_residuals(stats, j, dom, rs)
        ss, tot = _centred_psu(e, plan, dom.shape[0], stats.psu_stratum)
    else:
        ss, tot = _centred_rows(stats, j, dom, rs, plan)
    with np.errstate(divide="ignore", invalid="ignore"):
        num = ss @ plan.a + (tot * tot) @ np.where(plan.b > 0, plan.b / plan.n_psu, 0.0)
        var = num / xhat**2 * average_factor(stats, plan, present)
    cov = None
    if covariance:
        uni = average_factor(stats, plan, present.any(axis=0, keepdims=True))[0]
        cov = _covariance(stats, j, dom, rs, plan, e, tot) * uni
        with np.errstate(divide="ignore", invalid="ignore"):
            cov /= np.outer(xhat, xhat)
            np.fill_diagonal(cov, num / xhat**2 * uni)
    return var, cov


def domain_psu_residuals(stats: SurveyStats, j: int, dom: sp.csr_matrix, rs) -> sp.coo_matrix:
    """(nd, P) sparse e_di = Y'_di - R'_d X_di over the PSUs where domain d has rows.

    Y' and X ride as the real and imaginary parts of one complex sparse product, so both share
    one sparsity pattern (a 0-1 domain matrix multiplies each part exactly)."""
    cell, psu, wy, wx, _ = stats.psu_parts[j]
    p = stats.psu_stratum.size
    m = sp.csr_matrix((wy + 1j * wx, (cell, psu)), shape=(stats.n_cells, p))
    prod = (dom.astype(np.complex128) @ m).tocoo()
    e = prod.data.real - rs[prod.row] * prod.data.imag
    return sp.coo_matrix((e, (prod.row, prod.col)), shape=(dom.shape[0], p))


def _centred_psu(e: sp.coo_matrix, plan: StrataPlan, nd: int, psu_stratum: np.ndarray):
    """Per (domain, stratum): sum_i (e_i - ebar)^2 over all n_h PSUs, and sum_i e_i.

    Centred on a member value r first (dev = (e - r) - (ebar - r)), so PSU totals that are all
    equal give exactly 0, as R's long-double `colMeans` does."""
    h = plan.n_psu.size
    key = e.row.astype(np.int64) * h + psu_stratum[e.col]
    size = nd * h
    cnt = np.bincount(key, minlength=size).astype(np.float64)
    ref = np.zeros(size)
    ref[key] = e.data  # any member of the group will do
    d0 = e.data - ref[key]
    s = np.bincount(key, d0, size)
    nh = np.tile(plan.n_psu, nd)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.where(nh > 0, (s - (nh - cnt) * ref) / nh, 0.0)  # ebar - r
    dev = d0 - corr[key]
    ebar = ref + corr
    ss = np.bincount(key, dev * dev, size) + (nh - cnt) * ebar * ebar
    return ss.reshape(nd, h), (cnt * ref + s).reshape(nd, h)


_PAIR_BLOCK = 4_000_000  # (domain, cell) pairs x strata handled at once


def _centred_rows(stats: SurveyStats, j: int, dom: sp.csr_matrix, rs, plan: StrataPlan):
    """`_centred_psu` for designs whose rows are the PSUs, from the cells' centred co-moments:
    SS = sum_c [M_zz,c + m_c (zbar_c - zbar)^2] + (n_h - m) zbar^2, z = u - R' v."""
    cs, m = stats.cs[j], stats.cs_n[j].astype(np.float64)
    nd, h = dom.shape[0], stats.n_strata
    with np.errstate(divide="ignore", invalid="ignore"):
        ub, vb = np.where(m > 0, cs[WYS] / m, 0.0), np.where(m > 0, cs[WX] / m, 0.0)
    r = rs[:, None]
    quad = (dom @ cs[QYY], 2 * r * (dom @ cs[QYX]), r * r * (dom @ cs[QXX]))
    within = quad[0] - quad[1] + quad[2]  # a PSD form: negative only by rounding
    scale = np.abs(quad[0]) + np.abs(quad[1]) + quad[2]
    within = np.where((within < 0) & (within >= -1e-12 * scale), 0.0, within)
    tot = dom @ cs[WYS] - r * (dom @ cs[WX])
    nh = plan.n_psu[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        zbar = np.where(nh > 0, tot / nh, 0.0)
    rows = np.repeat(np.arange(nd), np.diff(dom.indptr))
    cols = dom.indices
    between = np.zeros((nd, h))
    step = max(1, _PAIR_BLOCK // max(h, 1))
    for lo in range(0, rows.size, step):  # blocks of (domain, cell) pairs, vectorised inside
        rr, cc = rows[lo : lo + step], cols[lo : lo + step]
        dz = ub[cc] - rs[rr, None] * vb[cc] - zbar[rr]
        starts = np.flatnonzero(np.r_[True, rr[1:] != rr[:-1]])  # CSR order: rows contiguous
        between[rr[starts]] += np.add.reduceat(m[cc] * dz * dz, starts, axis=0)
    m_dom = dom @ m
    ss = within + between + (nh - m_dom) * zbar * zbar
    return ss, tot


_DENSE_COV = 20_000_000  # domains x PSUs up to which E diag(a) E' is a dense product


def _covariance(stats, j, dom, rs, plan, e, tot) -> np.ndarray:
    """Numerator of the domain covariance matrix: sum_h a_h sum_i (e_1i - ebar_1h)(e_2i -
    ebar_2h) + lonely terms, from the accurate e (shifted y); tot (nd, H) = sum_i e_i per
    stratum. Centred densely when most domains span most PSUs; otherwise (sparse domains, and
    rows-as-PSU designs) as sum e_1 e_2 - n_h ebar_1 ebar_2, which subtracts. The caller puts
    the centred variance on the diagonal."""
    lonely = np.where(plan.b > 0, plan.b / np.maximum(plan.n_psu, 1), 0.0)
    if stats.clustered:
        ps = stats.psu_stratum
        ap = np.where(ps >= 0, plan.a[np.maximum(ps, 0)], 0.0)  # unused PSU ids weigh 0
        nd, p = e.shape
        if e.nnz > 0.05 * nd * p and nd * p <= _DENSE_COV:  # most domains span most PSUs:
            with np.errstate(divide="ignore", invalid="ignore"):  # centre densely, no subtraction
                ebar = np.where(plan.n_psu > 0, tot / plan.n_psu, 0.0)
            ec = e.toarray() - ebar[:, np.maximum(ps, 0)]
            return (ec * ap) @ ec.T + (tot * lonely) @ tot.T
        e = e.tocsr()
        cross = (e @ sp.diags(ap) @ e.T).toarray()
    else:  # rows as PSUs: sum_c (M_zz,c + m_c zbar_1c zbar_2c), shared cells only
        cs, m = stats.cs[j], stats.cs_n[j].astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            ub, vb = np.where(m > 0, cs[WYS] / m, 0.0), np.where(m > 0, cs[WX] / m, 0.0)
        da = dom.toarray()

        def gram(v):  # sum_h a_h sum_{c in both domains} v_ch
            return (da * (v @ plan.a)) @ da.T

        uu, uv, vv = (
            gram(cs[s] + m * p * q) for s, p, q in ((QYY, ub, ub), (QYX, ub, vb), (QXX, vb, vb))
        )
        r = rs
        cross = uu - r[:, None] * uv - uv * r[None, :] + np.outer(r, r) * vv
    coef = lonely - np.where(plan.n_psu > 0, plan.a / np.maximum(plan.n_psu, 1), 0.0)
    return cross + (tot * coef) @ tot.T


ROUNDING = 1e-12  # |negative variance| below this x the size of its terms is rounding


def variance_root(var, scale) -> np.ndarray:
    """SE from a variance formed as a difference of (co)variances, e.g. V1 + V2 - 2 C12.

    A negative value within rounding (|var| <= ROUNDING * scale, scale the sum of the terms'
    absolute values) is a true 0 and gives SE 0; a larger negative or non-finite value gives
    NaN (status `variance-not-finite`, MHI440), never a silent 0."""
    var, scale = np.asarray(var, dtype=np.float64), np.asarray(scale, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        ok = var >= 0
        rounding = (var < 0) & (var >= -ROUNDING * np.abs(scale))
        return np.where(ok, np.sqrt(np.where(ok, var, 0.0)), np.where(rounding, 0.0, np.nan))


def taylor_df(stats: SurveyStats, j: int, dom: sp.csr_matrix) -> np.ndarray:
    """R `degf(subset(design, domain))`: PSUs minus strata having a non-zero-weight domain row."""
    strata = ((dom @ stats.cs_nz[j]) > 0).sum(axis=1)
    if stats.clustered:
        cell, psu, _, _, nz = stats.psu_parts[j]
        keep = nz > 0
        pres = sp.csr_matrix(
            (np.ones(int(keep.sum())), (cell[keep], psu[keep])),
            shape=(stats.n_cells, stats.psu_stratum.size),
        )
        # entries of dom @ pres are positive counts (no cancellation), so the stored entries
        # per row are the domain's distinct PSUs: no comparison pass over the product
        psus = np.diff((sp.csr_matrix(dom) @ pres).tocsr().indptr)
    else:
        psus = dom @ stats.cs_nz[j].sum(axis=1)
    return np.asarray(psus - strata, dtype=np.float64)
