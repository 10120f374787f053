"""Taylor-linearization variance of domain ratios and totals from `SurveyStats`.

Matches R `survey`'s `svyrecvar` (ultimate-cluster, first stage) for a domain estimated with
`svyby` / `subset`: z_hi = sum_{k in PSU hi, domain} w_k (y_k - R x_k) / X; per stratum
V_h = a_h * sum_i (z_hi - zbar_h)^2 with a_h = f_h n_h/(n_h - 1), every PSU of the design
counted (PSUs without domain members contribute z = 0). The sums of squares are assembled from
cell-level cross-product matrices, so no domain x PSU array is ever built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mhindicators.engine.design import _fail
from mhindicators.engine.stats import QXX, QYX, QYY, WX, WY, SurveyStats
from mhindicators.errors import EstimationError
from mhindicators.issues import issue

CERTAINTY_F = 1e-7  # R: a stratum with all f < 1e-7 contributes 0 (and is not lonely)


@dataclass
class StrataPlan:
    """Per-stratum variance coefficients after the lonely-PSU policy."""

    n_psu: np.ndarray  # (H,) PSUs (or rows) per stratum in the whole design
    f: np.ndarray  # (H,) 1 - sampling fraction (1 without fpc)
    a: np.ndarray  # (H,) coefficient of sum_i z_hi^2
    c: np.ndarray  # (H,) coefficient of (sum_i z_hi)^2
    lonely: np.ndarray  # (H,) bool: single PSU and f >= 1e-7


def strata_plan(stats: SurveyStats) -> StrataPlan:
    """n_h, f_h and the a_h, c_h coefficients of the design (R `onestrat` semantics)."""
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
    c = np.where(multi, a / np.where(multi, n_psu, 1), 0.0)
    zero = f < CERTAINTY_F
    a[zero] = c[zero] = 0.0
    lonely = (n_psu == 1) & ~zero
    if stats.lonely_psu == "adjust":
        a = np.where(lonely, f, a)  # uncentred: (sum_i z_hi)^2 with scale f, no n/(n-1)
    return StrataPlan(n_psu=n_psu, f=f, a=a, c=c, lonely=lonely)


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


@dataclass
class CellMoments:
    """Cell-level cross products: P_uv = sum_i a_h(i) U_i V_i^T and stratum totals T_u."""

    pyy: np.ndarray
    pyx: np.ndarray
    pxx: np.ndarray
    ty: np.ndarray  # (nc, H)
    tx: np.ndarray


def cell_moments(stats: SurveyStats, j: int, plan: StrataPlan) -> CellMoments:
    """Build the (nc x nc) cross-product matrices of column j."""
    nc, h = stats.n_cells, stats.n_strata
    if stats.clustered:
        cell, psu, wy, wx, _ = stats.psu_parts[j]
        p = stats.psu_stratum.size
        ym = sp.csr_matrix((wy, (cell, psu)), shape=(nc, p))
        xm = sp.csr_matrix((wx, (cell, psu)), shape=(nc, p))
        pst = np.maximum(stats.psu_stratum, 0)
        ap = sp.diags(plan.a[pst])
        onehot = sp.csr_matrix((np.ones(p), (np.arange(p), pst)), shape=(p, h))
        ty, tx = (ym @ onehot).toarray(), (xm @ onehot).toarray()
        pyy = (ym @ ap @ ym.T).toarray()
        pyx = (ym @ ap @ xm.T).toarray()
        pxx = (xm @ ap @ xm.T).toarray()
    else:
        cs = stats.cs[j]
        pyy, pyx, pxx = (np.diag(cs[s] @ plan.a) for s in (QYY, QYX, QXX))
        ty, tx = cs[WY], cs[WX]
    return CellMoments(pyy, pyx, pxx, ty, tx)


def _average_factor(stats: SurveyStats, plan: StrataPlan, present: np.ndarray) -> np.ndarray:
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
) -> tuple[np.ndarray, np.ndarray | None]:
    """Variance (nd,) and optionally covariance (nd, nd) of the domain estimates of column j.

    ratio: R_d (0 for totals); xhat: X_d (1 for totals). The covariance uses the design's
    universe (all cells) for R's `average` rescaling, as `svyby(covmat = TRUE)` does.
    """
    plan = strata_plan(stats)
    present = (dom @ stats.cs_n[j]) > 0  # (nd, H): stratum has a domain row
    check_lonely(stats, plan, present)
    m = cell_moments(stats, j, plan)
    d = dom
    dy, dx = d @ m.ty, d @ m.tx  # (nd, H)
    e = dy - ratio[:, None] * dx
    dpyy, dpyx, dpxx = d @ m.pyy, d @ m.pyx, d @ m.pxx  # (nd, nc)
    da = d.toarray() if sp.issparse(d) else np.asarray(d)
    quad = (dpyy * da).sum(1) - 2 * ratio * (dpyx * da).sum(1) + ratio**2 * (dpxx * da).sum(1)
    num = quad - (e * e) @ plan.c
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.maximum(num, 0.0) / xhat**2 * _average_factor(stats, plan, present)
    cov = None
    if covariance:
        ayy, ayx, axx = dpyy @ da.T, dpyx @ da.T, dpxx @ da.T
        r = ratio
        n2 = ayy - ayx * r[None, :] - ayx.T * r[:, None] + axx * np.outer(r, r)
        n2 = n2 - (e * plan.c) @ e.T
        uni = present.any(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = n2 / np.outer(xhat, xhat) * _average_factor(stats, plan, uni)[0]
    return var, cov


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
