"""Sufficient-statistic helpers: logit-CI moments by weight level, cell x PSU sums."""

import numpy as np

from mhindicators.core.logit_moments import logit_moments, logit_moments_by_level


def test_logit_moments_by_weight_level_equal_the_row_moments():
    rng = np.random.default_rng(11)
    levels = np.r_[0.0, rng.uniform(1, 900, 40)]  # includes a zero weight
    level = rng.integers(0, levels.size, 5000)
    cell = rng.integers(0, 6, 5000)
    y = rng.integers(0, 2, 5000).astype(np.float64)
    by_row = logit_moments(cell, y, levels[level], 6)
    by_level = logit_moments_by_level(cell, y, level, levels, 6)
    for a, b in zip(by_row[:3], by_level[:3], strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(by_level[3], by_row[3], rtol=1e-9, atol=1e-9)


def test_cell_psu_sums_dense_and_hashed_agree():
    from mhindicators.core.stats import _group_cell_psu, _reduce_parts

    rng = np.random.default_rng(5)
    n = 3000
    cell, psu = rng.integers(0, 7, n), rng.integers(0, 400, n)
    wy, wx, nz = rng.random(n), rng.random(n), np.ones(n)
    dense = _group_cell_psu(cell, psu, 7, wy, wx, None)  # 2,800 keys: dense
    hashed = _reduce_parts(cell, psu, wy, wx, nz)
    for a, b in zip(dense, hashed, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_nullable_outcomes_with_missing_values_are_a_data_error():
    import pandas as pd
    import pytest

    from mhindicators.core.design import SurveyDesign
    from mhindicators.core.stats import Column, accumulate
    from mhindicators.errors import DataError

    design = SurveyDesign(np.ones(4), None, None, None, "adjust")
    y = pd.array([True, None, False, True], dtype="boolean")
    with pytest.raises(DataError, match="1 missing"):
        accumulate(design, np.zeros(4, dtype=int), 1, [Column(y, None, None)])


def test_weight_levels_follow_replaced_weights():
    from mhindicators.core.design import SurveyDesign

    design = SurveyDesign(np.array([1.0, 1.0, 2.0, 2.0, 2.0, 1.0, 1.0, 2.0]))
    assert list(design.weight_levels()[1]) == [1.0, 2.0]
    design.weights = np.array([3.0, 3.0, 4.0, 4.0, 4.0, 3.0, 3.0, 4.0])
    assert list(design.weight_levels()[1]) == [3.0, 4.0]


def test_logit_moments_in_passes_equal_one_pass_and_the_hashed_path(monkeypatch):
    """The dense path sums runs of rows (small temporaries); the runs must add up to the
    moments of all rows, and to the hashed path's (wide weight ranges)."""
    from mhindicators.core import logit_moments as lm

    rng = np.random.default_rng(3)
    n = 10_000
    w = np.exp(rng.normal(5, 1.5, n))  # calibrated weights over several binades
    w[:7] = 0.0  # zero weights leave the moments
    cell, y = rng.integers(0, 9, n), rng.integers(0, 2, n).astype(np.float64)
    one = lm.logit_moments(cell, y, w, 9)
    monkeypatch.setattr(lm, "_ROWS_PER_PASS", 999)  # 11 passes, the last one short
    runs = lm.logit_moments(cell, y, w, 9)
    monkeypatch.setattr(lm, "_DENSE_KEYS", 0)  # every key hashed, in one pass
    hashed = lm.logit_moments(cell, y, w, 9)
    for other in (runs, hashed):
        for a, b in zip(one[:3], other[:3], strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(other[3], one[3], rtol=1e-12, atol=1e-12 * w.max() ** 3)
    assert one[3][0].sum() == n - 7
