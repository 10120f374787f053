"""Projects on the sample survey (shuffled, so row batches split PSUs and strata) and the ACS
replicate-weight subsample, in CSV, Parquet and hive-partitioned Parquet; and the check that
two results agree at 1e-12."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "sample_data" / "survey"
RTOL = 1e-12

COMMON = """version: 1.0.0
description: Test indicator on the sample survey.
framework: {pillar: monitoring, references: [{citation: "mhi test"}]}
source: survey
missing: exclude
"""
BY_STATUS = (
    "disaggregate_by: [migratory_status, sex]\n"
    "reference_group: {migratory_status: native_born_citizen}\n"
)
STANDARDISED = (
    "age_groups: [[0, 19], [20, 44], [45, 64], [65, null]]\n"
    "standardize: {by: age_group, standard: esp_2013}\n"
)
DEFINITIONS = {
    "t_coverage": "name: Coverage\nestimator: proportion\nunit: percent\n"
    'numerator: "has_health_insurance == true"\nci_method: logit\n'
    "disaggregate_by: [migratory_status, sex, age_group]\n"
    "age_groups: [[0, 17], [18, 44], [45, 64], [65, null]]\n"
    "reference_group: {migratory_status: native_born_citizen}\n",
    "t_coverage_std": "name: Coverage standardised\nestimator: proportion\nunit: percent\n"
    'numerator: "has_health_insurance == true"\nci_method: beta\n' + BY_STATUS + STANDARDISED,
    "t_budget_share": "name: OOP share\nestimator: mean\nunit: percent\n"
    'universe: "household_consumption > 0"\n'
    'value: "household_health_spending / household_consumption"\n' + BY_STATUS,
    "t_spending_ratio": "name: Spending ratio\nestimator: ratio\nunit: ratio\n"
    'numerator: "household_health_spending"\ndenominator: "household_consumption"\n' + BY_STATUS,
    "t_uninsured_total": "name: Uninsured persons\nestimator: count\nunit: number\n"
    'numerator: "has_health_insurance == false"\n' + BY_STATUS,
    "t_phq_mean": "name: PHQ-8 mean\nestimator: mean\nunit: number\n"
    'value: "phq8_score"\n' + BY_STATUS,
}


def write_defs(folder: Path, definitions: dict[str, str]) -> None:
    folder.mkdir(exist_ok=True)
    for ident, body in definitions.items():
        (folder / f"{ident}.yaml").write_text(f"id: {ident}\n{COMMON}{body}", encoding="utf-8")


def write_project(root: Path, path: str, profile: str, extra: str = "") -> Path:
    project = root / f"mhi-{path.replace('/', '_').replace('.', '_')}.yaml"
    project.write_text(
        f"definitions: [defs]\ndatasets: [{{id: s, path: {path}, profile: {profile}}}]\n{extra}",
        encoding="utf-8",
    )
    return project


@pytest.fixture(scope="session")
def survey_root(tmp_path_factory) -> Path:
    """The sample survey shuffled, as CSV, Parquet (row groups of 1000) and a hive folder."""
    root = tmp_path_factory.mktemp("stream")
    frame = pd.read_csv(SURVEY / "nhs_2024.csv").sample(frac=1.0, random_state=7)
    frame.to_csv(root / "nhs.csv", index=False)
    frame.to_parquet(root / "nhs.parquet", row_group_size=1000, index=False)
    frame.to_parquet(root / "hive", partition_cols=["ZONA"], row_group_size=900, index=False)
    shutil.copy(SURVEY / "nhs_2024.profile.yaml", root / "nhs.profile.yaml")
    write_defs(root / "defs", DEFINITIONS)
    return root


ACS_PROFILE = """
id: acs_2011_ak_hi
kind: survey
metadata: {country: USA, year: 2011, source: "ACS 2011 1-year PUMS, Alaska and Hawaii (subsample)"}
columns: {sex: sexf, area: state, has_health_insurance: insured, age: agep}
design:
  weight: pwgtp
  replicates: {pattern: "pwgtp[0-9]+", type: successive-difference}
"""
ACS_DEFINITIONS = {
    "acs_insured": "name: Insured\nestimator: proportion\nunit: percent\n"
    "numerator: has_health_insurance\n"
    "ci_method: logit\ndisaggregate_by: [area, sex]\nreference_group: {sex: F}\n",
    "acs_mean_age": "name: Mean age\nestimator: mean\nvalue: age\nunit: years\n"
    "disaggregate_by: [area, sex]\nreference_group: {sex: F}\n",
}


@pytest.fixture(scope="session")
def acs_root(tmp_path_factory) -> Path:
    """The ACS subsample (80 successive-difference replicates), shuffled: CSV.gz and Parquet."""
    root = tmp_path_factory.mktemp("acs_stream")
    frame = pd.read_csv(ROOT / "tests" / "fixtures" / "survey" / "acs_sub.csv.gz")
    frame = frame.sample(frac=1.0, random_state=3)
    frame.to_csv(root / "acs.csv.gz", index=False)
    frame.to_parquet(root / "acs.parquet", row_group_size=400, index=False)
    (root / "acs.profile.yaml").write_text(ACS_PROFILE, encoding="utf-8")
    write_defs(root / "defs", ACS_DEFINITIONS)
    return root


def assert_same_results(a, b) -> None:
    """Estimates, contrasts and summary equal: text exactly, numbers at 1e-12 relative (with an
    absolute floor of 1e-15 x the column's largest value, for sums that cancel to zero)."""
    assert len(a.estimates) > 0
    for name in ("estimates", "contrasts", "summary"):
        x = getattr(a, name).reset_index(drop=True)
        y = getattr(b, name).reset_index(drop=True)
        assert list(x.columns) == list(y.columns), name
        assert len(x) == len(y), name
        for col in x.columns:
            u, v = x[col], y[col]
            if pd.api.types.is_float_dtype(u.dtype):
                u, v = u.to_numpy(float), v.to_numpy(float)
                scale = np.nanmax(np.abs(u[np.isfinite(u)]), initial=0.0)
                np.testing.assert_allclose(
                    v, u, rtol=RTOL, atol=1e-15 * scale, err_msg=f"{name}.{col}"
                )
            else:
                assert u.astype(str).tolist() == v.astype(str).tolist(), f"{name}.{col}"
