"""`mhi compute` with replicate weights from a profile, against the R goldens of the ACS case.

The ACS 2011 PUMS subsample (80 successive-difference replicate weights) is run through the
whole pipeline -- profile, reader, harmonise, plan, engine -- and compared with
`svrepdesign(type = 'successive-difference', mse = TRUE)` results in tests/golden/survey.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "survey" / "domains.csv"

PROFILE = """
id: acs_2011_ak_hi
kind: survey
metadata: {country: USA, year: 2011, source: "ACS 2011 1-year PUMS, Alaska and Hawaii (subsample)"}
columns: {sex: sexf, area: state, has_health_insurance: insured, age: agep}
design:
  weight: pwgtp
  replicates: {pattern: "pwgtp[0-9]+", type: successive-difference}
"""

COMMON = """version: 1.0.0
framework: {pillar: monitoring, references: [{citation: "US Census Bureau, ACS 2011 PUMS"}]}
source: survey
disaggregate_by: [area, sex]
"""
DEFINITIONS = {
    "acs_insured": "name: Insured\ndescription: Persons with health insurance coverage.\n"
    "estimator: proportion\nnumerator: has_health_insurance\nunit: proportion\nci_method: mean\n",
    "acs_mean_age": "name: Mean age\ndescription: Mean age in completed years of all persons.\n"
    "estimator: mean\nvalue: age\nunit: years\n",
}


@pytest.fixture(scope="module")
def estimates(tmp_path_factory) -> pd.DataFrame:
    root = tmp_path_factory.mktemp("acs")
    shutil.copy(ROOT / "tests" / "fixtures" / "survey" / "acs_sub.csv.gz", root / "acs.csv.gz")
    (root / "acs.profile.yaml").write_text(PROFILE, encoding="utf-8")
    (root / "defs").mkdir()
    for ident, body in DEFINITIONS.items():
        (root / "defs" / f"{ident}.yaml").write_text(
            f"id: {ident}\n{COMMON}{body}", encoding="utf-8"
        )
    (root / "mhi.yaml").write_text(
        "definitions: [defs]\ndatasets: [{id: acs, path: acs.csv.gz, profile: acs.profile.yaml}]\n",
        encoding="utf-8",
    )
    return compute(load_project(root / "mhi.yaml")).estimates


@pytest.mark.parametrize(
    ("ident", "golden_name"), [("acs_insured", "insured"), ("acs_mean_age", "age")]
)
def test_matches_r_svrepdesign(estimates: pd.DataFrame, ident: str, golden_name: str) -> None:
    golden = pd.read_csv(GOLDEN, dtype=str)
    golden = golden[(golden["case"] == "acs_sdr") & (golden["indicator"] == golden_name)]
    assert len(golden) >= 9
    ours = estimates[estimates["indicator_id"] == ident]
    for row in golden.itertuples():
        labels = dict(part.split("=") for part in row.domain.split(";"))
        hit = ours[(ours["area"] == labels["state"]) & (ours["sex"] == labels["sexf"])]
        assert len(hit) == 1, row.domain
        for col, ref in (("estimate", row.estimate), ("se", row.se), ("df", row.df)):
            np.testing.assert_allclose(
                hit[col].item(), float(ref), rtol=1e-9, err_msg=f"{row.domain} {col}"
            )
        assert hit["n_unweighted"].item() == float(row.n)
