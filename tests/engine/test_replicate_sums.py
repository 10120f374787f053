"""Replicate-weight reductions: products and per-cell Grams, pattern path vs row path."""

import numpy as np
import scipy.sparse as sp

from mhindicators.engine import replicate_sums as rs
from mhindicators.engine.replicates import gram_rank


def _jk1_like(rng, n_psu=40, rows_per_psu=30, n_rep=12):
    psu = np.repeat(np.arange(n_psu), rows_per_psu)
    w = rng.uniform(50, 500, psu.size).round(2)
    factor = rng.choice([0.0, 1.0, 1.05], size=(n_psu, n_rep))
    rw = (w[:, None] * factor[psu]).round(4)  # stored weights: rounded, as in a file
    w[::97] = 0.0  # rows with a zero sampling weight keep their raw replicate pattern
    cells = rng.integers(-1, 5, psu.size)
    return cells, np.asfortranarray(rw), w


def test_pattern_gram_equals_row_gram():
    rng = np.random.default_rng(7)
    cells, rw, w = _jk1_like(rng)
    assert rs._patterns(cells, np.flatnonzero(cells >= 0), rw, w) is not None
    got = rs.gram_by_cell(cells, rw, w, 5, block_rows=100)
    want = rs._gram_by_rows(cells, np.ascontiguousarray(rw), 5, block_rows=100)
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-6 * np.abs(want).max())
    np.testing.assert_array_equal(gram_rank(got), gram_rank(want))


def test_rows_that_do_not_collapse_use_the_row_gram():
    rng = np.random.default_rng(3)
    rw = rng.uniform(10, 20, size=(400, 8))  # calibrated: every row its own pattern
    w = rng.uniform(10, 20, 400)
    cells = rng.integers(0, 3, 400)
    assert rs._patterns(cells, np.arange(400), rw, w) is None
    got = rs.gram_by_cell(cells, rw, w, 3, block_rows=64)
    want = np.stack([rw[cells == c].T @ rw[cells == c] for c in range(3)])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_products_do_not_depend_on_the_memory_layout():
    rng = np.random.default_rng(1)
    rw = rng.normal(size=(300, 9))
    m = sp.random(7, 300, density=0.2, random_state=2, format="csr")
    c_order = rs.replicate_products(m, np.ascontiguousarray(rw))
    f_order = rs.replicate_products(m, np.asfortranarray(rw))
    np.testing.assert_allclose(f_order, c_order, rtol=1e-12)
    np.testing.assert_allclose(c_order, m.toarray() @ rw, rtol=1e-12)


def test_replicate_columns_give_what_the_matrix_gives():
    from mhindicators.engine.replicate_columns import (
        ReplicateColumns,
        any_negative,
        positive_part,
        project,
    )

    rng = np.random.default_rng(9)
    cells, rw, w = _jk1_like(rng)
    rw = np.asarray(rw) - 30.0  # some negative weights, as successive-difference ones
    cols = ReplicateColumns([rw[:, r] for r in range(rw.shape[1])])
    assert cols.shape == rw.shape and any_negative(cols) and any_negative(rw)
    np.testing.assert_array_equal(np.asarray(cols), rw)
    np.testing.assert_array_equal(np.asarray(positive_part(cols)), np.maximum(rw, 0))
    mat = rng.normal(size=(rw.shape[1], 2))
    np.testing.assert_allclose(project(cols, mat), rw @ mat, rtol=1e-12, atol=1e-9)
    idx = np.array([5, 0, 17])
    np.testing.assert_array_equal(cols.rows(idx), rw[idx])
    m = sp.random(9, rw.shape[0], density=0.1, random_state=3, format="csr")
    np.testing.assert_allclose(
        rs.replicate_products(m, cols), rs.replicate_products(m, rw), rtol=1e-12
    )
    got = rs.gram_by_cell(cells, cols, w, 5, block_rows=100)
    np.testing.assert_allclose(got, rs.gram_by_cell(cells, rw, w, 5, block_rows=100), rtol=1e-9)
