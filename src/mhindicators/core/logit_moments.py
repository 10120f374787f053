"""What R's `svyciprop(method = "logit")` needs beyond plain sums, kept additively.

R fits `svyglm(y ~ 1, family = quasibinomial)`; its first IRLS step depends on every row through
mustart = (a y + 0.5)/(a + 1) with a = w / (mean weight of the domain), a constant known only
once the domain is, so no finite set of plain sums gives it exactly. We keep, by cell x y x
weight bin (bins of relative width <= 1/32 on a fixed grid, so chunks add), the count and the
sums of d, d^2, d^3 with d = w - bin centre; `replicates.glm_logit_start` turns them into a
two-node Gauss rule per bin (exact for cubics in d).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LOGIT_BITS = 5  # weight bins: exponent + this many mantissa bits
_LOGIT_SHIFT = 52 - LOGIT_BITS
_DENSE_KEYS = 20_000_000  # above this many cell x y x bin keys, group by sorting instead
# rows per pass of the dense path: temporaries of a few MB, reused from pass to pass, instead
# of six arrays of the column's length (fresh pages cost more than the arithmetic on them)
_ROWS_PER_PASS = 1 << 20


def merge_logit(pa, pb, k):
    """Per-column logit parts of two chunks, summed (None where either lacks them)."""
    pa = pa if pa is not None else [None] * k
    pb = pb if pb is not None else [None] * k
    out = []
    for u, v in zip(pa, pb, strict=True):
        if u is None or v is None:
            out.append(None)
            continue
        cell, yb, bins = (np.concatenate([s, t]) for s, t in zip(u[:3], v[:3], strict=True))
        out.append(_reduce_logit(cell, yb, bins, np.concatenate([u[3], v[3]], axis=1)))
    return out


def _reduce_logit(cell, yb, bins, mom):
    """Sum duplicate (cell, y, bin) keys (sorted by cell, y, bin). Hashing one int64 key
    (bins numbered in sorted order first) instead of np.unique over key columns, which sorts
    structured rows: row batches merge these parts once per batch."""
    if cell.size == 0:
        return cell, yb, bins, mom
    bin_code, bin_values = pd.factorize(bins, sort=True)
    nb = bin_values.size
    key = (np.asarray(cell, dtype=np.int64) * 2 + yb) * nb + bin_code
    inv, keys = pd.factorize(key, sort=True)
    m = keys.size
    cy, bc = np.divmod(keys, nb)
    cc, yy = np.divmod(cy, 2)
    return cc, yy, np.asarray(bin_values)[bc], np.stack([np.bincount(inv, r, m) for r in mom])


def logit_bin_centre(bins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre and half-width of weight bins (float64 values sharing exponent and top
    `LOGIT_BITS` mantissa bits)."""
    lo = np.left_shift(bins, _LOGIT_SHIFT).view(np.float64)
    centre = _centres(bins)
    return centre, centre - lo


def logit_moments(cell, y, w, n_cells):
    """Count and sums of d, d^2, d^3 (d = w - bin centre) by cell x y x weight bin.

    Bins are the float64 bit patterns of w cut after `LOGIT_BITS` mantissa bits (relative width
    at most 2^-LOGIT_BITS, the same grid for every chunk); d is exact (same binade). Rows with
    w = 0 are left out: R gives them mustart 0.5 and prior weight 0, so they add nothing to the
    first IRLS step or the deviance (they do count in the mean weight).
    """
    pos = w > 0
    if not pos.all():
        cell, y, w = cell[pos], y[pos], w[pos]
    if cell.size == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z, np.zeros((4, 0))
    b0, b1 = _bins(np.array([w.min(), w.max()])).tolist()  # bins grow with (positive) w
    nb = b1 - b0 + 1
    size = n_cells * 2 * nb
    if size > _DENSE_KEYS:
        bins = _bins(w)
        d = w - _centres(bins)
        d2 = d * d
        mom = np.stack([np.ones(cell.size), d, d2, d2 * d])
        return _reduce_logit(cell, y.astype(np.int64), bins, mom)
    sums = np.zeros((4, size))
    for start in range(0, cell.size, _ROWS_PER_PASS):
        part = slice(start, start + _ROWS_PER_PASS)
        _add_moments(sums, cell[part], y[part], w[part], b0, nb)
    keep = np.flatnonzero(sums[0])
    cy, bk = np.divmod(keep, nb)
    cc, yy = np.divmod(cy, 2)
    return cc, yy, bk + b0, sums[:, keep]


def _add_moments(sums, cell, y, w, b0, nb) -> None:
    """Add one run of rows' count and sums of d, d^2, d^3 into the dense (4, size) `sums`."""
    size = sums.shape[1]
    bins = _bins(w)
    d = w - _centres(bins)
    key = y.astype(np.int64)
    key *= nb
    key += bins
    key -= b0
    key += cell * (2 * nb)  # (cell, y, bin - b0)
    sums[0] += np.bincount(key, minlength=size)
    sums[1] += np.bincount(key, d, size)
    d2 = d * d
    sums[2] += np.bincount(key, d2, size)
    d2 *= d
    sums[3] += np.bincount(key, d2, size)


def _bins(w: np.ndarray) -> np.ndarray:
    """The weight bin of each (positive) w: its bits after the top `LOGIT_BITS` of mantissa."""
    return np.right_shift(np.ascontiguousarray(w, dtype=np.float64).view(np.int64), _LOGIT_SHIFT)


def _centres(bins: np.ndarray) -> np.ndarray:
    centre = np.left_shift(bins, _LOGIT_SHIFT)
    centre |= 1 << (_LOGIT_SHIFT - 1)
    return centre.view(np.float64)


def logit_moments_by_level(cell, y, level, weights, n_cells):
    """`logit_moments` for weights that take few distinct values: count rows by cell x y x
    weight level (one bincount), then moments per level as count * d^k."""
    u = weights.size
    key = (cell * 2 + y.astype(np.int64)) * u + level
    size = n_cells * 2 * u
    if size > _DENSE_KEYS:
        return logit_moments(cell, y, weights[level], n_cells)
    cnt = np.bincount(key, minlength=size)
    keep = np.flatnonzero(cnt)
    cy, lv = np.divmod(keep, u)
    cc, yy = np.divmod(cy, 2)
    w = weights[lv]
    pos = w > 0  # zero weights add nothing (see `logit_moments`)
    cc, yy, lv, w, count = cc[pos], yy[pos], lv[pos], w[pos], cnt[keep][pos].astype(np.float64)
    bins = _bins(w)
    d = w - _centres(bins)
    mom = np.stack([count, count * d, count * d * d, count * d * d * d])
    return _reduce_logit(cc, yy, bins, mom)
