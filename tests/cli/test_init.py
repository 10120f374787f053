"""`mhi init`: a project that validates and computes at once; never overwrites."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.scaffold import FILES

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_init_validates_and_computes_at_once(tmp_path: Path, monkeypatch) -> None:
    created = runner.invoke(app, ["init", str(tmp_path / "new")])
    assert created.exit_code == 0, created.output
    for rel in FILES:
        assert (tmp_path / "new" / rel).is_file(), rel
    monkeypatch.chdir(tmp_path / "new" / "indicator_defs")  # from a subfolder, too
    checked = runner.invoke(app, ["validate", "--strict"])
    assert checked.exit_code == 0, checked.output
    project = runner.invoke(app, ["validate", "--strict", "../mhi.yaml"])
    assert project.exit_code == 0, project.output
    computed = runner.invoke(app, ["compute", "--quiet"])
    assert computed.exit_code == 0, computed.output
    with open(tmp_path / "new" / "out" / "estimates.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and {r["indicator_id"] for r in rows} == {"hs_health_coverage"}


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    (tmp_path / "mhi.yaml").write_text("name: mine\n", encoding="utf-8")
    again = runner.invoke(app, ["init", str(tmp_path)])
    assert again.exit_code == 2 and "MHI908" in again.output
    assert (tmp_path / "mhi.yaml").read_text(encoding="utf-8") == "name: mine\n"


def test_bundled_definition_is_the_shipped_one() -> None:
    import mhindicators.scaffold as scaffold

    bundled = Path(scaffold.__file__).parent / "hs_health_coverage.yaml"
    shipped = ROOT / "indicator_defs" / "access_to_care" / "hs_health_coverage.yaml"
    assert bundled.read_bytes() == shipped.read_bytes()
