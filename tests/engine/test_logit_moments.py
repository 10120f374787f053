"""Moments for the logit CI: by weight level (few distinct weights) vs row by row."""

import numpy as np

from mhindicators.engine.stats import _logit_moments, _logit_moments_by_level


def test_logit_moments_by_weight_level_equal_the_row_moments():
    rng = np.random.default_rng(11)
    levels = np.r_[0.0, rng.uniform(1, 900, 40)]  # includes a zero weight
    level = rng.integers(0, levels.size, 5000)
    cell = rng.integers(0, 6, 5000)
    y = rng.integers(0, 2, 5000).astype(np.float64)
    by_row = _logit_moments(cell, y, levels[level], 6)
    by_level = _logit_moments_by_level(cell, y, level, levels, 6)
    for a, b in zip(by_row[:3], by_level[:3], strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(by_level[3], by_row[3], rtol=1e-9, atol=1e-9)
