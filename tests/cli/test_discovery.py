"""Project discovery: mhi.yaml in the current folder or a parent; a clear message without one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.discovery import find_project

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "indicator_defs" / "access_to_care" / "eu_unmet_dental_need.yaml"
runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "defs" / "care").mkdir(parents=True)
    shutil.copyfile(GOOD, tmp_path / "defs" / "care" / GOOD.name)
    (tmp_path / "mhi.yaml").write_text("name: t\ndefinitions: [defs]\n", encoding="utf-8")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    return tmp_path


def test_find_project_walks_up(project: Path, tmp_path_factory) -> None:
    assert find_project(project / "deep" / "er") == (project / "mhi.yaml").resolve()
    assert find_project(project) == (project / "mhi.yaml").resolve()
    # a folder with no mhi.yaml above it (pytest's base temp holds none)
    assert find_project(tmp_path_factory.getbasetemp()) is None


def test_commands_work_from_a_subfolder(project: Path, monkeypatch) -> None:
    monkeypatch.chdir(project / "deep" / "er")
    listed = runner.invoke(app, ["list"])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[0] == "1 indicators" and GOOD.stem in listed.stdout
    assert runner.invoke(app, ["show", GOOD.stem]).exit_code == 0
    checked = runner.invoke(app, ["validate"])
    assert checked.exit_code == 0, checked.output
    (project / "defs" / "care" / "x.yaml").write_text("id: x\n", encoding="utf-8")
    broken = runner.invoke(app, ["validate"])
    assert broken.exit_code == 1 and "x.yaml:" in broken.output


@pytest.mark.parametrize("command", [["validate"], ["list"], ["compute"], ["matrix"]])
def test_without_a_project_the_message_says_how_to_start(
    command: list[str], tmp_path_factory, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("empty"))
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    assert "MHI906" in result.output and "no mhi.yaml in" in result.output
    assert "mhi init" in result.output
    assert "MHI325" not in result.output and "<input>" not in result.output
