"""Bad multi-country projects: located, coded errors and nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.errors import MhiError
from mhindicators.harmonization.aggregate import aggregates
from mhindicators.harmonization.basis import indicator_basis, inferred_bases
from mhindicators.harmonization.comparability import comparability
from mhindicators.pipeline.compute import compute
from mhindicators.project import Comparison, load_project

ROOT = Path(__file__).resolve().parents[2]
SWE = ROOT / "examples" / "multi_country" / "swe"
runner = CliRunner()


@pytest.fixture
def two_swedens(tmp_path) -> Path:
    """A project folder with the catalogue and the Swedish registers."""
    shutil.copytree(ROOT / "indicator_defs", tmp_path / "indicator_defs")
    for name in ("deaths", "population"):
        shutil.copy(SWE / f"{name}.csv", tmp_path / f"{name}.csv")
        shutil.copy(SWE / f"{name}.profile.yaml", tmp_path / f"{name}.profile.yaml")
    return tmp_path


def _registry(ident: str, extra: str = "") -> str:
    return (
        f"  - id: {ident}\n    kind: registry\n{extra}"
        "    events: {path: deaths.csv, profile: deaths.profile.yaml}\n"
        "    denominator: {path: population.csv, profile: population.profile.yaml}\n"
        "    indicators: [mort_asmr_by_cob]\n"
    )


def _codes(exc: MhiError) -> list[str]:
    return [i.code for i in exc.issues]


def test_two_datasets_for_one_country_period_and_indicator(two_swedens) -> None:
    text = "definitions: [indicator_defs]\ndatasets:\n" + _registry("a") + _registry("b")
    (two_swedens / "mhi.yaml").write_text(text)
    with pytest.raises(MhiError) as err:
        compute(load_project(two_swedens / "mhi.yaml"))
    (problem,) = err.value.issues
    assert problem.code == "MHI541"
    assert (problem.line, problem.col) == (8, 9)  # the second dataset's id
    assert "a and b" in problem.message and "SWE 2024" in problem.message
    out = two_swedens / "out"
    res = runner.invoke(app, ["compute", "-p", str(two_swedens / "mhi.yaml"), "-o", str(out)])
    assert res.exit_code == 1 and "MHI541" in res.output
    assert not out.exists()  # nothing partial written
    # distinct periods make them two keys (a declared country: multi-country tables)
    text = (
        "definitions: [indicator_defs]\ndatasets:\n"
        + _registry("a", "    country: SWE\n    period: 2022-2024\n")
        + _registry("b")
    )
    (two_swedens / "mhi.yaml").write_text(text)
    result = compute(load_project(two_swedens / "mhi.yaml"))
    assert set(result.tables["stacked"]["period"]) == {"2022-2024", "2024"}


def test_dataset_country_must_agree_with_its_profile(two_swedens) -> None:
    text = "definitions: [indicator_defs]\ndatasets:\n" + _registry("a", "    country: NOR\n")
    (two_swedens / "mhi.yaml").write_text(text)
    with pytest.raises(MhiError) as err:
        compute(load_project(two_swedens / "mhi.yaml"))
    (problem,) = err.value.issues
    assert problem.code == "MHI542" and (problem.line, problem.col) == (5, 14)
    assert "NOR" in problem.message and "SWE" in problem.message


def test_a_declared_basis_needs_a_column(two_swedens) -> None:
    prof = two_swedens / "deaths.profile.yaml"
    prof.write_text(prof.read_text() + "migratory_basis: [citizenship, protection_status]\n")
    text = "definitions: [indicator_defs]\ndatasets:\n" + _registry("a")
    (two_swedens / "mhi.yaml").write_text(text)
    with pytest.raises(MhiError) as err:
        compute(load_project(two_swedens / "mhi.yaml"))
    (problem,) = err.value.issues
    assert problem.code == "MHI540" and problem.file.endswith("deaths.profile.yaml")
    assert "protection_status" in problem.message and problem.line > 1


def test_a_declared_basis_restricts_the_plan(two_swedens) -> None:
    """Sweden says its country-of-birth coding is not for publication: the indicator by
    nativity is refused with the basis named, not computed."""
    for name in ("deaths", "population"):
        prof = two_swedens / f"{name}.profile.yaml"
        prof.write_text(prof.read_text() + "migratory_basis: [citizenship]\n")
    text = "definitions: [indicator_defs]\ndatasets:\n" + _registry("a")
    (two_swedens / "mhi.yaml").write_text(text)
    result = compute(load_project(two_swedens / "mhi.yaml"))
    assert result.estimates.empty
    reason = result.summary.set_index("indicator_id").loc["mort_asmr_by_cob", "reason"]
    assert "migratory_basis lacks country_of_birth" in reason


def test_root_may_only_name_an_ancestor_and_confines_paths(tmp_path) -> None:
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (tmp_path / "outside.yaml").write_text("x: 1\n")
    (sub / "mhi.yaml").write_text("root: /etc\ndefinitions: [../../outside.yaml]\n")
    with pytest.raises(MhiError) as err:
        load_project(sub / "mhi.yaml")
    assert _codes(err.value) == ["MHI320"] and err.value.issues[0].line == 1
    (sub / "mhi.yaml").write_text("root: ..\ndefinitions: [../../outside.yaml]\n")
    project = load_project(sub / "mhi.yaml")
    with pytest.raises(MhiError) as err:
        project.resolve("../../outside.yaml", "definitions", 0)
    assert _codes(err.value) == ["MHI325"] and "outside root .." in err.value.issues[0].message
    (sub / "mhi.yaml").write_text("root: ../..\ndefinitions: [../../outside.yaml]\n")
    project = load_project(sub / "mhi.yaml")
    assert project.resolve("../../outside.yaml", "definitions", 0).exists()
    with pytest.raises(MhiError):
        project.resolve("../../../x", "definitions", 0)


def _ind(ident, **kw):
    base = {
        "id": ident,
        "extends": None,
        "deviations": [],
        "source": "survey",
        "unit": "percent",
        "disaggregate_by": ["migratory_status", "sex"],
    }
    return SimpleNamespace(**{**base, **kw})


def test_comparability_codes_of_a_variant() -> None:
    ref = _ind("eu_unmet_medical_need")
    dev = [SimpleNamespace(kind=k) for k in ("recall_period", "age_range", "age_range")]
    var = _ind(
        "eu_unmet_medical_need_mar",
        extends=SimpleNamespace(id="eu_unmet_medical_need", version="1.0.0"),
        deviations=[*dev, SimpleNamespace(kind="migratory_status_basis")],
        disaggregate_by=["citizenship_status", "sex"],
    )
    assert comparability(ref, ref) == ("R", [])
    codes, reasons = comparability(var, ref)
    assert codes == "V:age_range+migratory_status_basis+recall_period;B"
    assert "citizenship instead of country_of_birth+citizenship" in reasons[-1]
    reg = _ind("x", source="registry", unit="per_1000")
    assert comparability(reg, ref)[0] == "R;S;U"
    assert indicator_basis(_ind("g", disaggregate_by=["migrant_generation"])) == (
        "country_of_birth+parents_country_of_birth"
    )
    assert inferred_bases({"citizenship": "C", "age": "A"}) == ("citizenship",)
    assert inferred_bases(["nativity", "mother_country_of_birth", "father_country_of_birth"]) == (
        "country_of_birth",
        "parents_country_of_birth",
    )


def _stacked(rows):
    frame = pd.DataFrame(
        rows,
        columns=[
            "country",
            "estimate",
            "se",
            "weighted_denominator",
            "comparability",
            "variant_id",
        ],
    )
    return frame.assign(
        reference_indicator_id="r",
        period="2024",
        migratory_dimension="nativity",
        migratory_group="foreign_born",
        nativity="foreign_born",
        sex="_T",
        unit="percent",
        conf_level=0.95,
    )


def test_aggregate_is_refused_when_a_member_is_not_comparable() -> None:
    rows = [("ESP", 10.0, 1.0, 100.0, "R", ""), ("MAR", 20.0, 2.0, 50.0, "V:age_range;B", "v")]
    agg = aggregates(_stacked(rows), ["nativity", "sex"], Comparison(members=["ESP", "MAR"]))
    (row,) = agg.to_dict("records")
    assert np.isnan(row["estimate"]) and row["status"] == "MHI545"
    assert row["reasons"] == "MAR: V:age_range;B"
    rows[1] = ("SWE", 20.0, 2.0, 50.0, "R", "")
    agg = aggregates(_stacked(rows), ["nativity", "sex"], Comparison(members=["ESP", "MAR", "SWE"]))
    (row,) = agg.to_dict("records")
    assert row["estimate"] == pytest.approx((100 * 10 + 50 * 20) / 150)
    assert row["se"] == pytest.approx(np.sqrt((100 / 150) ** 2 + (50 / 150) ** 2 * 4))
    assert (row["flags"], row["missing_members"], row["status"]) == ("MHI546", "MAR", "")


def _variant(path: Path, ident: str, country: str) -> None:
    path.write_text(
        f"id: {ident}\nversion: 1.0.0\nextends: {{id: mort_asmr_by_cob, version: 1.0.0}}\n"
        f"country: {country}\ndeviations:\n  - kind: reference_period\n    fields: []\n"
        "    note: Year-end register population.\n"
    )


def test_variants_run_only_on_their_own_country(two_swedens) -> None:
    _variant(two_swedens / "indicator_defs" / "mort_swe.yaml", "mort_swe", "SWE")
    _variant(two_swedens / "indicator_defs" / "mort_nor.yaml", "mort_nor", "NOR")
    text = "definitions: [indicator_defs]\ndatasets:\n" + _registry("a", "    country: SWE\n")
    text = text.replace(
        "indicators: [mort_asmr_by_cob]", "indicators: [mort_asmr_by_cob, mort_swe]"
    )
    (two_swedens / "mhi.yaml").write_text(text)
    st = compute(load_project(two_swedens / "mhi.yaml")).tables["stacked"]
    assert set(st["variant_id"]) == {"", "mort_swe"}
    assert set(st.loc[st["variant_id"] == "mort_swe", "comparability"]) == {"V:reference_period"}
    (two_swedens / "mhi.yaml").write_text(text.replace("mort_swe]", "mort_swe, mort_nor]"))
    with pytest.raises(MhiError) as err:
        compute(load_project(two_swedens / "mhi.yaml"))
    (problem,) = err.value.issues
    assert problem.code == "MHI543" and "mort_nor is a variant for NOR" in problem.message
    assert problem.line == 8 and problem.col > 40  # the listed id, on the indicators line


def test_one_indicator_in_two_units_is_refused(tmp_path) -> None:
    from mhindicators.harmonization.tables import _check_units

    stacked = pd.DataFrame(
        {
            "dataset": ["esp", "nor"],
            "indicator_id": ["a", "a_nor"],
            "country": ["ESP", "NOR"],
            "reference_indicator_id": ["a", "a"],
            "unit": ["per_100000", "per_1000"],
        }
    )
    (tmp_path / "mhi.yaml").write_text(
        "datasets:\n  - {id: esp, path: e.csv, profile: e.yaml}\n"
        "  - {id: nor, path: n.csv, profile: n.yaml}\n"
    )
    project = load_project(tmp_path / "mhi.yaml")
    info = {
        "a": {"reference_unit": "per_100000", "deviations": ""},
        "a_nor": {"reference_unit": "per_100000", "deviations": "age_range"},
    }
    with pytest.raises(MhiError) as err:
        _check_units(project, stacked, info)
    (problem,) = err.value.issues
    assert problem.code == "MHI544" and "a_nor (NOR) is in per_1000" in problem.message
    assert (problem.line, problem.col) == (3, 10)  # the id of the dataset giving per_1000
    info["a_nor"]["deviations"] = "age_range+unit"
    _check_units(project, stacked, info)  # declared: flagged U on the rows, not refused


def test_aggregate_members_are_iso3_codes(tmp_path) -> None:
    (tmp_path / "mhi.yaml").write_text("comparison:\n  members: [ESP, Morocco]\n")
    with pytest.raises(MhiError) as err:
        load_project(tmp_path / "mhi.yaml")
    (problem,) = err.value.issues
    assert problem.code == "MHI320" and "Morocco" in problem.message and problem.line == 2
