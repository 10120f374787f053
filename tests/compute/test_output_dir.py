"""Outputs stay inside the project (MHI352) unless --out says so; unusable folder: MHI350."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.errors import ProfileError
from mhindicators.project import load_project


def run(scratch, *args: str):
    cwd = os.getcwd()
    os.chdir(scratch.root)
    try:
        return CliRunner().invoke(app, ["compute", *args])
    finally:
        os.chdir(cwd)


def set_output_dir(scratch, value: str) -> int:
    scratch.edit_text("mhi.yaml", "output: {dir: out,", f"output: {{dir: '{value}',")
    return scratch.line_of("mhi.yaml", "output:")


def refused(scratch, value: str) -> str:
    line = set_output_dir(scratch, value)
    result = run(scratch)
    assert result.exit_code == 1, result.output
    assert "MHI352" in result.output, result.output
    assert f"mhi.yaml:{line}:" in result.output, result.output
    assert "Traceback" not in result.output
    return result.output


def test_output_dir_climbing_out_is_refused(scratch) -> None:
    refused(scratch, "../escaped")
    assert not (scratch.root.parent / "escaped").exists()


def test_output_dir_absolute_is_refused(scratch, tmp_path_factory) -> None:
    target = tmp_path_factory.mktemp("elsewhere") / "out"
    out = refused(scratch, str(target))
    assert "is absolute" in out
    assert not target.exists()


def test_output_dir_symlink_out_of_project_is_refused(scratch, tmp_path_factory) -> None:
    target = tmp_path_factory.mktemp("elsewhere")
    (scratch.root / "out").symlink_to(target, target_is_directory=True)
    out = refused(scratch, "out")
    assert "symlink 'out'" in out and "outside the project" in out
    assert list(target.iterdir()) == []


def test_output_dir_inside_project_through_symlink_is_allowed(scratch) -> None:
    (scratch.root / "results").mkdir()
    (scratch.root / "out").symlink_to("results", target_is_directory=True)
    project = load_project(scratch.root / "mhi.yaml")
    assert project.output_dir() == scratch.root / "out"
    set_output_dir(scratch, "sub/../out")
    assert load_project(scratch.root / "mhi.yaml").output_dir() == scratch.root / "sub/../out"


def test_explicit_out_may_point_anywhere(scratch, tmp_path_factory) -> None:
    set_output_dir(scratch, "../escaped")
    target = tmp_path_factory.mktemp("chosen") / "results"
    result = run(scratch, "--out", str(target), "--quiet")
    assert result.exit_code == 0, result.output
    assert (target / "estimates.csv").is_file()
    assert not (scratch.root.parent / "escaped").exists()


def test_input_symlink_out_of_project_says_symlink(scratch, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (scratch.root / "survey.csv").rename(outside / "survey.csv")
    (scratch.root / "data").symlink_to(outside, target_is_directory=True)
    scratch.edit_text("mhi.yaml", "path: survey.csv", "path: data/survey.csv")
    line = scratch.line_of("mhi.yaml", "data/survey.csv")
    with pytest.raises(ProfileError) as err:
        load_project(scratch.root / "mhi.yaml").resolve("data/survey.csv", "datasets", 0, "path")
    (item,) = err.value.issues
    assert item.code == "MHI325" and item.line == line
    assert "symlink 'data'" in item.message and "outside the project" in item.message


def test_output_folder_that_is_a_file(scratch) -> None:
    (scratch.root / "taken").write_text("not a folder\n")
    result = run(scratch, "--out", "taken", "--quiet")
    assert result.exit_code == 1, result.output
    assert "MHI350" in result.output and "taken" in result.output, result.output
    assert "MHI900" not in result.output and "Traceback" not in result.output
    assert (scratch.root / "taken").read_text() == "not a folder\n"


def test_output_folder_not_writable(scratch) -> None:
    if os.geteuid() == 0:  # root writes through permissions; the kernel refuses /sys
        if not sys.platform.startswith("linux"):
            raise AssertionError("run this test as a normal user")
        target = Path("/sys/mhi-test-out")
    else:
        locked = scratch.root / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        target = locked / "out"
    result = run(scratch, "--out", str(target), "--quiet")
    assert result.exit_code == 1, result.output
    assert "MHI350" in result.output and str(target.parent) in result.output, result.output
    assert "MHI900" not in result.output and "Traceback" not in result.output


def test_symlink_loop_is_a_located_error_not_a_crash(scratch) -> None:
    (scratch.root / "a").symlink_to("b")
    (scratch.root / "b").symlink_to("a")
    scratch.edit_text("mhi.yaml", "path: survey.csv", "path: a/survey.csv")
    project = load_project(scratch.root / "mhi.yaml")
    with pytest.raises(ProfileError) as err:
        project.resolve("a/survey.csv", "datasets", 0, "path")
    assert err.value.issues[0].code == "MHI325" and "loop" in err.value.issues[0].message
    set_output_dir(scratch, "a")
    with pytest.raises(ProfileError) as err:
        load_project(scratch.root / "mhi.yaml").output_dir()
    assert err.value.issues[0].code == "MHI352" and "loop" in err.value.issues[0].message
