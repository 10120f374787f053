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

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from mhindicators.core.replicate_columns import ReplicateColumns

_MAX_PATTERN_SHARE = 0.25  # collapse only when patterns are at most this share of the rows
_DROP_BITS = 22
_PROBE_ROWS = 65_536  # head sample deciding whether rows can collapse at all
_PROBE_DISTINCT = 0.9  # ... they cannot when this share of the sample is distinct patterns
_GRAM_BLOCK = 65_536  # rows per gathered block of the row-by-row Gram


def gram_by_cell(
    ck: np.ndarray, rw: ReplicateColumns, w: np.ndarray, nc: int, block_rows: int
) -> np.ndarray:
    """sum over the rows of each cell of w_r w_s: (nc, R, R); ck = -1 rows are left out.

    BLAS runs on one thread here: hundreds of mid-sized products per call, and a second
    OpenBLAS thread that has to wait for a busy core made them 10x slower on a shared
    2-core machine (see docs/performance.md)."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _gram_by_cell(ck, rw, w, nc, block_rows)


def _gram_by_cell(ck, rw, w, nc, block_rows):
    sel = np.flatnonzero(ck >= 0)
    r = rw.shape[1]
    g = np.zeros((nc, r, r))
    if sel.size == 0:
        return g
    if _rows_distinct(ck, sel, rw, w):
        return _gram_by_rows(ck, rw, nc, block_rows)
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


def _projection(r: int) -> np.ndarray:
    """The two random directions rows are grouped by (fixed: the grouping is reproducible)."""
    return np.random.default_rng(20260514).standard_normal((r, 2))


def _rows_distinct(ck, sel, rw, w) -> bool:
    """True when the first `_PROBE_ROWS` rows of the universe are nearly all distinct
    patterns (e.g. calibrated replicate weights): then the whole file will not collapse
    either, and projecting every row only to find that out (~1 s per 1M rows x 80
    replicates) is skipped. Rows of a file come grouped by stratum and PSU, so a head sample
    of collapsing weights repeats patterns; it decides the path only, never the sums."""
    if sel.size <= _PROBE_ROWS:
        return False
    head = sel[:_PROBE_ROWS]
    proj = rw.rows_t(head).T @ _projection(rw.shape[1])
    scale = _nonzero(w[head])
    key = np.stack([ck[head], _coarse(proj[:, 0] / scale), _coarse(proj[:, 1] / scale)])
    distinct = np.unique(key, axis=1).shape[1]
    return distinct > _PROBE_DISTINCT * head.size


def _patterns(ck, sel, rw, w):
    """(cell, first row, sum of w^2) per distinct (cell, a_i / w_i), sorted by cell; None when
    the rows do not collapse enough to pay off."""
    proj = rw.project(_projection(rw.shape[1]))  # (n, 2)
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
    """sum over rows in each cell of w_r w_s (nc, R, R), in row blocks sorted by cell.

    Blocks of at most `_GRAM_BLOCK` rows are gathered replicate by replicate into an (R, m)
    array (contiguous writes; it stays in cache for the products)."""
    r = rw.shape[1]
    g = np.zeros((nc, r, r))
    step = min(block_rows, _GRAM_BLOCK)
    for start in range(0, ck.size, step):
        cb = ck[start : start + step]
        sel = np.flatnonzero(cb >= 0)
        if sel.size == 0:
            continue
        order = sel[np.argsort(cb[sel], kind="stable")]
        wt = rw.rows_t(start + order)  # (R, m)
        cs = cb[order]
        bounds = np.flatnonzero(np.diff(cs)) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [cs.size]])
        for s0, e0 in zip(starts, ends, strict=True):
            blk = wt[:, s0:e0]
            g[cs[s0]] += blk @ blk.T
    return g


def replicate_sums(cells_k, ys, xs, rw: ReplicateColumns, nc: int) -> np.ndarray:
    """(K, 2, nc, R) sums by cell of w_r * y and w_r * x for each column (cell -1: left out).

    One pass over each replicate column for all K columns, by bincount on cell + 1 (slot 0
    collects the rows outside the universe): no gather of the rows, no (2K nc x n) sparse
    matrix. A 0/1 y with x = 1 (a proportion) needs no product at all: w_r summed by
    (cell, y) and by cell. Sums run in row order, as the sparse products did, so the results
    are the same to the last bit."""
    k, r = len(cells_k), rw.shape[1]
    out = np.zeros((k, 2, nc, r))
    # (key, y, x): y None = a 0/1 y folded into the key; x None = 1
    plans: list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None]] = []
    for ck, y, x in zip(cells_k, ys, xs, strict=True):
        c1 = ck + 1
        inside = ck >= 0
        y = np.where(inside, y, 0.0)  # rows outside the universe may hold NaN
        if x is None and bool(np.all((y == 0) | (y == 1))):
            plans.append((c1 * 2 + y.astype(np.int64), None, None))
        else:
            plans.append((c1, y, None if x is None else np.where(inside, x, 0.0)))
    for i, column in enumerate(rw.columns):
        for j, (key, y, x) in enumerate(plans):
            if y is None:  # key = 2 (cell + 1) + y; x: by cell, summed in the same row order
                both = np.bincount(key, column, 2 * (nc + 1)).reshape(nc + 1, 2)
                out[j, 0, :, i] = both[1:, 1]
                out[j, 1, :, i] = np.bincount(key >> 1, column, nc + 1)[1:]
            else:
                out[j, 0, :, i] = np.bincount(key, column * y, nc + 1)[1:]
                wx = column if x is None else column * x
                out[j, 1, :, i] = np.bincount(key, wx, nc + 1)[1:]
    return out


def accumulate_replicates(stats, design, cells_k, ys, xs, universe_ids, rank_df, block_rows):
    """Fill `stats.rep` (and `rep_pos`, `gram`) from the rows kept by `stats.accumulate`
    (xs: None where x = 1).

    The Grams (R's rank-based df) are built on a second thread while this one forms the
    replicate sums: both are column passes that release the GIL for most of their time, and
    the Grams cost about twice the sums (1M rows x 80 replicates: 0.7 s and 0.35 s)."""
    spec = design.replicates
    rw = spec.weights
    nc = stats.n_cells
    stats.rep_meta = {
        "type": spec.type,
        "scale": spec.scale,
        "rscales": spec.rscales,
        "mse": spec.mse,
        "df": spec.df,
    }
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mhi-gram") as pool:
        grams = None
        if rank_df and spec.df is None:
            args = (cells_k, universe_ids, rw, design.weights, nc, block_rows)
            grams = pool.submit(_grams_by_universe, *args)
        stats.rep = replicate_sums(cells_k, ys, xs, rw, nc)
        if rw.any_negative():  # e.g. successive-difference weights
            stats.rep_pos = replicate_sums(cells_k, ys, xs, rw.positive_part(), nc)
        if grams is not None:
            stats.gram = grams.result()


def _grams_by_universe(cells_k, universe_ids, rw, w, nc, block_rows) -> list[np.ndarray]:
    """One `gram_by_cell` per column; columns of one universe share theirs."""
    grams, seen = [], {}
    for ck, uid in zip(cells_k, universe_ids, strict=True):
        if uid not in seen:
            seen[uid] = gram_by_cell(ck, rw, w, nc, block_rows)
        grams.append(seen[uid])
    return grams
