"""Bad survey and registry input: a clear coded message, exit 1 (or 2), and no output at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app

runner = CliRunner()


def run(scratch, *args: str):
    cwd = os.getcwd()
    os.chdir(scratch.root)
    try:
        return runner.invoke(app, ["compute", *args])
    finally:
        os.chdir(cwd)


def assert_fails(
    scratch, code: str, where: str | None = None, exit_code: int = 1, *args: str
) -> str:
    result = run(scratch, *args)
    assert result.exit_code == exit_code, result.output
    assert code in result.output, result.output
    if where:
        assert where in result.output, result.output
    assert "Traceback" not in result.output
    assert not (Path(scratch.root) / "out").exists(), "partial output was written"
    return result.output


def test_sample_project_copy_runs(scratch) -> None:
    result = run(scratch)
    assert result.exit_code == 0, result.output
    assert (scratch.root / "out" / "estimates.csv").exists()


def test_missing_column_names_profile_line(scratch) -> None:
    scratch.edit_csv("survey.csv", lambda f: f.rename(columns={"SEGURO_SALUD": "SEGURO"}))
    line = scratch.line_of("survey.profile.yaml", "SEGURO_SALUD")
    out = assert_fails(scratch, "MHI311", f"survey.profile.yaml:{line}:")
    assert "'SEGURO'" in out  # did-you-mean from the file's own header


def test_profile_for_another_file(scratch) -> None:
    scratch.edit_text(
        "mhi.yaml", "profile: survey.profile.yaml", "profile: population.profile.yaml"
    )
    assert_fails(scratch, "MHI316")


def test_unmapped_code_lists_code_and_count_not_rows(scratch) -> None:
    scratch.edit_csv(
        "survey.csv", lambda f: f.assign(SEXO=f["SEXO"].where(f.index % 1000 != 0, "3"))
    )
    line = scratch.line_of("survey.profile.yaml", "  sex: {1: M")
    out = assert_fails(scratch, "MHI313", f"survey.profile.yaml:{line}:")
    assert "3 (10 rows)" in out.replace("'", "")


@pytest.mark.parametrize(
    ("value", "what"), [("-5", "negative"), ("", "missing"), ("abc", "not numeric")]
)
def test_bad_weights(scratch, value: str, what: str) -> None:
    scratch.edit_csv(
        "survey.csv", lambda f: f.assign(FACTOR=f["FACTOR"].where(f.index != 7, value))
    )
    out = assert_fails(scratch, "MHI360", "survey.profile.yaml:")
    assert "survey.csv" in out


def test_psu_ids_reused_across_strata(scratch) -> None:
    scratch.edit_csv("survey.csv", lambda f: f.assign(UPM="1"))
    assert_fails(scratch, "MHI361", "survey.profile.yaml:")


def test_lonely_psu_under_fail_names_the_stratum(scratch) -> None:
    def one_psu(f):
        first = f[f["ESTRATO"] == "1"]["UPM"].iloc[0]
        return f.assign(UPM=f["UPM"].where(f["ESTRATO"] != "1", first))

    scratch.edit_csv("survey.csv", one_psu)
    out = assert_fails(scratch, "MHI460", "survey.profile.yaml:")
    assert "1" in out


def test_lonely_psu_policy_from_profile_is_used(scratch) -> None:
    def one_psu(f):
        first = f[f["ESTRATO"] == "1"]["UPM"].iloc[0]
        return f.assign(UPM=f["UPM"].where(f["ESTRATO"] != "1", first))

    scratch.edit_csv("survey.csv", one_psu)
    scratch.edit_text("survey.profile.yaml", "lonely_psu: fail", "lonely_psu: adjust")
    assert run(scratch).exit_code == 0


def test_truncated_file(scratch) -> None:
    path = scratch.root / "survey.csv"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] + b'\x00\xff"unterminated')
    result = run(scratch)
    assert result.exit_code == 1, result.output
    assert "MHI31" in result.output and "Traceback" not in result.output


def test_unknown_indicator_in_project(scratch) -> None:
    scratch.edit_text("mhi.yaml", "eu_unmet_medical_need]", "eu_unmet_medical_needs]")
    assert_fails(scratch, "MHI326", "mhi.yaml:")


def test_path_escaping_project_is_refused(scratch) -> None:
    scratch.edit_text("mhi.yaml", "path: survey.csv", "path: ../../etc/passwd")
    assert_fails(scratch, "MHI325", "mhi.yaml:")


def test_usage_errors_exit_2(scratch) -> None:
    assert_fails(
        scratch, "MHI903", None, 2, "--format", "xls"
    )  # xlsx is a format since publication outputs
    assert_fails(scratch, "MHI903", None, 2, "--data", "survey.csv")
    assert_fails(scratch, "MHI901", None, 2, "--project", "nope.yaml")


def test_negative_population(scratch) -> None:
    scratch.write_project(survey=False, registry=True)
    col = _profile_column(scratch, "population")
    scratch.edit_csv(
        "population.csv", lambda f: f.assign(**{col: f[col].where(f.index != 3, "-10")})
    )
    line = scratch.line_of("population.profile.yaml", "  population: ")
    assert_fails(scratch, "MHI315", f"population.profile.yaml:{line}:")


def test_missing_population(scratch) -> None:
    scratch.write_project(survey=False, registry=True)
    col = _profile_column(scratch, "population")
    scratch.edit_csv("population.csv", lambda f: f.assign(**{col: f[col].where(f.index != 3, "")}))
    assert_fails(scratch, "MHI341", "population.profile.yaml")


def test_events_without_population_are_flagged_not_dropped(scratch) -> None:
    scratch.write_project(survey=False, registry=True)
    assert run(scratch).exit_code == 0
    import pandas as pd

    est = pd.read_csv(scratch.root / "out" / "estimates.csv")
    orphan = est[est["status"].fillna("").str.contains("MHI421")]
    assert len(orphan) and orphan["estimate"].isna().all()


def test_unknown_age_band_in_population(scratch) -> None:
    scratch.write_project(survey=False, registry=True)
    band_col = _profile_column(scratch, "age_group")
    scratch.edit_csv(
        "population.csv", lambda f: f.assign(**{band_col: f[band_col].where(f.index != 0, "Y7T12")})
    )
    assert_fails(scratch, "MHI313", "population.profile.yaml:")


def _profile_column(scratch, variable: str) -> str:
    import yaml

    prof = yaml.safe_load((scratch.root / "population.profile.yaml").read_text())
    return prof["columns"][variable]


def test_events_and_denominators_derived_differently(scratch) -> None:
    scratch.write_project(survey=False, registry=True)
    scratch.edit_text("population.profile.yaml", "country: ESP", "country: PRT")
    out = assert_fails(scratch, "MHI317", "population.profile.yaml")
    assert "tb_notifications.profile.yaml" in out
