"""Edge cases found in review: unknown and out-of-band ages, text codes, summaries, contrasts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project, project_with_overrides
from mhindicators.vocabulary.age import regroup_bands

ROOT = Path(__file__).resolve().parents[2]
HEAD = """version: 1.0.0
framework: {pillar: monitoring, references: [{citation: "Test"}]}
source: registry
event_types: [tb_notification]
"""
DEFS = {
    "tb_rate": "name: TB rate\ndescription: Notified TB cases per 100,000.\nestimator: rate\n"
    "numerator: 'tb_case_type == \"new\"'\ndenominator: population\nunit: per_100000\n"
    "disaggregate_by: [area, sex, age_group]\nage_groups: [[15, 24], [25, null]]\n",
    "tb_asr": "name: TB ASR\ndescription: Age-standardised TB notification rate.\n"
    "estimator: standardized_rate\nnumerator: 'tb_case_type == \"new\"'\ndenominator: population\n"
    "unit: per_100000\ndisaggregate_by: [nativity]\nage_groups: [[15, 24], [25, null]]\n"
    "standardize: {by: age_group, standard: esp_2013}\nreference_group: {nativity: native_born}\n",
    "tb_new_share": "name: New TB share\ndescription: Share of notifications that are new cases.\n"
    "estimator: proportion\nnumerator: 'tb_case_type == \"new\"'\nunit: percent\n"
    "disaggregate_by: [nativity]\nreference_group: {nativity: native_born}\n"
    "reliability: small-counts\n",
}


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    root = tmp_path_factory.mktemp("reg")
    events = pd.DataFrame(
        {
            "AREA": ["01", "01", "02", "10", "10", "01", "02", "01"],
            "SEX": ["M", "F", "M", "F", "M", "F", "M", "F"],
            "AGE": ["30", "", "20", "40", "10", "50", "60", "22"],  # one unknown, one outside
            "COB": ["ESP", "ESP", "MAR", "ESP", "ESP", "", "MAR", "ESP"],
            "TYPE": ["new"] * 7 + ["relapse"],
        }
    )
    events.to_csv(root / "events.csv", index=False)
    pop = pd.DataFrame(
        [
            (a, s, b, c, 10_000)
            for a in ("01", "02", "10")
            for s in "MF"
            for b in ("Y15T19", "Y20T24", "Y25T64", "Y_GE65")
            for c in ("ESP", "MAR")
        ],
        columns=["AREA", "SEX", "BAND", "COB", "POP"],
    )
    pop.to_parquet(root / "pop.parquet")
    meta = "metadata: {country: ESP, year: 2024, source: test register}\n"
    (root / "events.profile.yaml").write_text(
        "id: ev\nkind: events\nevent_types: [tb_notification]\n" + meta + "columns: {area: AREA, "
        "sex: SEX, age: AGE, country_of_birth: COB, tb_case_type: TYPE}\n",
        encoding="utf-8",
    )
    (root / "pop.profile.yaml").write_text(
        "id: pop\nkind: denominator\n" + meta + "columns: {area: AREA, sex: SEX, age_group: BAND, "
        "country_of_birth: COB, population: POP}\n",
        encoding="utf-8",
    )
    (root / "defs").mkdir()
    for ident, body in DEFS.items():
        (root / "defs" / f"{ident}.yaml").write_text(f"id: {ident}\n{HEAD}{body}", encoding="utf-8")
    (root / "mhi.yaml").write_text(
        "definitions: [defs]\ndatasets:\n  - id: tb\n    kind: registry\n"
        "    events: {path: events.csv, profile: events.profile.yaml}\n"
        "    denominator: {path: pop.parquet, profile: pop.profile.yaml}\n",
        encoding="utf-8",
    )
    return compute(load_project(root / "mhi.yaml"))


def _rows(result, ident: str) -> pd.DataFrame:
    return result.estimates[result.estimates["indicator_id"] == ident]


def test_unknown_age_stays_in_totals_and_outside_age_leaves(registry) -> None:
    rate = _rows(registry, "tb_rate")
    total = rate[(rate["area"] == "_T") & (rate["sex"] == "_T") & (rate["age_group"] == "_T")]
    assert total["n_unweighted"].item() == 6  # 7 new cases less the one aged 10; unknown age stays
    unknown_age = rate[(rate["area"] == "_T") & (rate["sex"] == "_T") & (rate["age_group"] == "_U")]
    assert unknown_age["n_unweighted"].item() == 1
    assert "MHI421" in unknown_age["status"].item() and np.isnan(unknown_age["estimate"].item())


def test_codes_keep_leading_zeros_across_csv_and_parquet(registry) -> None:
    rate = _rows(registry, "tb_rate")
    areas = set(rate["area"])
    assert {"01", "02", "10"} <= areas and "1" not in areas
    area01 = rate[(rate["area"] == "01") & (rate["sex"] == "_T") & (rate["age_group"] == "_T")]
    assert area01["weighted_denominator"].item() > 0


def test_standardised_rate_excludes_unknown_ages_and_says_so(registry) -> None:
    asr = _rows(registry, "tb_asr")
    assert (asr["standardization"] == "esp_2013").all()
    summary = registry.summary.set_index("indicator_id")
    assert summary.loc["tb_asr", "n_excluded_age"] == 2  # aged 10, and unknown age
    assert summary.loc["tb_rate", "n_excluded_age"] == 1


def test_registry_summary_counts_the_indicator_universe(registry) -> None:
    summary = registry.summary.set_index("indicator_id")
    assert summary.loc["tb_new_share", "n_universe"] == 8
    share = summary.loc["tb_new_share", "unknown_migratory_share"]
    assert share == pytest.approx(1 / 8)  # one blank country of birth -> nativity unknown


def test_registry_proportion_contrasts_and_small_count_flags(registry) -> None:
    con = registry.contrasts[registry.contrasts["indicator_id"] == "tb_new_share"]
    assert set(con["group"]) == {"foreign_born", "unknown"}
    share = _rows(registry, "tb_new_share")
    foreign = share[share["nativity"] == "foreign_born"]
    assert foreign["weighted_numerator"].item() == 2
    assert "R" in foreign["flags"].item().split(";")  # confidentiality: 2 events


def test_regrouping_refuses_bands_that_straddle() -> None:
    assert isinstance(regroup_bands(["Y10T19"], [(15, 24), (25, None)]), list)
    assert regroup_bands(["Y0T4", "Y15T19"], [(15, None)]) == {"Y15T19": "Y_GE15"}


@pytest.fixture(scope="module")
def standardised_survey(tmp_path_factory):
    root = tmp_path_factory.mktemp("std")
    shutil.copytree(ROOT / "indicator_defs", root / "defs")
    src = (root / "defs" / "access_to_care" / "hs_health_coverage.yaml").read_text()
    src = src.replace("id: hs_health_coverage", "id: std_coverage")
    src = src.replace(
        "disaggregate_by: [migratory_status, sex, age_group]", "disaggregate_by: [migratory_status]"
    )
    src = src.replace(
        "[[0, 17], [18, 44], [45, 64], [65, null]]", "[[0, 19], [20, 44], [45, 64], [65, null]]"
    )
    src += "standardize: {by: age_group, standard: who_world_2000_2025}\n"
    (root / "defs" / "access_to_care" / "std_coverage.yaml").write_text(src)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        project = project_with_overrides(Path("mhi.yaml"), definitions=[root / "defs"])
        return compute(project, indicators={"std_coverage"})
    finally:
        os.chdir(cwd)


def test_standardised_survey_contrasts_use_standardised_estimates(standardised_survey) -> None:
    est = standardised_survey.estimates.set_index(["migratory_status", "standardization"])
    con = standardised_survey.contrasts
    std = con[con["standardization"] == "who_world_2000_2025"].set_index("group")
    row = std.loc["foreign_born_noncitizen"]
    g = est.loc[("foreign_born_noncitizen", "who_world_2000_2025"), "estimate"]
    r = est.loc[("native_born_citizen", "who_world_2000_2025"), "estimate"]
    assert row["difference"] == pytest.approx(g - r, rel=1e-12)
    assert row["difference_se"] > 0
    assert set(con["age_group"]) == {"_T"}  # no by-age contrasts when age is not requested
