"""Replicate-weight reductions for `stats.accumulate`: per-cell sums of w_r * y and w_r * x,
and per-cell Gram matrices of the replicate weights (for R's rank-based `degf`).

Replicate weights are held as one array per replicate (`ReplicateColumns`), so products are
taken one replicate column at a time.

The Gram of a cell, sum_i a_i a_i' over its rows, is built from distinct row patterns when it
can be: replicate weights made from the sampling weights (JK1, JKn, BRR, Fay, bootstrap) are
a_i = w_i * b_p with b_p the same for every row of PSU p, so the Gram is
sum_p (sum_{i in p} w_i^2) b_p b_p' -- a few thousand patterns instead of millions of rows.
Rows are grouped by two random projections of a_i / w_i cut to ~30 significant bits, so rows
whose patterns differ only by the rounding of stored weights group together; a group uses its
first row's pattern. That perturbs the Gram by ~1e-9 relative at most, which cannot change a
rank decided at a 1e-5 tolerance (it is used for the degrees of freedom only, never for
estimates or standard errors); distinct patterns colliding on both projections is vanishingly
unlikely. Calibrated replicate weights (e.g. ACS) do not collapse; they use the row-by-row
Gram.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from mhindicators.core.replicate_columns import ReplicateColumns

_MAX_PATTERN_SHARE = 0.25  # collapse only when patterns are at most this share of the rows
_DROP_BITS = 22


def replicate_products(m: sp.csr_matrix, rw: ReplicateColumns) -> np.ndarray:
    """m (k, n) sparse times the (n, R) replicate weights, one replicate column at a time."""
    out = np.empty((m.shape[0], len(rw.columns)))
    for r, column in enumerate(rw.columns):
        out[:, r] = m @ column
    return out


def gram_by_cell(
    ck: np.ndarray, rw: ReplicateColumns, w: np.ndarray, nc: int, block_rows: int
) -> np.ndarray:
    """sum over the rows of each cell of w_r w_s: (nc, R, R); ck = -1 rows are left out."""
    sel = np.flatnonzero(ck >= 0)
    r = rw.shape[1]
    g = np.zeros((nc, r, r))
    if sel.size == 0:
        return g
    patterns = _patterns(ck, sel, rw, w)
    if patterns is None:
        return _gram_by_rows(ck, rw, nc, block_rows)
    cells, first, mass = patterns
    b = rw.rows(sel[first]) / _nonzero(w[sel[first]])[:, None]
    b *= np.sqrt(mass)[:, None]
    bounds = np.flatnonzero(np.diff(cells)) + 1
    for s0, e0 in zip(np.r_[0, bounds], np.r_[bounds, cells.size], strict=True):
        blk = b[s0:e0]
        g[cells[s0]] = blk.T @ blk
    return g


def _nonzero(w: np.ndarray) -> np.ndarray:
    return np.where(w != 0, w, 1.0)  # rows with w = 0 keep their raw replicate weights


def _patterns(ck, sel, rw, w):
    """(cell, first row, sum of w^2) per distinct (cell, a_i / w_i), sorted by cell; None when
    the rows do not collapse enough to pay off."""
    rng = np.random.default_rng(20260514)  # fixed: the grouping is reproducible
    proj = rw.project(rng.standard_normal((rw.shape[1], 2)))  # (n, 2)
    scale = _nonzero(w[sel])
    h1, h2 = _coarse(proj[sel, 0] / scale), _coarse(proj[sel, 1] / scale)
    c = ck[sel]
    order = np.lexsort((h2, h1, c))
    c, h1, h2 = c[order], h1[order], h2[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (h1[1:] != h1[:-1]) | (h2[1:] != h2[:-1])
    starts = np.flatnonzero(new)
    if starts.size > _MAX_PATTERN_SHARE * order.size:
        return None
    group = np.cumsum(new) - 1
    ws = w[sel[order]]
    ws2 = np.where(ws != 0, ws * ws, 1.0)  # matches b = a (unscaled) for w = 0 rows
    mass = np.bincount(group, ws2, starts.size)
    return c[starts], order[starts], mass


def _coarse(h: np.ndarray) -> np.ndarray:
    """h with its 22 low mantissa bits dropped (~1e-9 relative): rows whose a_i / w_i differ
    only by the rounding of stored weights fall in one group."""
    return np.right_shift(np.ascontiguousarray(h, dtype=np.float64).view(np.int64), _DROP_BITS)


def _gram_by_rows(ck: np.ndarray, rw: ReplicateColumns, nc: int, block_rows: int) -> np.ndarray:
    """sum over rows in each cell of w_r w_s (nc, R, R), in row blocks sorted by cell."""
    r = rw.shape[1]
    g = np.zeros((nc, r, r))
    for start in range(0, ck.size, block_rows):
        cb = ck[start : start + block_rows]
        sel = np.flatnonzero(cb >= 0)
        if sel.size == 0:
            continue
        order = sel[np.argsort(cb[sel], kind="stable")]
        wb = rw.rows(start + order)
        cs = cb[order]
        bounds = np.flatnonzero(np.diff(cs)) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [cs.size]])
        for s0, e0 in zip(starts, ends, strict=True):
            blk = wb[s0:e0]
            g[cs[s0]] += blk.T @ blk
    return g


def accumulate_replicates(stats, design, cells_k, ys, xs, universe_ids, rank_df, block_rows):
    """Fill `stats.rep` (and `rep_pos`, `gram`) from the rows kept by `stats.accumulate`."""
    spec = design.replicates
    rw = spec.weights
    n, r = rw.shape
    nc, k = stats.n_cells, stats.n_cols
    # one sparse (2K*nc x n) matrix: row (2j + 0/1)*nc + cell holds y or x of the rows
    rows, cols, vals = [], [], []
    for j, (ck, y, x) in enumerate(zip(cells_k, ys, xs, strict=True)):
        sel = np.flatnonzero(ck >= 0)
        rows += [(2 * j) * nc + ck[sel], (2 * j + 1) * nc + ck[sel]]
        cols += [sel, sel]
        vals += [y[sel], x[sel]]
    m = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(2 * k * nc, n)
    )
    stats.rep = replicate_products(m, rw).reshape(k, 2, nc, r)
    if rw.any_negative():  # e.g. successive-difference weights
        stats.rep_pos = replicate_products(m, rw.positive_part()).reshape(k, 2, nc, r)
    stats.rep_meta = {
        "type": spec.type,
        "scale": spec.scale,
        "rscales": spec.rscales,
        "mse": spec.mse,
        "df": spec.df,
    }
    if not rank_df or spec.df is not None:
        return
    grams, seen = [], {}
    for ck, uid in zip(cells_k, universe_ids, strict=True):
        if uid not in seen:
            seen[uid] = gram_by_cell(ck, rw, design.weights, nc, block_rows)
        grams.append(seen[uid])
    stats.gram = grams
