"""`mhi list`: compact at 80 columns, counts of what is shown, csv/json, refused filters."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from mhindicators import load_catalog
from mhindicators.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
DEFS = ROOT / "indicator_defs"
runner = CliRunner()


def _list(*args: str, columns: int = 80):
    return runner.invoke(app, ["list", str(DEFS), *args], env={"COLUMNS": str(columns)})


def test_default_fits_80_columns_one_line_per_indicator() -> None:
    catalog = load_catalog(DEFS)
    themes = {i.theme for i in catalog}
    result = _list()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert len(lines) == 1 + len(themes) + len(catalog)
    assert lines[0] == f"{len(catalog)} indicators"
    for ind in catalog:
        assert any(line.split()[:2] == [ind.id, ind.source] for line in lines), ind.id


def test_header_counts_what_the_filter_shows() -> None:
    catalog = load_catalog(DEFS)
    registry = sorted(i.id for i in catalog if i.source == "registry")
    result = _list("--source", "registry")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{len(registry)} of {len(catalog)} indicators"
    shown = [ln.split()[0] for ln in result.stdout.splitlines()[1:] if ln.startswith("  ")]
    assert sorted(shown) == registry


def test_csv_and_json_hold_every_field() -> None:
    catalog = load_catalog(DEFS)
    rows = list(csv.DictReader(io.StringIO(_list("--format", "csv").stdout)))
    assert len(rows) == len(catalog)
    first = catalog.get(rows[0]["id"])
    assert rows[0]["name"] == first.name and rows[0]["estimator"] == first.estimator
    data = json.loads(_list("-f", "json", "--theme", "mortality,policy").stdout)
    expected = sorted(i.id for i in catalog if i.theme in ("mortality", "policy"))
    assert sorted(r["id"] for r in data) == expected


def test_unknown_filter_values_exit_2_with_a_suggestion() -> None:
    result = _list("--source", "registri")
    assert result.exit_code == 2
    assert "MHI905" in result.output and "Did you mean 'registry'" in result.output
    assert _list("--theme", "nosuch").exit_code == 2
    assert _list("--format", "xml").exit_code == 2
