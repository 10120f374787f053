"""Standard populations: shipped values, normalisation, band codes, alignment errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mhindicators.errors import DataError, DefinitionError, EstimationError
from mhindicators.stdpop import align, band_code, get_standard, list_standards, parse_band

WHO = [8860, 8690, 8600, 8470, 8220, 7930, 7610, 7150, 6590, 6040, 5370,
       4550, 3720, 2960, 2210, 1520, 910, 440, 150, 40, 5]  # fmt: skip
US2000 = [3794901, 15191619, 19919840, 20056779, 19819518, 18257225, 17722067, 19511370,
          22179956, 22479229, 19805793, 17224359, 13307234, 10654272, 9409940, 8725574,
          7414559, 4900234, 4259173]  # fmt: skip


def test_shipped_standards_listed():
    assert list_standards() == ["esp_2013", "us_2000", "who_world_2000_2025"]


@pytest.mark.parametrize(
    ("name", "published", "total", "first", "last"),
    [
        ("who_world_2000_2025", WHO, 100035, "Y0T4", "Y_GE100"),
        ("us_2000", US2000, 274633642, "Y0", "Y_GE85"),
        ("esp_2013", None, 100000, "Y0", "Y_GE95"),
    ],
)
def test_weights_normalised_with_source(name, published, total, first, last):
    s = get_standard(name)
    assert list(s.columns) == ["band", "lower", "upper", "weight"]
    assert s["weight"].sum() == pytest.approx(1.0, rel=1e-15)
    assert s.attrs["published_total"] == total and s.attrs["source"]
    assert s["band"].iloc[0] == first and s["band"].iloc[-1] == last
    assert pd.isna(s["upper"].iloc[-1])
    if published is not None:
        np.testing.assert_allclose(s["weight"], np.array(published) / total, rtol=1e-15)


def test_esp2013_values():
    s = get_standard("esp_2013").set_index("band")["weight"] * 100000
    assert s["Y0"] == pytest.approx(1000) and s["Y1T4"] == pytest.approx(4000)
    assert s["Y90T94"] == pytest.approx(800) and s["Y_GE95"] == pytest.approx(200)


def test_us2000_standard_million_within_rounding():
    # SEER's published standard million differs from counts/total by up to 2 per million
    seer = [13818, 55317, 72533, 73032, 72169, 66478, 64529, 71044, 80762, 81851, 72118,
            62716, 48454, 38793, 34264, 31773, 26999, 17842, 15508]  # fmt: skip
    s = get_standard("us_2000")["weight"].to_numpy() * 1e6
    assert np.abs(s - seer).max() < 2.5


@pytest.mark.parametrize(
    ("code", "limits"),
    [("Y0", (0, 0)), ("Y1T4", (1, 4)), ("Y_GE85", (85, None)), ("Y_LT1", (0, 0))],
)
def test_band_codes(code, limits):
    assert parse_band(code) == limits
    if code != "Y_LT1":
        assert band_code(*limits) == code


@pytest.mark.parametrize("code", ["0-4", "Y5T1", "Y_LT0", "Y_GE", "85+"])
def test_bad_band_codes(code):
    with pytest.raises(DefinitionError) as err:
        parse_band(code)
    assert err.value.issues[0].code == "MHI429"


def test_align_aggregates_nested_bands_and_truncates():
    a = align(["Y0T14", "Y15T64", "Y_GE65"], "who_world_2000_2025")
    assert a["weight"].sum() == pytest.approx(1)
    assert a["weight"].iloc[0] == pytest.approx((8860 + 8690 + 8600) / 100035)
    adults = align(["Y20T44", "Y_GE45"], "esp_2013")
    assert adults["weight"].sum() == pytest.approx(1)
    assert adults.attrs["dropped"] == ["Y0", "Y1T4", "Y5T9", "Y10T14", "Y15T19"]
    order = align(["Y_GE65", "Y0T64"], "esp_2013")
    assert list(order["band"]) == ["Y_GE65", "Y0T64"]


@pytest.mark.parametrize(
    ("bands", "fragment"),
    [
        (["Y0T17", "Y_GE18"], "ends at age 17"),
        (["Y0T4", "Y10T14"], "gap"),
        (["Y0T9", "Y5T14"], "overlap"),
        (["Y0T4", "Y5T89"], "ends at age 89"),
        (["Y0T4", "Y5T84"], None),
    ],
)
def test_align_mismatch_names_bands(bands, fragment):
    if fragment is None:
        assert len(align(bands, "us_2000")) == 2
        return
    with pytest.raises(EstimationError) as err:
        align(bands, "us_2000")
    text = " ".join(i.message for i in err.value.issues)
    assert fragment in text and all(i.code == "MHI428" for i in err.value.issues)
    assert "Y_GE85" in text and err.value.issues[0].hint


def test_align_open_band_needs_open_standard(tmp_path):
    p = tmp_path / "closed.csv"
    p.write_text("# name: closed\nband,lower,upper,weight\nY0T49,0,49,1\nY50T99,50,99,1\n")
    with pytest.raises(EstimationError, match="do not fit"):
        align(["Y0T49", "Y_GE50"], p)
    assert len(align(["Y0T49", "Y50T99"], p)) == 2


def test_user_standard_csv(tmp_path):
    p = tmp_path / "mine.csv"
    p.write_text(
        "# name: mine\n# source: test\nband,lower,upper,weight\nY0T49,0,49,3\nY_GE50,50,,1\n"
    )
    s = get_standard(p)
    assert s["weight"].tolist() == [0.75, 0.25] and s.attrs["source"] == "test"


@pytest.mark.parametrize(
    "body",
    [
        "band,lower,weight\nY0T4,0,1\n",
        "band,lower,upper,weight\nY0T4,0,5,1\n",
        "band,lower,upper,weight\nY0T4,0,4,-1\n",
        "band,lower,upper,weight\nY0T4,0,4,1\nY10T14,10,14,1\n",
        "band,lower,upper,weight\nY0T4,0,4,x\n",
    ],
)
def test_invalid_user_standard(tmp_path, body):
    p = tmp_path / "bad.csv"
    p.write_text(body)
    with pytest.raises(DataError) as err:
        get_standard(p)
    assert err.value.issues[0].code == "MHI427"


def test_unknown_standard_suggests():
    with pytest.raises(DefinitionError) as err:
        get_standard("esp2013")
    assert err.value.issues[0].code == "MHI426" and "esp_2013" in err.value.issues[0].hint
