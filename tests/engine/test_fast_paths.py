"""Fast paths on data shaped like real files (PSU ids within strata, calibrated weights)
against the general code they replaced."""

import numpy as np
import pandas as pd
import pytest

from mhindicators.core.design import SurveyDesign, check_psu_nested, check_weights
from mhindicators.errors import DataError
from mhindicators.pipeline.profile_design import nested_psu_codes


def _nested(rng, n=200_000):
    strata = rng.integers(0, 300, n)
    psu = rng.integers(1, 7, n)  # ids 1..6 restart in every stratum (nest: true)
    w = rng.uniform(50, 400, 300)[strata] * rng.lognormal(0, 0.12, n)  # calibrated
    return strata, psu, w


@pytest.mark.parametrize("kind", ["int", "str", "float"])
def test_nested_psu_codes_equal_the_multiindex_factorisation(kind):
    rng = np.random.default_rng(1)
    strata, psu, _ = _nested(rng)
    raw = pd.Series({"int": psu, "str": psu.astype(str), "float": psu + 0.5}[kind])
    want = pd.factorize(pd.MultiIndex.from_arrays([strata, raw]))[0]
    np.testing.assert_array_equal(nested_psu_codes(strata, raw), want)


def _old_nesting_check(strata, psu):
    p = np.asarray(psu, dtype=np.int64)
    pairs = np.unique(np.asarray(strata, dtype=np.int64) * (int(p.max()) + 1) + p)
    counts = np.bincount(pairs % (int(p.max()) + 1))
    return int((counts > 1).sum())


def test_nesting_check_counts_what_the_sorting_check_counted():
    rng = np.random.default_rng(2)
    strata, psu, _ = _nested(rng)
    codes = nested_psu_codes(strata, pd.Series(psu))
    check_psu_nested(strata, codes)  # nested codes pass
    assert _old_nesting_check(strata, codes) == 0
    with pytest.raises(DataError, match=f"{_old_nesting_check(strata, psu)} PSU ids"):
        check_psu_nested(strata, psu)  # raw ids repeat across strata


def test_weight_levels_of_calibrated_weights_are_none_without_factorising():
    rng = np.random.default_rng(3)
    *_, w = _nested(rng, 400_000)
    assert SurveyDesign(weights=w).weight_levels() is None
    few = np.round(w, -1)  # ~40 distinct values: levels are kept, as before
    ids, values = SurveyDesign(weights=few).weight_levels()
    np.testing.assert_array_equal(values[ids], few)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -1.0])
def test_weight_check_fast_path_still_finds_every_invalid_value(bad):
    w = np.random.default_rng(4).lognormal(4, 0.3, 10_000)
    check_weights(w)
    w[[3, 500]] = bad
    with pytest.raises(DataError, match="2 of 10000 values invalid"):
        check_weights(w)
