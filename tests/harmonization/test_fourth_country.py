"""A new user adds a fourth country to the example, following docs/multi-country.md: a
profile written by hand, one national variant, one more dataset; the country's rows reach
the stacked and comparison tables with the right codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project

ROOT = Path(__file__).resolve().parents[2]

PROFILE = """\
id: nor_levekar_2024
kind: survey
metadata: {country: NOR, year: 2024, source: Levekarsundersokelsen 2024 (synthetic test)}
columns:
  sex: KJONN
  age: ALDER
  country_of_birth: FODELAND
  citizenship: STATSBORGERSKAP
  self_perceived_health: HELSE
recode:
  sex: {1: M, 2: F}
  self_perceived_health: {1: very_good, 2: good, 3: fair, 4: bad, 5: very_bad}
design: {weight: VEKT, strata: STRATUM, psu: PSU}
"""

VARIANT = """\
id: eu_self_perceived_health_bad_nor
version: 1.0.0
extends: {id: eu_self_perceived_health_bad, version: 1.0.0}
country: NOR
deviations:
  - kind: age_range
    fields: [universe, age_groups]
    note: The survey samples persons aged 18 and over.
universe: "age >= 18"
age_groups: [[18, 44], [45, 64], [65, null]]
"""


def _norway(n: int = 800) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    foreign = rng.random(n) < 0.2
    return pd.DataFrame(
        {
            "STRATUM": np.repeat([1, 2, 3, 4], n // 4),
            "PSU": np.repeat(np.arange(1, 41), n // 40),
            "KJONN": rng.integers(1, 3, n),
            "ALDER": rng.integers(18, 90, n),
            "FODELAND": np.where(foreign, rng.choice(["POL", "SOM", "SWE"], n), "NOR"),
            "STATSBORGERSKAP": np.where(foreign & (rng.random(n) < 0.6), "POL", "NOR"),
            "HELSE": rng.integers(1, 6, n),
            "VEKT": rng.uniform(500, 1500, n).round(1),
        }
    )


@pytest.fixture
def repo(tmp_path) -> Path:
    """The parts of the repository the example project reads, copied."""
    shutil.copytree(ROOT / "indicator_defs", tmp_path / "indicator_defs")
    shutil.copytree(
        ROOT / "examples" / "multi_country",
        tmp_path / "examples" / "multi_country",
        ignore=shutil.ignore_patterns("out"),
    )
    for part in ("survey/nhs_2024", "registry/deaths", "registry/population"):
        for path in (ROOT / "sample_data").glob(part + "*"):
            target = tmp_path / "sample_data" / path.relative_to(ROOT / "sample_data")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    return tmp_path


def test_a_fourth_country_reaches_the_stacked_and_comparison_tables(repo) -> None:
    example = repo / "examples" / "multi_country"
    (example / "nor").mkdir()
    data = _norway()
    data.to_csv(example / "nor" / "levekar_2024.csv", index=False)
    (example / "nor" / "levekar_2024.profile.yaml").write_text(PROFILE)
    (example / "definitions" / "eu_self_perceived_health_bad_nor.yaml").write_text(VARIANT)
    project = (example / "mhi.yaml").read_text()
    dataset = (
        "  - id: nor_survey\n    country: NOR\n    path: nor/levekar_2024.csv\n"
        "    profile: nor/levekar_2024.profile.yaml\n"
        "    indicators: [eu_self_perceived_health_bad, eu_self_perceived_health_bad_nor]\n"
    )
    project = project.replace("comparison:\n", dataset + "comparison:\n")
    (example / "mhi.yaml").write_text(project)

    result = compute(load_project(example / "mhi.yaml"))
    st = result.tables["stacked"]
    nor = st[(st["country"] == "NOR") & (st["sex"] == "_T") & (st["age_group"] == "_T")]
    ref = nor[(nor["variant_id"] == "") & (nor["migratory_group"] == "_T")].iloc[0]
    var = nor[nor["variant_id"].eq("eu_self_perceived_health_bad_nor")]
    assert (ref["comparability"], ref["nature"], ref["period"]) == ("R", "C", "2024")
    assert ref["migratory_basis"] == "country_of_birth+citizenship"
    assert set(var["comparability"]) == {"V:age_range"}
    # the reference estimate by hand: weighted share of bad or very bad among persons 16+
    adults = data[data["ALDER"] >= 16]
    want = 100 * np.average(adults["HELSE"].isin([4, 5]), weights=adults["VEKT"])
    assert ref["estimate"] == pytest.approx(want, rel=1e-12)
    con = result.tables["comparison"]
    rows = con[
        (con["country"] == "NOR")
        & (con["reference_indicator_id"] == "eu_self_perceived_health_bad")
    ]
    assert set(rows["variant_id"]) == {"", "eu_self_perceived_health_bad_nor"}
    assert rows[rows["variant_id"] == ""]["comparable"].all()
    gaps = result.tables["gap_differences"]
    pair = gaps[
        (gaps["country_a"] == "ESP")
        & (gaps["country_b"] == "NOR")
        & (gaps["variant_b"] == "")
        & (gaps["group"] == "foreign_born_noncitizen")
    ]
    assert len(pair) == 1 and bool(pair["comparable"].iloc[0])
    agg = result.tables["aggregates"]
    row = agg[
        (agg["reference_indicator_id"] == "eu_self_perceived_health_bad")
        & (agg["migratory_group"] == "foreign_born_noncitizen")
    ].iloc[0]
    assert row["members"] == "ESP;NOR" and row["missing_members"] == "MAR;SWE"


def test_a_drafted_profile_gives_the_same_fourth_country(repo, tmp_path_factory) -> None:
    """The same country with its profile drafted by `mhi profile draft`: the analyst only does
    what the REVIEW lines ask (name the weight, map the outcome, complete the recodes)."""
    from mhindicators import draft_profile

    example = repo / "examples" / "multi_country"
    (example / "nor").mkdir()
    data = _norway()
    data.to_csv(example / "nor" / "levekar_2024.csv", index=False)
    draft = draft_profile(example / "nor" / "levekar_2024.csv", country="NOR")
    assert "weight: WEIGHT  # REVIEW: no weight column found" in draft
    assert "#   HELSE: integer, 5 distinct" in draft
    for line in ("sex: KJONN", "age: ALDER", "country_of_birth: FODELAND", "psu: PSU"):
        assert f"  {line}  # REVIEW:" in draft
    edited = (
        draft.replace(
            "  weight: WEIGHT  # REVIEW: no weight column found: name it", "  weight: VEKT"
        )
        .replace(
            "columns:  # canonical variable: raw column\n",
            "columns:\n  self_perceived_health: HELSE\n",
        )
        .replace(
            "recode: {}",
            "recode:\n  sex: {1: M, 2: F}\n"
            "  self_perceived_health: {1: very_good, 2: good, 3: fair, 4: bad, 5: very_bad}",
        )
    )
    (example / "nor" / "levekar_2024.profile.yaml").write_text(edited)
    (example / "definitions" / "eu_self_perceived_health_bad_nor.yaml").write_text(VARIANT)
    dataset = (
        "  - id: nor_survey\n    country: NOR\n    path: nor/levekar_2024.csv\n"
        "    profile: nor/levekar_2024.profile.yaml\n"
        "    indicators: [eu_self_perceived_health_bad, eu_self_perceived_health_bad_nor]\n"
    )
    project = (example / "mhi.yaml").read_text().replace("comparison:\n", dataset + "comparison:\n")
    (example / "mhi.yaml").write_text(project)
    drafted = compute(load_project(example / "mhi.yaml")).tables["stacked"]

    (example / "nor" / "levekar_2024.profile.yaml").write_text(PROFILE)
    by_hand = compute(load_project(example / "mhi.yaml")).tables["stacked"]
    pick = ["country", "variant_id", "migratory_group", "sex", "age_group", "estimate", "se"]
    a = drafted[drafted["country"] == "NOR"][pick].reset_index(drop=True)
    b = by_hand[by_hand["country"] == "NOR"][pick].reset_index(drop=True)
    assert len(a) > 0
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)
