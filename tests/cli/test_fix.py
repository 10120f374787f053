"""`mhi validate --fix`: did-you-mean names replaced in place; the rest of the file untouched."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mhindicators.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "indicator_defs" / "access_to_care" / "hs_health_coverage.yaml"
runner = CliRunner()


def test_fix_round_trip_keeps_comments_and_layout(tmp_path: Path) -> None:
    original = GOOD.read_bytes().decode("utf-8").replace("\n", "\r\n")  # CRLF kept too
    original = original.replace(
        'numerator: "has_health_insurance == true"',
        'numerator:   "has_health_insurance == true"   # coverage, as answered',
    )
    broken = original.replace('"has_health_insurance ==', '"has_helth_insurance ==').replace(
        "[migratory_status, sex, age_group]", "[migratory_status, sexx, age_group]"
    )
    target = tmp_path / GOOD.name
    target.write_bytes(broken.encode("utf-8"))
    before = runner.invoke(app, ["validate", str(target)])
    assert before.exit_code == 1 and "MHI202" in before.stdout and "MHI133" in before.stdout

    fixed = runner.invoke(app, ["validate", "--fix", str(target)])
    assert fixed.exit_code == 0, fixed.output
    assert "fixed 2 issue(s)" in fixed.stderr
    assert target.read_bytes().decode("utf-8") == original  # byte for byte, comment included


def test_fix_leaves_issues_without_a_single_suggestion(tmp_path: Path) -> None:
    text = GOOD.read_text(encoding="utf-8").replace("estimator: proportion", "estimator: foo")
    target = tmp_path / GOOD.name
    target.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", "--fix", str(target)])
    assert result.exit_code == 1 and "MHI114" in result.stdout
    assert target.read_text(encoding="utf-8") == text
