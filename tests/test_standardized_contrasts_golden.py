"""Contrasts of age-standardised survey estimates, end to end, vs R `survey`.

Goldens come from tests/reference/standardized_contrasts_goldens.R: `svystandardize` +
`svyby(svymean)`, the joint covariance of the group means, and `svycontrast` for the difference
and the ratio (exact calls in tests/golden/sample_survey_standardized/). Here the shipped sample
survey runs through `compute` in a scratch project with two definitions made age-standardised
(ESP 2013, bands 0-19, 20-44, 45-64, 65+) and disaggregated by migratory status and sex.

Compared at 1e-9 relative (absolute floor 1e-14): the standardised estimates, SEs, df and
intervals, and for every group vs native_born_citizen (by sex and overall) the difference, the
ratio, their SEs and intervals. mhi reports percent: estimates, SEs, bounds and differences are
divided by 100 (ratios are unit-free). native_born_noncitizen has empty age bands: mhi gives NaN
(status empty-age-band) and R cannot standardise it, so it has no golden row.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "golden" / "sample_survey_standardized"
SURVEY = ROOT / "sample_data" / "survey"
RTOL, ATOL = 1e-9, 1e-14
SCALE = 100.0
EMPTY_GROUP = "native_born_noncitizen"
INDICATORS = ("std_health_coverage", "std_oop_budget_share")

COMMON = """version: 1.0.0
description: Age-standardised test indicator on the sample survey.
framework: {pillar: monitoring, references: [{citation: "mhi test"}]}
source: survey
missing: exclude
unit: percent
disaggregate_by: [migratory_status, sex]
age_groups: [[0, 19], [20, 44], [45, 64], [65, null]]
standardize: {by: age_group, standard: esp_2013}
reference_group: {migratory_status: native_born_citizen}
"""
DEFINITIONS = {
    "std_health_coverage": "name: Health coverage (age-standardised)\nestimator: proportion\n"
    'numerator: "has_health_insurance == true"\nci_method: logit\n',
    "std_oop_budget_share": "name: OOP budget share (age-standardised)\nestimator: mean\n"
    'universe: "household_consumption > 0"\n'
    'value: "household_health_spending / household_consumption"\n',
}


def _gold(name: str) -> Path:
    path = GOLD / name
    if not path.exists():
        pytest.fail(
            f"golden file missing: {path} "
            "(run Rscript tests/reference/standardized_contrasts_goldens.R)"
        )
    return path


@cache
def golden(name: str) -> pd.DataFrame:
    return pd.read_csv(_gold(name), na_values=["NA"], keep_default_na=False)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = tmp_path_factory.mktemp("std")
    shutil.copy(SURVEY / "nhs_2024.csv", root / "nhs.csv")
    shutil.copy(SURVEY / "nhs_2024.profile.yaml", root / "nhs.profile.yaml")
    (root / "defs").mkdir()
    for ident, body in DEFINITIONS.items():
        (root / "defs" / f"{ident}.yaml").write_text(
            f"id: {ident}\n{COMMON}{body}", encoding="utf-8"
        )
    (root / "mhi.yaml").write_text(
        "definitions: [defs]\ndatasets: [{id: nhs, path: nhs.csv, profile: nhs.profile.yaml}]\n",
        encoding="utf-8",
    )
    return compute(load_project(root / "mhi.yaml"))


def assert_close(got, want, what: str, nan_where=None) -> None:
    """Close at RTOL; NaN only where `nan_where` says, and there on both sides."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    nan = np.zeros(want.shape, bool) if nan_where is None else np.asarray(nan_where)
    np.testing.assert_array_equal(np.isnan(want), nan, err_msg=what)
    np.testing.assert_array_equal(np.isnan(got), nan, err_msg=what)
    got, want = got[~nan], want[~nan]
    ok = np.abs(got - want) <= np.maximum(RTOL * np.abs(want), ATOL)
    assert ok.all(), f"{what}: mhi {got[~ok]} vs R {want[~ok]}"


@pytest.mark.parametrize("name", ["estimates.csv", "contrasts.csv", "CALLS.txt"])
def test_golden_file_present(name):
    assert _gold(name).stat().st_size > 0


@pytest.mark.parametrize("indicator", INDICATORS)
def test_standardized_estimates_match_r(result, indicator):
    gold = golden("estimates.csv")
    gold = gold[gold["indicator_id"] == indicator]
    ours = result.estimates
    ours = ours[(ours["indicator_id"] == indicator) & (ours["standardization"] == "esp_2013")]
    empty = ours["migratory_status"] == EMPTY_GROUP
    assert ours.loc[empty, "estimate"].isna().all() and (ours.loc[empty, "status"] != "").all()
    key = ["migratory_status", "sex"]
    m = gold.merge(ours[~empty], on=key, how="outer", suffixes=("", "_mhi"), indicator=True)
    assert (m["_merge"] == "both").all() and len(m) == 15, m.loc[m["_merge"] != "both", key]
    for col in ("estimate", "se"):
        assert_close(m[f"{col}_mhi"] / SCALE, m[col], f"{indicator} {col}")
    # a standardised proportion of exactly 1 (every unknown-status person covered): no logit
    # interval in R (svyciprop gives NaN) nor in mhi (status p-at-boundary)
    boundary = m["estimate"].isin([0.0, 1.0]).to_numpy()
    assert boundary.sum() <= 3
    for col in ("ci_lower", "ci_upper"):
        assert_close(m[f"{col}_mhi"] / SCALE, m[col], f"{indicator} {col}", boundary)
    np.testing.assert_array_equal(m["df_mhi"], m["df"].astype(float))


@pytest.mark.parametrize("indicator", INDICATORS)
def test_contrasts_of_standardized_estimates_match_r(result, indicator):
    gold = golden("contrasts.csv")
    gold = gold[gold["indicator_id"] == indicator]
    ours = result.contrasts
    ours = ours[(ours["indicator_id"] == indicator) & (ours["standardization"] == "esp_2013")]
    empty = ours["group"] == EMPTY_GROUP
    assert empty.sum() == 3 and ours.loc[empty, "difference"].isna().all()
    key = ["group", "sex"]
    m = gold.merge(ours[~empty], on=key, how="outer", suffixes=("", "_mhi"), indicator=True)
    assert (m["_merge"] == "both").all() and len(m) == 9, m.loc[m["_merge"] != "both", key]
    for col in ("estimate", "reference_estimate", "difference", "difference_se"):
        assert_close(m[f"{col}_mhi"] / SCALE, m[col], f"{indicator} {col}")
    for col in ("difference_ci_lower", "difference_ci_upper"):
        assert_close(m[f"{col}_mhi"] / SCALE, m[col], f"{indicator} {col}")
    for col in ("ratio", "ratio_se", "ratio_ci_lower", "ratio_ci_upper"):
        assert_close(m[f"{col}_mhi"], m[col], f"{indicator} {col}")
    np.testing.assert_array_equal(m["df_mhi"], m["df"].astype(float))
