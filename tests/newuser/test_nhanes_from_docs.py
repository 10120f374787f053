"""A survey the project has never seen, set up from docs/profiles.md alone: NHANES 2015-2016.

Like a new user, we join the two public files into one extract, write a profile (mapping
nativity and citizenship directly, since NHANES only says "born in the US or not"), extend the
vocabulary with BMI and pregnancy, define adult obesity age-adjusted to the US 2000 standard,
and compare `mhi compute` with the published NCHS estimates (Hales CM, Carroll MD, Fryar CD,
Ogden CL. Prevalence of obesity among adults and youth: United States, 2015-2016. NCHS Data
Brief No. 288, 2017): men 37.9 %, women 41.1 % (age-adjusted); ages 20-39 35.7 %, 40-59 42.8 %,
60+ 41.0 %; all adults 39.8 %. The last matches our crude prevalence (39.77 %); age-adjusting
the total with the same three groups gives 39.56 %, so the brief's total appears unadjusted
(or adjusted another way) -- we test what we can reproduce and say so here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project

# shared/ lies beside the checkout (here and in CI); a missing copy fails the test.
NHANES = Path(__file__).resolve().parents[3] / "shared" / "external" / "nhanes-2015-2016"

PROFILE = """
id: nhanes_2015_2016
kind: survey
metadata: {country: USA, year: 2016, source: NHANES 2015-2016 (DEMO_I + BMX_I)}
columns:
  sex: RIAGENDR
  age: RIDAGEYR
  nativity: DMDBORN4
  citizenship_status: DMDCITZN
  bmi: BMXBMI
  pregnant: RIDEXPRG
recode:
  sex: {1: M, 2: F}
  nativity: {1: native_born, 2: foreign_born}
  citizenship_status: {1: citizen, 2: foreign_citizen}
  pregnant: {1: true, 2: false, 3: false}
missing_codes:
  nativity: [77, 99]
  citizenship_status: [7, 9]
design:
  weight: WTMEC2YR
  strata: SDMVSTRA
  psu: SDMVPSU
  nest: true
"""

VOCABULARY = """
variables:
  bmi: {type: number, role: outcome, min: 10, max: 130, unit: kg/m2, description: Body mass index.}
  pregnant: {type: boolean, role: outcome, description: Pregnant at the examination.}
"""

DEFINITION = """
id: adult_obesity
version: 1.0.0
name: Obesity among adults (BMI >= 30)
description: Adults aged 20 and over with a body mass index of 30 or more, pregnant women excluded.
framework:
  pillar: monitoring
  references: [{citation: "Hales CM et al. NCHS Data Brief No. 288, 2017"}]
source: survey
estimator: proportion
universe: "age >= 20 and (pregnant is missing or not pregnant)"
numerator: "bmi >= 30"
missing: exclude
unit: percent
disaggregate_by: [migratory_status, sex, age_group]
age_groups: [[20, 39], [40, 59], [60, null]]
reference_group: {migratory_status: native_born_citizen}
standardize: {by: age_group, standard: us_2000}
ci_method: korn-graubard-nchs
"""

PUBLISHED_STANDARDISED = {"M": 37.9, "F": 41.1}
PUBLISHED_CRUDE_TOTAL = 39.8
PUBLISHED_BY_AGE = {"Y20T39": 35.7, "Y40T59": 42.8, "Y_GE60": 41.0}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = tmp_path_factory.mktemp("nhanes")
    demo = pd.read_sas(NHANES / "DEMO_I.XPT", format="xport")
    bmx = pd.read_sas(NHANES / "BMX_I.XPT", format="xport")
    demo.merge(bmx[["SEQN", "BMXBMI"]], on="SEQN", how="left").to_parquet(root / "nhanes.parquet")
    (root / "nhanes.profile.yaml").write_text(PROFILE, encoding="utf-8")
    (root / "vocabulary.yaml").write_text(VOCABULARY, encoding="utf-8")
    (root / "defs").mkdir()
    (root / "defs" / "adult_obesity.yaml").write_text(DEFINITION, encoding="utf-8")
    (root / "mhi.yaml").write_text(
        "definitions: [defs]\nvocabulary: [vocabulary.yaml]\ndatasets:\n"
        "  - {id: nhanes, path: nhanes.parquet, profile: nhanes.profile.yaml}\n",
        encoding="utf-8",
    )
    return compute(load_project(root / "mhi.yaml")).estimates


def _all_migrants(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["migratory_status"] == "_T"]


def test_crude_total_matches_nchs(result) -> None:
    rows = _all_migrants(result)
    rows = rows[
        (rows["sex"] == "_T") & (rows["age_group"] == "_T") & (rows["standardization"] == "")
    ]
    assert round(rows["estimate"].item(), 1) == PUBLISHED_CRUDE_TOTAL


def test_age_adjusted_prevalence_matches_nchs(result) -> None:
    rows = _all_migrants(result)
    std = rows[rows["standardization"] == "us_2000"]
    for sex, published in PUBLISHED_STANDARDISED.items():
        value = std.loc[std["sex"] == sex, "estimate"].item()
        assert round(value, 1) == published, (sex, value)


def test_age_specific_prevalence_matches_nchs(result) -> None:
    rows = _all_migrants(result)
    crude = rows[(rows["standardization"] == "") & (rows["sex"] == "_T")]
    for band, published in PUBLISHED_BY_AGE.items():
        value = crude.loc[crude["age_group"] == band, "estimate"].item()
        assert round(value, 1) == published, (band, value)


def test_design_df_and_migratory_groups(result) -> None:
    overall = _all_migrants(result)
    row = overall[
        (overall["sex"] == "_T")
        & (overall["age_group"] == "_T")
        & (overall["standardization"] == "")
    ]
    assert row["df"].item() == 15  # 30 PSUs - 15 strata
    groups = set(result["migratory_status"])
    assert {"native_born_citizen", "foreign_born_citizen", "foreign_born_noncitizen"} <= groups
