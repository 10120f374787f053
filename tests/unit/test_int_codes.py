"""Small-integer factor codes equal pd.factorize(sort=True); other arrays are left to it."""

import numpy as np
import pandas as pd
import pytest

from mhindicators.core.int_codes import small_int_codes

SIGNED = [np.int8, np.int16, np.int32, np.int64]
CASES = [(t, o) for t in SIGNED for o in (0, 7, -3)] + [(np.uint8, 0), (np.uint16, 7)]


@pytest.mark.parametrize(("dtype", "offset"), CASES)
def test_codes_and_uniques_are_those_of_a_sorted_factorize(dtype, offset):
    values = (np.random.default_rng(1).integers(0, 40, 2000) + offset).astype(dtype)
    codes, uniques, counts = small_int_codes(values)
    want_codes, want_uniques = pd.factorize(values, sort=True)
    np.testing.assert_array_equal(codes, want_codes)
    np.testing.assert_array_equal(uniques, want_uniques)
    assert uniques.dtype == values.dtype
    np.testing.assert_array_equal(counts, np.bincount(want_codes))


def test_extremes_of_a_narrow_type():
    codes, uniques, counts = small_int_codes(np.array([127, -128, 0, 127], dtype=np.int8))
    assert codes.tolist() == [2, 0, 1, 2] and uniques.tolist() == [-128, 0, 127]
    assert counts.tolist() == [1, 1, 2]


@pytest.mark.parametrize(
    "values",
    [
        np.array([1.0, 2.0]),  # floats
        np.array(["a", "b"], dtype=object),
        np.array([0, 10**9]),  # a range far wider than the data
        np.array([], dtype=np.int64),
    ],
)
def test_other_arrays_are_left_to_hashing(values):
    assert small_int_codes(values) is None
