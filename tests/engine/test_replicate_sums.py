"""Replicate-weight reductions: products and per-cell Grams, pattern path vs row path."""

import numpy as np

from mhindicators.core import replicate_sums as rs
from mhindicators.core.replicate_columns import ReplicateColumns
from mhindicators.core.replicates import gram_rank


def _jk1_like(rng, n_psu=40, rows_per_psu=30, n_rep=12):
    psu = np.repeat(np.arange(n_psu), rows_per_psu)
    w = rng.uniform(50, 500, psu.size).round(2)
    factor = rng.choice([0.0, 1.0, 1.05], size=(n_psu, n_rep))
    rw = (w[:, None] * factor[psu]).round(4)  # stored weights: rounded, as in a file
    w[::97] = 0.0  # rows with a zero sampling weight keep their raw replicate pattern
    cells = rng.integers(-1, 5, psu.size)
    return cells, ReplicateColumns.from_matrix(rw), w


def test_pattern_gram_equals_row_gram():
    rng = np.random.default_rng(7)
    cells, rw, w = _jk1_like(rng)
    assert rs._patterns(cells, np.flatnonzero(cells >= 0), rw, w) is not None
    got = rs.gram_by_cell(cells, rw, w, 5, block_rows=100)
    want = rs._gram_by_rows(cells, rw, 5, block_rows=100)
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-6 * np.abs(want).max())
    np.testing.assert_array_equal(gram_rank(got), gram_rank(want))


def test_rows_that_do_not_collapse_use_the_row_gram():
    rng = np.random.default_rng(3)
    rw = rng.uniform(10, 20, size=(400, 8))  # calibrated: every row its own pattern
    cols = ReplicateColumns.from_matrix(rw)
    w = rng.uniform(10, 20, 400)
    cells = rng.integers(0, 3, 400)
    assert rs._patterns(cells, np.arange(400), cols, w) is None
    got = rs.gram_by_cell(cells, cols, w, 3, block_rows=64)
    want = np.stack([rw[cells == c].T @ rw[cells == c] for c in range(3)])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_replicate_columns_give_what_the_matrix_gives():
    rng = np.random.default_rng(9)
    cells, cols, w = _jk1_like(rng)
    rw = np.asarray(cols) - 30.0  # some negative weights, as successive-difference ones
    cols = ReplicateColumns.from_matrix(rw)
    assert cols.shape == rw.shape and cols.any_negative()
    np.testing.assert_array_equal(np.asarray(cols), rw)
    np.testing.assert_array_equal(np.asarray(cols.positive_part()), np.maximum(rw, 0))
    mat = rng.normal(size=(rw.shape[1], 2))
    np.testing.assert_allclose(cols.project(mat), rw @ mat, rtol=1e-12, atol=1e-9)
    idx = np.array([5, 0, 17])
    np.testing.assert_array_equal(cols.rows(idx), rw[idx])
    got = rs.gram_by_cell(cells, cols, w, 5, block_rows=100)
    want = np.stack([rw[cells == c].T @ rw[cells == c] for c in range(5)])
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * np.abs(want).max())


def _sparse_products(cells_k, ys, xs, cols, nc):
    """The former general path: one sparse (2K nc x n) matrix times each replicate column."""
    import scipy.sparse as sp

    n = cols.shape[0]
    rows, idx, vals = [], [], []
    for j, (ck, y, x) in enumerate(zip(cells_k, ys, xs, strict=True)):
        sel = np.flatnonzero(ck >= 0)
        rows += [(2 * j) * nc + ck[sel], (2 * j + 1) * nc + ck[sel]]
        idx += [sel, sel]
        vals += [y[sel], np.ones(sel.size) if x is None else x[sel]]
    m = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(idx))),
        shape=(2 * len(cells_k) * nc, n),
    )
    out = np.stack([m @ c for c in cols.columns], axis=1)
    return out.reshape(len(cells_k), 2, nc, cols.shape[1])


def _realistic(rng, n=80_000, n_rep=16):
    """Rows as real files have them: PSUs within strata, calibrated (continuous) weights,
    replicate weights = w x JK1 factor x a per-row recalibration factor."""
    psu = np.sort(rng.integers(0, 300, n))
    w = rng.uniform(50, 400, 300)[psu] * rng.lognormal(0, 0.12, n)
    factor = np.full((300, n_rep), n_rep / (n_rep - 1))
    factor[np.arange(300), rng.integers(0, n_rep, 300)] = 0.0
    rw = w[:, None] * factor[psu] * rng.lognormal(0, 0.03, (n, n_rep))
    cells = rng.integers(-1, 14, n)
    return cells, ReplicateColumns.from_matrix(rw), w


def test_replicate_sums_equal_the_sparse_products_on_realistic_rows():
    rng = np.random.default_rng(11)
    cells, cols, _ = _realistic(rng)
    y01 = (rng.random(cells.size) < 0.8).astype(np.float64)
    y01[cells < 0] = np.nan  # outside the universe a value may be missing
    ycont = rng.normal(50, 10, cells.size)
    x = rng.uniform(1, 3, cells.size)
    other = np.where(rng.random(cells.size) < 0.3, -1, cells)
    cells_k, ys, xs = [cells, other, cells], [y01, ycont, ycont], [None, None, x]
    got = rs.replicate_sums(cells_k, ys, xs, cols, 14)
    want = _sparse_products(cells_k, ys, xs, cols, 14)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_array_equal(got[0], want[0])  # a proportion: same sums, same order


def test_rows_that_cannot_collapse_skip_the_pattern_search_and_match_the_row_gram():
    rng = np.random.default_rng(12)
    cells, cols, w = _realistic(rng)
    sel = np.flatnonzero(cells >= 0)
    assert sel.size > rs._PROBE_ROWS and rs._rows_distinct(cells, sel, cols, w)
    got = rs.gram_by_cell(cells, cols, w, 14, block_rows=262_144)
    rw = np.asarray(cols)
    want = np.stack([rw[cells == c].T @ rw[cells == c] for c in range(14)])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_rows_that_collapse_still_take_the_pattern_path():
    rng = np.random.default_rng(13)
    cells, rw, w = _jk1_like(rng, n_psu=400, rows_per_psu=200)
    sel = np.flatnonzero(cells >= 0)
    assert sel.size > rs._PROBE_ROWS and not rs._rows_distinct(cells, sel, rw, w)
    assert rs._patterns(cells, sel, rw, w) is not None
