"""Defined behaviour of rates at the edges: zeros, missing inputs, shapes, methods, pooling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mhindicators.errors import EstimationError
from mhindicators.issues import CODES
from mhindicators.registry import contrasts as rate_contrasts
from mhindicators.registry import rates


def test_zero_events_crude_rate():
    r = rates.crude_rate(0, 2000, multiplier=1000)
    assert float(r.estimate) == 0 and float(r.lower) == 0
    assert float(r.upper) == pytest.approx(stats.gamma.ppf(0.975, 1) / 2000 * 1000, rel=1e-12)
    assert r.status.item() == ""


def test_zero_population_is_nan_with_status():
    r = rates.crude_rate([0, 3, 2], [0, 0, 10])
    assert np.isnan(r.estimate[:2]).all() and np.isnan(r.upper[:2]).all()
    assert list(r.status) == ["MHI420", "MHI421", ""]
    assert CODES["MHI420"].name == "rate-zero-denominator"


def test_missing_input_propagates_with_status():
    r = rates.crude_rate([np.nan, 1], [10, np.nan])
    assert np.isnan(r.estimate).all()
    assert list(r.status) == ["MHI422", "MHI422"]


@pytest.mark.parametrize("bad", [-1, np.inf])
def test_invalid_counts_raise(bad):
    with pytest.raises(EstimationError) as err:
        rates.crude_rate([bad], [10])
    assert err.value.issues[0].code == "MHI423"


def test_unknown_method_raises():
    with pytest.raises(EstimationError) as err:
        rates.crude_rate(1, 10, method="wald")
    assert err.value.issues[0].code == "MHI437"
    with pytest.raises(EstimationError):
        rates.dsr([[1]], [[10]], [1], method="gamma")


def test_conf_level_checked():
    with pytest.raises(EstimationError):
        rates.crude_rate(1, 10, conf_level=95)


def test_phe_rule_switches_at_ten():
    _, _, names = rates.poisson_limits([0, 9, 10, 100], method="phe")
    assert list(names) == ["garwood", "garwood", "byar", "byar"]
    assert list(rates.poisson_limits([0, 5], method="byar")[2]) == ["garwood", "byar"]
    lo, _, _ = rates.poisson_limits([0], method="byar")
    assert lo[0] == 0


def test_exact_alias_and_method_in_frame():
    f = rates.crude_rate([1, 2], [10, 20], method="exact").to_frame()
    assert list(f["method"]) == ["garwood", "garwood"]
    assert {"estimate", "lower", "upper", "events", "denominator", "status", "conf_level"} <= set(f)


def test_ratio_per_live_births_is_a_rate_on_births():
    r = rates.ratio_per_live_births([12], [60000])
    assert r.estimate[0] == pytest.approx(20.0)
    assert r.multiplier == 1e5 and r.method[0] == "garwood"


def test_age_specific_rates_keep_shape():
    x = np.arange(12, dtype=float).reshape(3, 4)
    r = rates.age_specific_rates(x, np.full((3, 4), 100.0), multiplier=1)
    assert r.estimate.shape == (3, 4)
    np.testing.assert_allclose(r.estimate, x / 100)


def test_dsr_vectorised_equals_one_at_a_time():
    rng = np.random.default_rng(1)
    n = rng.integers(100, 5000, size=(50, 6)).astype(float)
    x = rng.poisson(n * 0.01).astype(float)
    s = rng.integers(1, 10, size=6)
    for method in ("fay-feuer", "tiwari", "dobson"):
        whole = rates.dsr(x, n, s, method=method)
        for g in (0, 17, 49):
            one = rates.dsr(x[g], n[g], s, method=method)
            np.testing.assert_allclose(
                [whole.estimate[g], whole.lower[g], whole.upper[g]],
                [one.estimate, one.lower, one.upper],
                rtol=1e-13,
            )


def test_dsr_empty_band_contributes_zero_and_is_reported():
    r = rates.dsr([[5, 0, 7]], [[1000, 0, 2000]], [1, 1, 1], multiplier=1)
    assert r.estimate[0] == pytest.approx((5 / 1000 + 7 / 2000) / 3)
    assert r.status[0] == "MHI424"


def test_dsr_orphan_events_and_zero_population():
    r = rates.dsr([[5, 1], [0, 0], [np.nan, 1]], [[1000, 0], [0, 0], [10, 10]], [1, 1])
    assert np.isnan(r.estimate).all() and np.isnan(r.lower).all()
    assert list(r.status) == ["MHI421", "MHI420", "MHI422"]


def test_dsr_all_zero_dobson_upper_matches_fay_feuer():
    args = ([0, 0, 0], [1000, 2000, 3000], [1, 1, 1])
    ff, dob = rates.dsr(*args), rates.dsr(*args, method="dobson")
    assert float(dob.lower) == 0
    assert float(dob.upper) == pytest.approx(float(ff.upper), rel=1e-12)
    assert dob.method.item() == "dobson-garwood"


def test_dsr_accepts_aligned_frame_and_checks_length():
    std = pd.DataFrame({"band": ["Y0T4", "Y_GE5"], "weight": [0.25, 0.75]})
    r = rates.dsr([2, 3], [100, 100], std, multiplier=1)
    assert float(r.estimate) == pytest.approx(0.25 * 0.02 + 0.75 * 0.03)
    with pytest.raises(EstimationError):
        rates.dsr([2, 3], [100, 100], [1, 1, 1])


def test_crude_rate_ratio_edge_cases():
    c = rate_contrasts.rate_ratio([0, 5, 0], [100, 100, 100], [4, 0, 0], [100, 100, 100])
    assert c.estimate[0] == 0 and c.lower[0] == 0 and np.isfinite(c.upper[0])
    assert c.estimate[1] == np.inf and c.upper[1] == np.inf and c.lower[1] > 0
    assert np.isnan(c.estimate[2])
    assert list(c.status) == ["", "MHI425", "MHI425"]
    w = rate_contrasts.rate_ratio([0], [100], [4], [100], method="log-normal")
    assert np.isnan(w.lower[0]) and w.status[0] == "MHI425"


def test_rate_difference_normal():
    d = rate_contrasts.rate_difference([30], [1000], [20], [1000], multiplier=1000)
    half = stats.norm.ppf(0.975) * np.sqrt(30 / 1000**2 + 20 / 1000**2) * 1000
    assert d.estimate[0] == pytest.approx(10)
    assert d.lower[0] == pytest.approx(10 - half) and d.upper[0] == pytest.approx(10 + half)
    assert d.measure == "rate_difference" and d.method[0] == "normal"


def test_dsr_ratio_log_normal_and_difference():
    x, n, s = [[10, 20]], [[1000, 1000]], [1, 3]
    c = rate_contrasts.dsr_ratio(x, n, [[5, 10]], [[1000, 1000]], s, method="log-normal")
    assert c.estimate[0] == pytest.approx(2.0) and c.lower[0] < 2 < c.upper[0]
    d = rate_contrasts.dsr_difference(x, n, [[5, 10]], [[1000, 1000]], s, multiplier=1)
    assert d.estimate[0] == pytest.approx((0.01 + 3 * 0.02) / 4 - (0.005 + 3 * 0.01) / 4)


def test_cells_pools_years_and_marks_missing_population():
    df = pd.DataFrame(
        {
            "status": ["native", "native", "native", "foreign", "foreign"],
            "year": [2020, 2021, 2020, 2020, 2021],
            "band": ["Y0T4", "Y0T4", "Y5T9", "Y0T4", "Y0T4"],
            "deaths": [1, 2, 3, 4, 5],
            "pop": [100, 100, 200, 50, 50],
        }
    )
    groups, x, n = rates.cells(df, ["status"], "band", ["Y0T4", "Y5T9"], "deaths", "pop")
    assert list(groups["status"]) == ["foreign", "native"]
    np.testing.assert_array_equal(x, [[9, 0], [3, 3]])
    assert n[0, 0] == 100 and np.isnan(n[0, 1]) and n[1, 0] == 200
    assert rates.dsr(x, n, [1, 1]).status[0] == "MHI422"
    with pytest.raises(EstimationError):
        rates.cells(df, ["status"], "band", ["Y0T4"], "deaths", "pop")


def test_isr_helpers():
    e = rates.expected_events([[100, 200]], [0.01, 0.02])
    assert e[0] == pytest.approx(5.0)
    smr = rates.standardised_ratio([10], e)
    assert smr.estimate[0] == pytest.approx(2.0) and smr.method[0] == "byar"
    isr = rates.indirect_rate([10], e, 0.015, multiplier=1000)
    assert isr.estimate[0] == pytest.approx(2.0 * 15)
