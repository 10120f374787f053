"""Suppression comments: on the line or for the whole file, and only with a reason."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mhindicators.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "indicator_defs" / "access_to_care" / "hs_health_coverage.yaml"
runner = CliRunner()


def _write(tmp_path: Path, first_line_comment: str = "", head: str = "") -> Path:
    lines = GOOD.read_text(encoding="utf-8").splitlines()
    lines[0] += first_line_comment  # `id:` does not match the file name below: MHI131
    target = tmp_path / "renamed.yaml"
    target.write_text(head + "\n".join(lines) + "\n", encoding="utf-8")
    return target


def test_without_comment_the_issue_is_reported(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(_write(tmp_path))])
    assert result.exit_code == 1 and "MHI131" in result.stdout


def test_line_suppression_with_a_reason(tmp_path: Path) -> None:
    target = _write(tmp_path, "  # mhi: ignore[MHI131] the printed report uses this id")
    result = runner.invoke(app, ["validate", "--strict", str(target)])
    assert result.exit_code == 0, result.output


def test_file_suppression_with_a_reason(tmp_path: Path) -> None:
    target = _write(tmp_path, head="# mhi: ignore-file[MHI131] kept for the archive\n")
    result = runner.invoke(app, ["validate", "--strict", str(target)])
    assert result.exit_code == 0, result.output


def test_suppression_without_a_reason_suppresses_nothing(tmp_path: Path) -> None:
    target = _write(tmp_path, "  # mhi: ignore[MHI131]")
    result = runner.invoke(app, ["validate", str(target)])
    assert result.exit_code == 1
    assert "MHI131" in result.stdout and "renamed.yaml:1:" in result.stdout
    assert "MHI909" in result.stdout


def test_other_codes_are_not_suppressed(tmp_path: Path) -> None:
    target = _write(tmp_path, "  # mhi: ignore[MHI133] not this one")
    assert runner.invoke(app, ["validate", str(target)]).exit_code == 1
