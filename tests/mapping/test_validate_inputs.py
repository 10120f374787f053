"""`mhi validate` on profiles and project files: checked without data, every problem located."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.profiles.check import file_kind

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
runner = CliRunner()


def validate(*args: str):
    return runner.invoke(app, ["validate", "--format", "json", *map(str, args)])


def issues(result) -> list[dict]:
    return json.loads(result.stdout)


def test_sample_project_and_profiles_validate_cleanly() -> None:
    profiles = sorted(SAMPLE.glob("**/*.profile.yaml"))
    result = validate("--strict", SAMPLE / "mhi.yaml", *profiles, ROOT / "indicator_defs")
    assert result.exit_code == 0, result.output
    assert issues(result) == []
    assert file_kind(SAMPLE / "mhi.yaml") == "project"
    assert file_kind(profiles[0]) == "profile"
    assert file_kind(ROOT / "indicator_defs" / "maternal_health" / "sdg_3_1_1_mmr.yaml") == (
        "definition"
    )


def _line(path: Path, needle: str) -> int:
    return next(i for i, t in enumerate(path.read_text().splitlines(), 1) if needle in t)


def test_bad_profile_is_located(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    text = (SAMPLE / "survey" / "nhs_2024.profile.yaml").read_text(encoding="utf-8")
    text = text.replace("  sex:                            SEXO", "  sexe: SEXO")
    text = text.replace("lonely_psu: fail", "lonely_psu: fial")
    path.write_text(text, encoding="utf-8")
    result = validate(path)
    assert result.exit_code == 1
    found = {(i["code"], i["line"]) for i in issues(result)}
    assert ("MHI305", _line(path, "lonely_psu")) in found
    # schema errors stop before the vocabulary check; fix them and the mapping is checked
    path.write_text(text.replace("lonely_psu: fial", "lonely_psu: fail"), encoding="utf-8")
    (item,) = issues(validate("--kind", "profile", path))
    assert (item["code"], item["line"]) == ("MHI306", _line(path, "sexe:"))
    assert "'sex'" in item["hint"]


def _project(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "p")
    return tmp_path / "p" / "mhi.yaml"


def test_project_checks_its_profiles_without_data(tmp_path: Path) -> None:
    project = _project(tmp_path)
    for data in (project.parent / "registry").glob("*.parquet"):
        data.unlink()
    profile = project.parent / "survey" / "nhs_2024.profile.yaml"
    profile.write_text(profile.read_text().replace("sex: {1: M, 2: F}", "sex: {1: M, 2: X}"))
    result = validate(project)
    assert result.exit_code == 1, result.output
    found = [(i["code"], Path(i["file"]).name, i["severity"]) for i in issues(result)]
    assert ("MHI307", "nhs_2024.profile.yaml", "error") in found
    absent = [f for f in found if f[0] == "MHI522"]
    assert len(absent) == 4 and {f[2] for f in absent} == {"warning"}  # 3 parquet files, 4 uses
    assert all(Path(i["file"]).name == "mhi.yaml" for i in issues(result) if i["code"] == "MHI522")


def test_project_with_missing_data_only_warns(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project.parent / "survey" / "nhs_2024.csv").unlink()
    assert validate(project).exit_code == 0
    assert validate("--strict", project).exit_code == 1


def test_project_profile_of_the_wrong_kind(tmp_path: Path) -> None:
    project = _project(tmp_path)
    text = project.read_text().replace(
        "profile: survey/nhs_2024.profile.yaml", "profile: registry/population.profile.yaml"
    )
    project.write_text(text)
    codes = [i["code"] for i in issues(validate(project))]
    assert "MHI316" in codes


def test_project_path_outside_is_located(tmp_path: Path) -> None:
    project = _project(tmp_path)
    project.write_text(project.read_text().replace("path: survey/nhs_2024.csv", "path: ../x.csv"))
    (item,) = issues(validate(project))
    assert (item["code"], item["line"]) == ("MHI325", _line(project, "../x.csv"))


def test_bad_kind_option_is_usage_error() -> None:
    assert validate("--kind", "nope", SAMPLE / "mhi.yaml").exit_code == 2


def test_published_schemas_name_the_new_keys() -> None:
    profile = json.loads((ROOT / "docs" / "profile.schema.json").read_text())
    project = json.loads((ROOT / "docs" / "project.schema.json").read_text())
    assert {"code_tables", "join", "columns"} <= set(profile["properties"])
    assert "datasets" in project["properties"]


@pytest.mark.reference_toolchain
def test_schema_command_exports_the_profile_and_project_schemas(tmp_path: Path) -> None:
    for kind in ("profile", "project"):
        out = tmp_path / f"{kind}.json"
        assert runner.invoke(app, ["schema", "--kind", kind, "-o", str(out)]).exit_code == 0
        assert out.read_text() == (ROOT / "docs" / f"{kind}.schema.json").read_text()


def test_schema_command_kinds(tmp_path: Path) -> None:
    for kind in ("profile", "project"):
        out = tmp_path / f"{kind}.json"
        assert runner.invoke(app, ["schema", "--kind", kind, "-o", str(out)]).exit_code == 0
        assert json.loads(out.read_text())["type"] == "object"
    assert runner.invoke(app, ["schema", "--kind", "nope"]).exit_code == 2


def test_project_names_an_unknown_indicator(tmp_path: Path) -> None:
    project = _project(tmp_path)
    shutil.copytree(ROOT / "indicator_defs", project.parent / "indicator_defs")
    text = project.read_text().replace(
        "    profile: survey/nhs_2024.profile.yaml\n",
        "    profile: survey/nhs_2024.profile.yaml\n    indicators: [hs_health_coverag]\n",
    )
    project.write_text(text)
    (item,) = issues(validate(project))
    assert (item["code"], item["line"]) == ("MHI326", _line(project, "hs_health_coverag"))


def test_library_functions_are_public() -> None:
    import mhindicators as mhi

    assert mhi.check_project(SAMPLE / "mhi.yaml").ok
    assert mhi.check_profile(SAMPLE / "survey" / "nhs_2024.profile.yaml").ok
    assert mhi.code_table("iso2_to_iso3")["NA"] == "NAM"
    text = mhi.draft_profile(SAMPLE / "survey" / "nhs_2024.csv", country="ESP", max_rows=100)
    assert text.startswith("# Draft profile of nhs_2024.csv")
    loaded = mhi.load_profile(SAMPLE / "survey" / "nhs_2024.profile.yaml")
    assert mhi.unmapped_values(SAMPLE / "survey" / "nhs_2024.csv", loaded).empty
