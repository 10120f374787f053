"""User-supplied standard populations named in mhi.yaml (`standard_populations:`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.errors import MhiError
from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project
from mhindicators.stdpop import get_standard

runner = CliRunner()
ASR = "indicator_defs/infectious_disease/tb_notification_asr.yaml"


def _write_standard(path: Path, flat: bool) -> None:
    """The WHO world standard's bands with its own weights, or with equal weights."""
    who = get_standard("who_world_2000_2025")
    rows = ["# name: national_2021", "band,lower,upper,weight"]
    for band, lo, hi, w in zip(who["band"], who["lower"], who["upper"], who["weight"], strict=True):
        upper = "" if pd.isna(hi) else int(hi)
        rows.append(f"{band},{int(lo)},{upper},{1.0 if flat else repr(float(w))}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _asr_rows(project_path: Path) -> pd.DataFrame:
    out = compute(load_project(project_path), indicators={"tb_notification_asr"}).estimates
    return out.sort_values(["migratory_status", "sex"]).reset_index(drop=True)


NUMBERS = ["estimate", "ci_lower", "ci_upper"]


def test_a_project_standard_is_used_by_name(scratch) -> None:
    """The WHO weights under a project name give the WHO results; flat weights do not."""
    who = _asr_rows(scratch.write_project(survey=False, registry=True))
    scratch.edit_text(ASR, "standard: who_world_2000_2025", "standard: national_2021")
    extra = "standard_populations: {national_2021: national.csv}"
    _write_standard(scratch.root / "national.csv", flat=False)
    same = _asr_rows(scratch.write_project(survey=False, registry=True, extra=extra))
    assert set(same["standardization"]) == {"national_2021"}
    np.testing.assert_allclose(same[NUMBERS], who[NUMBERS], rtol=1e-12)
    _write_standard(scratch.root / "national.csv", flat=True)
    flat = _asr_rows(scratch.write_project(survey=False, registry=True, extra=extra))
    assert np.isfinite(flat["estimate"]).any()
    assert not np.allclose(flat["estimate"], who["estimate"], rtol=1e-3, equal_nan=True)


def test_unknown_standard_names_the_project_option(scratch) -> None:
    scratch.edit_text(ASR, "standard: who_world_2000_2025", "standard: national_2021")
    project = scratch.write_project(survey=False, registry=True)
    with pytest.raises(MhiError) as err:
        compute(load_project(project))
    codes = {i.code for i in err.value.issues}
    assert "MHI137" in codes
    text = " ".join(i.message + " " + (i.hint or "") for i in err.value.issues)
    assert "standard_populations" in text


def test_project_standard_cannot_shadow_a_shipped_one(scratch) -> None:
    _write_standard(scratch.root / "national.csv", flat=True)
    project = scratch.write_project(extra="standard_populations: {esp_2013: national.csv}")
    with pytest.raises(MhiError) as err:
        load_project(project)
    (problem,) = err.value.issues
    assert problem.code == "MHI320" and "shipped" in problem.message
    assert problem.line == scratch.line_of("mhi.yaml", "standard_populations")


def test_project_standard_with_bad_csv_is_located(scratch) -> None:
    (scratch.root / "national.csv").write_text("band,weight\nY0T4,1\n", encoding="utf-8")
    scratch.edit_text(ASR, "standard: who_world_2000_2025", "standard: national_2021")
    extra = "standard_populations: {national_2021: national.csv}"
    project = scratch.write_project(survey=False, registry=True, extra=extra)
    with pytest.raises(MhiError) as err:
        compute(load_project(project))
    assert any(i.code == "MHI427" and "national.csv" in i.file for i in err.value.issues)


def test_validate_accepts_project_standards(scratch, monkeypatch) -> None:
    _write_standard(scratch.root / "national.csv", flat=True)
    scratch.edit_text(ASR, "standard: who_world_2000_2025", "standard: national_2021")
    extra = "standard_populations: {national_2021: national.csv}"
    project = scratch.write_project(survey=False, registry=True, extra=extra)
    monkeypatch.chdir(scratch.root)
    plain = runner.invoke(app, ["validate", "indicator_defs"])
    assert plain.exit_code == 1 and "MHI137" in plain.output
    assert "standard_populations" in plain.output
    with_project = runner.invoke(app, ["validate", "--project", str(project), "indicator_defs"])
    assert with_project.exit_code == 0, with_project.output


def test_survey_standardisation_uses_a_project_standard(scratch) -> None:
    cov = scratch.root / "indicator_defs" / "access_to_care" / "hs_health_coverage.yaml"
    src = cov.read_text(encoding="utf-8").replace("id: hs_health_coverage", "id: std_coverage")
    src = src.replace(
        "disaggregate_by: [migratory_status, sex, age_group]", "disaggregate_by: [migratory_status]"
    ).replace(
        "[[0, 17], [18, 44], [45, 64], [65, null]]", "[[0, 19], [20, 44], [45, 64], [65, null]]"
    )
    std = scratch.root / "indicator_defs" / "access_to_care" / "std_coverage.yaml"
    std.write_text(src + "standardize: {by: age_group, standard: who_world_2000_2025}\n")
    project = scratch.root / "mhi.yaml"
    survey = "datasets: [{id: survey, path: survey.csv, profile: survey.profile.yaml}]\n"
    project.write_text("definitions: [indicator_defs]\n" + survey, encoding="utf-8")
    who = compute(load_project(project), indicators={"std_coverage"}).estimates
    _write_standard(scratch.root / "national.csv", flat=False)
    std.write_text(src + "standardize: {by: age_group, standard: national_2021}\n")
    project.write_text(
        "definitions: [indicator_defs]\n" + survey + "standard_populations:\n"
        "  national_2021: national.csv\n",
        encoding="utf-8",
    )
    same = compute(load_project(project), indicators={"std_coverage"}).estimates
    rows = same["standardization"] == "national_2021"
    assert rows.sum() == (who["standardization"] == "who_world_2000_2025").sum() > 0
    np.testing.assert_allclose(
        same.loc[rows, NUMBERS].to_numpy(),
        who.loc[who["standardization"] == "who_world_2000_2025", NUMBERS].to_numpy(),
        rtol=1e-12,
    )


@pytest.mark.parametrize("target", ["folder", "latin"])
def test_unreadable_project_standard_is_a_located_error(scratch, target) -> None:
    if target == "folder":
        (scratch.root / "national").mkdir()
        path = "national"
    else:
        (scratch.root / "national.csv").write_bytes(b"\xff\xfeband,lower\n")
        path = "national.csv"
    scratch.edit_text(ASR, "standard: who_world_2000_2025", "standard: national_2021")
    project = scratch.write_project(extra=f"standard_populations: {{national_2021: {path}}}")
    result = runner.invoke(
        app, ["validate", "--project", str(project), str(scratch.root / "indicator_defs")]
    )
    assert result.exit_code == 1, result.output
    assert "MHI427" in result.output and "MHI900" not in result.output


def test_list_and_show_take_the_project(scratch) -> None:
    _write_standard(scratch.root / "national.csv", flat=True)
    scratch.edit_text(ASR, "standard: who_world_2000_2025", "standard: national_2021")
    project = str(
        scratch.write_project(extra="standard_populations: {national_2021: national.csv}")
    )
    defs = str(scratch.root / "indicator_defs")
    assert runner.invoke(app, ["list", defs]).exit_code == 1
    listed = runner.invoke(app, ["list", defs, "--project", project])
    assert listed.exit_code == 0, listed.output
    shown = runner.invoke(app, ["show", "tb_notification_asr", "--defs", defs, "-p", project])
    assert shown.exit_code == 0 and "national_2021" in shown.output
