"""The Excel workbook read back with openpyxl: frozen headers, unit number formats, suppressed
cells shown as suppressed (never the value), caution shading, notes with legend and provenance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from mhindicators.outputs.writers import read_provenance

FORMATS = {
    "percent": "0.0",
    "per_100000": "0.0",
    "per_100000_live_births": "0.0",
    "ratio": "0.00",
    "currency": "0",
    "number": "0",
}


@pytest.fixture(scope="module")
def book(sample_out: Path):
    return openpyxl.load_workbook(sample_out / "results.xlsx")


def _frame(sheet) -> pd.DataFrame:
    rows = list(sheet.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_sheets_and_frozen_headers(book) -> None:
    assert book.sheetnames == [
        "estimates",
        "contrasts",
        "inequality",
        "summary",
        "codelists",
        "notes",
    ]
    for name in ("estimates", "contrasts", "inequality", "summary", "codelists"):
        assert book[name].freeze_panes == "A2"
        assert book[name]["A1"].font.bold


def test_suppressed_cells_never_show_the_value(book, sample_out: Path) -> None:
    est = pd.read_parquet(sample_out / "estimates.parquet")
    shown = _frame(book["estimates"])
    assert len(shown) == len(est)
    hidden = est["action"] == "suppress"
    assert hidden.sum() > 100
    for col in ("estimate", "se", "ci_lower", "ci_upper", "cv"):
        assert (shown.loc[hidden, col] == "x").all(), col
    confidential = est["flags"].str.split(";").map(lambda f: "R" in f)
    for col in ("n_unweighted", "weighted_numerator", "events"):
        assert (shown.loc[confidential, col] == "x").all(), col
    published = ~hidden & est["estimate"].notna()
    got = shown.loc[published, "estimate"].astype(float).to_numpy()
    assert np.allclose(got, est.loc[published, "estimate"].to_numpy(), rtol=1e-14, atol=0)


def test_number_formats_and_shading(book, sample_out: Path) -> None:
    est = pd.read_parquet(sample_out / "estimates.parquet")
    sheet = book["estimates"]
    col = list(est.columns).index("estimate") + 1
    for i, row in enumerate(est.itertuples(), start=2):
        cell = sheet.cell(i, col)
        assert cell.number_format == FORMATS[row.unit]
        fill = cell.fill.start_color.rgb if cell.fill.fill_type else None
        if row.action == "publish_with_caution":
            assert fill.endswith("FFF2CC")
        elif row.action == "publish":
            assert fill is None


def test_contrasts_of_suppressed_cells_are_hidden(book, sample_out: Path) -> None:
    est = pd.read_parquet(sample_out / "estimates.parquet")
    con = pd.read_parquet(sample_out / "contrasts.parquet")
    shown = _frame(book["contrasts"])
    assert len(shown) == len(con)
    suppressed = est[est["action"] == "suppress"]
    keys = set(
        zip(suppressed["indicator_id"], suppressed["migratory_status"], strict=True)
    )  # by hand for overall contrasts: (indicator, group) of cells with every other dim _T
    overall = suppressed[(suppressed["sex"] == "_T") & (suppressed["age_group"] == "_T")]
    overall_keys = set(zip(overall["indicator_id"], overall["migratory_status"], strict=True))
    checked = 0
    for i, row in con.iterrows():
        if row["dimension"] != "migratory_status" or row["sex"] != "_T":
            continue
        if row["age_group"] != "_T":
            continue
        if (row["indicator_id"], row["group"]) in overall_keys:
            assert shown.loc[i, "estimate"] == "x" and shown.loc[i, "difference"] == "x"
            checked += 1
    assert checked > 5 and keys


def test_notes_hold_legend_and_provenance(book, sample_out: Path) -> None:
    values = [r for r in book["notes"].iter_rows(values_only=True)]
    flat = {v for r in values for v in r if v is not None}
    assert {"Px", "DHSx", "Cx", "R"} <= flat
    prov = read_provenance(sample_out / "estimates.parquet")
    pairs = {(r[0], r[1]) for r in values if len(r) > 1 and r[0] in prov}
    assert pairs == set(prov.items())


def test_without_openpyxl_xlsx_is_a_coded_error(tmp_path, run_in, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl -> ImportError
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "out"
    result = run_in(root, "compute", "-q", "-o", str(out), "-f", "xlsx")
    assert result.exit_code == 2 and "MHI702" in result.output and "publish" in result.output
    assert "Traceback" not in result.output and not out.exists()
