"""Registry indicators run only on registers whose records they count (event types as data).

The sample project without `indicators:` lists must compute each registry indicator on its
own register only, with the numbers of the root project (which lists them); a mismatch is a
reason in the skipped list, or a located project error when the project lists the indicator.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.errors import MhiError
from mhindicators.pipeline.compute import compute
from mhindicators.pipeline.report import summary_counts
from mhindicators.profiles.loader import load_profile
from mhindicators.project import load_project, project_with_overrides

ROOT = Path(__file__).resolve().parents[2]

# Which register each registry indicator of the catalogue means (from the definitions' texts).
OWN_REGISTER = {
    "sdg_3_3_2_tb_notification_rate": "tb",
    "tb_notification_asr": "tb",
    "mort_asmr_by_cob": "deaths",
    "sdg_3_4_2_suicide_rate": "deaths",
    "sdg_3_1_1_mmr": "maternal_deaths",
    "peristat_low_birth_weight": "births",
    "sdg_8_8_1_fatal_occupational_injuries": "occupational_injuries",
    "sdg_8_8_1_nonfatal_occupational_injuries": "occupational_injuries",
    "sdg_16_2_2_trafficking_victims": "trafficking",
    "his_migration_core_variables": "data_sources",
}
KEYS = ["indicator_id", "dataset", "migratory_status", "nativity", "citizenship_status"]
KEYS += ["sex", "age_group"]


@pytest.fixture(scope="module")
def sample_and_root():
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        sample = compute(
            project_with_overrides(
                Path("sample_data/mhi.yaml"), definitions=[Path("indicator_defs")]
            )
        )
        root = compute(load_project("mhi.yaml"))
    finally:
        os.chdir(cwd)
    return sample, root


def test_each_registry_indicator_runs_only_on_its_register(sample_and_root) -> None:
    sample, _ = sample_and_root
    done = sample.summary[sample.summary["status"] == "computed"]
    registry = done[done["indicator_id"].isin(OWN_REGISTER)]
    where = registry.groupby("indicator_id")["dataset"].apply(sorted).to_dict()
    assert where == {ident: [ds] for ident, ds in OWN_REGISTER.items()}
    est = sample.estimates
    assert set(est.loc[est["indicator_id"].isin(OWN_REGISTER), "dataset"].unique()) == set(
        OWN_REGISTER.values()
    )


def test_same_numbers_as_the_root_project_with_lists(sample_and_root) -> None:
    sample, root = sample_and_root
    cols = ["estimate", "se", "ci_lower", "ci_upper", "n_unweighted"]
    for name in ("estimates", "contrasts"):
        a, b = getattr(sample, name), getattr(root, name)
        a = a[a["indicator_id"].isin(OWN_REGISTER)]
        b = b[b["indicator_id"].isin(OWN_REGISTER)]
        keys = [k for k in KEYS + ["dimension", "group", "reference"] if k in a.columns]
        a = a.sort_values(keys).reset_index(drop=True)
        b = b.sort_values(keys).reset_index(drop=True)
        assert len(a) == len(b) > 0
        pd.testing.assert_frame_equal(a[keys], b[keys])
        for col in (c for c in cols if c in a.columns):
            pd.testing.assert_series_equal(a[col], b[col], rtol=1e-12)


def test_mismatch_reasons_name_both_sides(sample_and_root) -> None:
    summary = sample_and_root[0].summary.set_index(["indicator_id", "dataset"])
    reason = summary.loc[("sdg_16_2_2_trafficking_victims", "deaths"), "reason"]
    assert reason == "the register holds death records; this indicator counts trafficking_victim"
    reason = summary.loc[("sdg_3_1_1_mmr", "deaths"), "reason"]
    assert reason == "the denominator table counts population; this indicator is per live_births"
    row = summary.loc[("mort_asmr_by_cob", "tb")]
    assert (row["status"], row["indicator_status"]) == ("skipped", "computed")


def test_summary_counts_indicator_ids_not_rows(sample_and_root) -> None:
    summary = sample_and_root[0].summary
    computed, skipped = summary_counts(summary)
    ids = set(summary["indicator_id"])
    assert set(computed) | set(skipped) == ids and not set(computed) & set(skipped)
    # sample_data/mhi.yaml has no policy table (the root mhi.yaml has): its 4 indicators skip
    assert skipped == [
        "hiv_tb_travel_restrictions_share",
        "sdg_10_7_2_d1a_health_access",
        "tb_travel_restrictions",
        "unaids_hiv_travel_restrictions",
    ]
    on_some = summary.loc[summary["status"] == "computed", "indicator_id"]
    assert set(computed) == set(on_some)


def test_terminal_headline_counts_ids(tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        args = ["compute", "-p", "sample_data/mhi.yaml", "--defs", "indicator_defs"]
        result = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "out"), "-f", "csv"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(tmp_path / "out" / "summary.csv", keep_default_na=False)
    n_computed = summary.loc[summary["status"] == "computed", "indicator_id"].nunique()
    n_all = summary["indicator_id"].nunique()
    headline = f"{n_computed} indicators computed, {n_all - n_computed} skipped"
    assert re.search(rf"^{headline}$", result.output, re.M), result.output[:300]
    assert "4 indicators skipped:" in result.output
    assert "details: computed indicators not run on other datasets:" in result.output


# ------------------------------------------------------------------------------------------
# a small register of deaths: 4 male and 2 female deaths over 1,000 + 2,000 people
# ------------------------------------------------------------------------------------------

HEAD = """version: 1.0.0
framework: {pillar: monitoring, references: [{citation: "Test"}]}
source: registry
estimator: rate
unit: per_100000
disaggregate_by: [sex]
"""
DEFS = {
    "death_rate": "event_types: [death]\nnumerator: 'event_type == \"death\"'\n"
    "denominator: population\n",
    "victim_rate": "event_types: [trafficking_victim]\n"
    "numerator: 'event_type == \"trafficking_victim\"'\ndenominator: population\n",
    "maternal_ratio": "event_types: [death]\nnumerator: 'cause_of_death_group == \"maternal\"'\n"
    "denominator: live_births\n",
}
META = "metadata: {country: ESP, year: 2024, source: test register}\n"


def _register(root: Path, events_profile: str, types: list[int], listed: str = "") -> Path:
    pd.DataFrame(
        {
            "SEX": list("MMMMFF") + ["M"] * (len(types) - 6),
            "TYPE": types,
            "CAUSE": ["maternal", "other"] * (len(types) // 2),
        }
    ).to_csv(root / "events.csv", index=False)
    pd.DataFrame({"SEX": ["M", "F"], "POP": [1000, 2000]}).to_csv(root / "pop.csv", index=False)
    (root / "events.profile.yaml").write_text(events_profile, encoding="utf-8")
    pop = "id: pop\nkind: denominator\ndenominator_type: population\n" + META
    pop += "columns: {sex: SEX, population: POP}\n"
    (root / "pop.profile.yaml").write_text(pop, encoding="utf-8")
    (root / "defs").mkdir(exist_ok=True)
    for ident, body in DEFS.items():
        text = f"id: {ident}\nname: {ident}\ndescription: A test rate of the register.\n"
        (root / "defs" / f"{ident}.yaml").write_text(text + HEAD + body, encoding="utf-8")
    project = root / "mhi.yaml"
    project.write_text(
        "definitions: [defs]\ndatasets:\n  - id: deaths\n    kind: registry\n"
        "    events: {path: events.csv, profile: events.profile.yaml}\n"
        "    denominator: {path: pop.csv, profile: pop.profile.yaml}\n" + listed,
        encoding="utf-8",
    )
    return project


DEATHS = (
    "id: ev\nkind: events\n" + META + "columns: {sex: SEX, event_type: TYPE, "
    "cause_of_death_group: CAUSE}\nrecode: {event_type: {1: death}}\n"
)


def _total(result, ident: str) -> pd.Series:
    est = result.estimates
    return est[(est["indicator_id"] == ident) & (est["sex"] == "_T")].iloc[0]


def test_a_deaths_register_computes_deaths_only(tmp_path: Path) -> None:
    result = compute(load_project(_register(tmp_path, DEATHS, [1] * 6)))
    assert _total(result, "death_rate")["estimate"] == pytest.approx(6 / 3000 * 1e5, rel=1e-12)
    summary = result.summary.set_index("indicator_id")
    assert summary.loc["victim_rate", "status"] == "skipped"
    assert summary.loc["victim_rate", "reason"] == (
        "the register holds death records; this indicator counts trafficking_victim"
    )
    assert summary.loc["maternal_ratio", "reason"] == (
        "the denominator table counts population; this indicator is per live_births"
    )
    assert "victim_rate" not in set(result.estimates["indicator_id"])


def test_listing_a_mismatching_indicator_is_a_located_error(tmp_path: Path) -> None:
    listed = "    indicators: [death_rate, victim_rate]\n"
    project = _register(tmp_path, DEATHS, [1] * 6, listed)
    result = CliRunner().invoke(app, ["compute", "-p", str(project), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    line = next(i for i, t in enumerate(project.read_text().splitlines(), 1) if "victim" in t)
    col = project.read_text().splitlines()[line - 1].index("victim_rate") + 1
    assert f"mhi.yaml:{line}:{col}: error MHI336" in result.output
    assert "holds death records; this indicator counts trafficking_victim" in result.output
    assert not (tmp_path / "o").exists()
    assert "Traceback" not in result.output


def test_listing_a_rate_per_another_measure_is_a_located_error(tmp_path: Path) -> None:
    project = _register(tmp_path, DEATHS, [1] * 6, "    indicators: [maternal_ratio]\n")
    with pytest.raises(MhiError) as err:
        compute(load_project(project))
    (item,) = err.value.issues
    assert (item.code, Path(item.file).name, item.line, item.col) == ("MHI336", "mhi.yaml", 7, 18)
    assert item.message.endswith(
        "the denominator table counts population; this indicator is per live_births"
    )


def test_a_mixed_register_counts_only_the_declared_records(tmp_path: Path) -> None:
    """Deaths (1) and trafficking victims (5) in one extract: each rate counts its own."""
    mixed = DEATHS.replace("{1: death}", "{1: death, 5: trafficking_victim}")
    mixed = mixed.replace(
        "kind: events\n", "kind: events\nevent_types: [death, trafficking_victim]\n"
    )
    result = compute(load_project(_register(tmp_path, mixed, [1, 5, 1, 1, 5, 1, 1, 1])))
    assert _total(result, "death_rate")["estimate"] == pytest.approx(6 / 3000 * 1e5, rel=1e-12)
    assert _total(result, "victim_rate")["estimate"] == pytest.approx(2 / 3000 * 1e5, rel=1e-12)
    summary = result.summary.set_index("indicator_id")
    assert summary.loc["death_rate", "n_universe"] == 6
    assert summary.loc["victim_rate", "n_universe"] == 2


def test_a_one_type_extract_needs_no_event_type_column(tmp_path: Path) -> None:
    plain = "id: ev\nkind: events\nevent_types: [death]\n" + META + "columns: {sex: SEX}\n"
    result = compute(load_project(_register(tmp_path, plain, [1] * 6)))
    assert _total(result, "death_rate")["estimate"] == pytest.approx(6 / 3000 * 1e5, rel=1e-12)


def test_raw_event_types_outside_the_declaration_stop_the_run(tmp_path: Path) -> None:
    raw = (
        "id: ev\nkind: events\nevent_types: [death]\n"
        + META
        + "columns: {sex: SEX, event_type: TYPE}\n"
    )
    project = _register(tmp_path, raw, [1] * 6)
    pd.DataFrame({"SEX": list("MMMMFF"), "TYPE": ["death"] * 5 + ["live_birth"]}).to_csv(
        tmp_path / "events.csv", index=False
    )
    with pytest.raises(MhiError) as err:
        compute(load_project(project))
    (item,) = err.value.issues
    assert (item.code, item.line, item.col) == ("MHI337", 5, 33)  # the raw column TYPE
    assert "live_birth (1)" in item.message and "[death]" in item.message


# ------------------------------------------------------------------------------------------
# profile declarations: every problem located at its key
# ------------------------------------------------------------------------------------------

EVENTS = "id: ev\nkind: events\n" + META
PROFILE_CASES = {
    "MHI330": (EVENTS + "columns: {sex: SEX}\n", 2, 7),
    "MHI331": (
        EVENTS + "event_types: [death]\ncolumns: {event_type: T}\n"
        "recode: {event_type: {1: death, 2: live_birth}}\n",
        4,
        14,
    ),
    "MHI332": (EVENTS + "event_types: [death, burial]\ncolumns: {sex: SEX}\n", 4, 22),
    "MHI333": (EVENTS + "event_types: [death, live_birth]\ncolumns: {sex: SEX}\n", 4, 14),
    "MHI334": (
        "id: pop\nkind: denominator\n" + META + "denominator_type: live_births\n"
        "columns: {population: POP}\n",
        4,
        19,
    ),
    "MHI335": (
        "id: pop\nkind: denominator\n" + META + "event_types: [death]\n"
        "columns: {population: POP}\n",
        4,
        1,
    ),
}


@pytest.mark.parametrize("code", sorted(PROFILE_CASES))
def test_profile_declaration_problems_are_located(tmp_path: Path, code: str) -> None:
    text, line, col = PROFILE_CASES[code]
    path = tmp_path / "p.profile.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MhiError) as err:
        load_profile(path)
    found = [(i.code, i.line, i.col) for i in err.value.issues]
    assert (code, line, col) in found, found


def test_a_recode_declares_the_event_types(tmp_path: Path) -> None:
    path = tmp_path / "p.profile.yaml"
    path.write_text(EVENTS + "columns: {event_type: T}\nrecode: {event_type: {3: death}}\n")
    from mhindicators.profiles.records import event_types

    assert event_types(load_profile(path).profile) == {"death"}
