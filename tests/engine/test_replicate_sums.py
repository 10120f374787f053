"""Replicate-weight reductions: products and per-cell Grams, pattern path vs row path."""

import numpy as np
import scipy.sparse as sp

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
    m = sp.random(9, rw.shape[0], density=0.1, random_state=3, format="csr")
    np.testing.assert_allclose(rs.replicate_products(m, cols), m.toarray() @ rw, rtol=1e-12)
    got = rs.gram_by_cell(cells, cols, w, 5, block_rows=100)
    want = np.stack([rw[cells == c].T @ rw[cells == c] for c in range(5)])
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * np.abs(want).max())
