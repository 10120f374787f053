"""Helpers of the streaming and Dask tests: definitions and profiles of the projects on the
sample survey (shuffled, so row batches split PSUs and strata) and on the ACS replicate-weight
subsample, and the check that two results agree at 1e-12."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

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
