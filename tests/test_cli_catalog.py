"""`mhi validate`, `list`, `show`, `schema` on the shipped catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mhindicators import load_catalog
from mhindicators.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
DEFS = ROOT / "indicator_defs"
runner = CliRunner()


def test_shipped_catalogue_validates_cleanly() -> None:
    result = runner.invoke(app, ["validate", "--strict", str(DEFS)])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output


def test_catalogue_has_required_indicators() -> None:
    catalog = load_catalog(DEFS)
    assert len(catalog) >= 20
    sdg = {ind.framework.sdg for ind in catalog}
    assert {"3.1.1", "3.1.2", "3.3.2", "3.8.2", "8.8.1", "10.7.1", "16.2.2"} <= sdg
    sources = {ind.source for ind in catalog}
    assert sources == {"survey", "registry"}
    assert any(i.estimator == "standardized_rate" for i in catalog)
    for ind in catalog:
        assert ind.framework.references, ind.id
        assert ind.theme == catalog.paths[ind.id].parent.name, ind.id


def test_validate_json_format_goes_to_stdout(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", "--format", "json", str(bad)])
    assert result.exit_code == 1
    issues = json.loads(result.stdout)
    assert issues and {"code", "file", "line", "col", "message", "hint"} <= set(issues[0])


def test_validate_usage_errors_exit_2(tmp_path: Path, monkeypatch) -> None:
    assert runner.invoke(app, ["validate", str(tmp_path / "missing")]).exit_code == 2
    monkeypatch.chdir(tmp_path)  # no paths and no project found: nothing to validate
    assert runner.invoke(app, ["validate"]).exit_code == 2
    assert runner.invoke(app, ["validate", "--format", "xml", str(DEFS)]).exit_code == 2


def test_list_and_show() -> None:
    catalog = load_catalog(DEFS)
    some = sorted(catalog.indicators)[0]
    listed = runner.invoke(app, ["list", str(DEFS)])
    assert listed.exit_code == 0 and some in listed.output
    shown = runner.invoke(app, ["show", some, "--defs", str(DEFS)])
    assert shown.exit_code == 0 and catalog.get(some).name[:20] in shown.output
    missing = runner.invoke(app, ["show", "no_such_indicator", "--defs", str(DEFS)])
    assert missing.exit_code == 2 and "MHI902" in missing.output


@pytest.mark.reference_toolchain
def test_schema_matches_committed_copy(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert runner.invoke(app, ["schema", "-o", str(out)]).exit_code == 0
    committed = (ROOT / "docs" / "indicator-definition.schema.json").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed
    schema = json.loads(committed)
    assert schema["additionalProperties"] is False


def test_show_prints_the_line_and_the_quantile() -> None:
    shown = runner.invoke(app, ["show", "eu_arop_rate", "--defs", str(DEFS)])
    assert shown.exit_code == 0 and "0.6 x the 0.5 quantile" in shown.output
    shown = runner.invoke(app, ["show", "fp_oop_spending_median", "--defs", str(DEFS)])
    assert shown.exit_code == 0 and "0.5 (rule math)" in shown.output
