"""Help in words with examples, bare `mhi`, comma lists; the licence and citation files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mhindicators import __version__
from mhindicators.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
COMMANDS = [["init"], ["compute"], ["validate"], ["list"], ["show"], ["schema"], ["diff"],
            ["matrix"], ["explain"], ["profile", "draft"], ["profile", "check"]]  # fmt: skip


def test_bare_mhi_shows_help_and_exits_0() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 0, result.output
    assert "Usage: mhi" in result.output and "explain" in result.output
    assert "--install-completion" in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_has_examples_and_no_python_types_on_options(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    assert "Example" in result.output, command
    options = result.output.split("Options:")[1]
    assert not re.search(r"<(str|int|path|list\[[A-Za-z]+\]|float)>", options), options


def test_comma_lists_where_lists_are(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compute", "-f", "parquet,xml", "--defs", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown output format 'xml'" in result.output  # parquet was accepted from the list


def test_licence_changelog_citation() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    assert "END OF TERMS AND CONDITIONS" in licence
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0" and citation["version"] == __version__
    assert citation["license"] == "Apache-2.0"
    assert (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").startswith("# Changelog")
