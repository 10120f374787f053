"""band_ages agrees with a plain reading of the band bounds (gaps, open top band, NaN)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mhindicators.vocabulary.age import band_ages


def _one_band_at_a_time(values, bands):
    codes = np.full(values.shape, -1)
    for i, (lo, hi) in enumerate(bands):
        inside = values >= lo if hi is None else (values >= lo) & (values <= hi)
        codes[inside] = i
    return codes


@st.composite
def sorted_bands(draw):
    cuts = sorted(draw(st.sets(st.integers(0, 110), min_size=1, max_size=12)))
    bands = []
    for lo, nxt in zip(cuts, [*cuts[1:], None], strict=True):
        if nxt is None:
            bands.append((lo, draw(st.one_of(st.none(), st.integers(lo, lo + 20)))))
        elif draw(st.booleans()):  # leave a gap before the next band sometimes
            bands.append((lo, draw(st.integers(lo, nxt - 1))))
        else:
            bands.append((lo, nxt - 1))
    return bands


ages = st.lists(
    st.one_of(st.integers(-5, 130).map(float), st.just(np.nan), st.floats(0, 120)), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(bands=sorted_bands(), values=ages)
def test_band_ages_matches_banding_band_by_band(bands, values):
    values = np.asarray(values, dtype=np.float64)
    got = np.asarray(band_ages(values, bands).codes)
    np.testing.assert_array_equal(got, _one_band_at_a_time(values, bands))


def test_open_band_and_missing_age():
    got = band_ages(np.array([3.0, 64.0, 65.0, 99.0, np.nan]), [(0, 14), (15, 64), (65, None)])
    assert list(got[:4]) == ["Y0T14", "Y15T64", "Y_GE65", "Y_GE65"]
    assert got.isna()[4]


@settings(max_examples=40, deadline=None)
@given(bands=sorted_bands(), seed=st.integers(0, 2**32 - 1))
def test_lookup_table_path_matches_banding_band_by_band(bands, seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(-3, 125, 6000).astype(np.float64)  # above the table's row minimum
    values[rng.random(6000) < 0.05] = np.nan
    values[rng.random(6000) < 0.05] += 0.5  # fractional ages take the per-band path
    got = np.asarray(band_ages(values, bands).codes)
    np.testing.assert_array_equal(got, _one_band_at_a_time(values, bands))
