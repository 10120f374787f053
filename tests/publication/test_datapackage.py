"""The CSV tables come with a Frictionless Data Package that the `frictionless` library
validates (schemas, row types, byte counts and SHA-256), carrying the Parquet provenance."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import frictionless
import pandas as pd

from mhindicators.outputs.writers import read_provenance


def test_frictionless_validates_the_written_package(sample_out: Path) -> None:
    report = frictionless.validate(sample_out / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    package = json.loads((sample_out / "datapackage.json").read_text())
    names = {r["path"] for r in package["resources"]}
    assert names == {f"{n}.csv" for n in ("estimates", "contrasts", "inequality", "summary")} | {
        "flags_legend.csv",
        "codelists.csv",
    }
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["title"].startswith("mhi sample project")


def test_package_carries_the_parquet_provenance(sample_out: Path) -> None:
    package = json.loads((sample_out / "datapackage.json").read_text())
    assert package["mhi:provenance"] == read_provenance(sample_out / "estimates.parquet")
    assert package["mhi:provenance"]["dataset.tb.reference_period"] == "2022-2024"


def test_frictionless_reads_the_rounded_numbers(sample_out: Path) -> None:
    package = frictionless.Package(sample_out / "datapackage.json")
    rows = package.get_resource("estimates").read_rows()
    first = pd.read_csv(sample_out / "estimates.csv", nrows=2, keep_default_na=False)
    assert len(rows) == len(pd.read_parquet(sample_out / "estimates.parquet"))
    assert float(rows[1]["estimate"]) == first.loc[1, "estimate"]


def test_a_changed_csv_fails_validation(sample_out: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(sample_out, copy, symlinks=False, ignore=shutil.ignore_patterns(".mhi"))
    text = (copy / "summary.csv").read_text()
    (copy / "summary.csv").write_text(text.replace("computed", "computeD", 1))
    assert not frictionless.validate(copy / "datapackage.json").valid


def test_unknown_format_is_a_usage_error_and_nothing_is_written(tmp_path, run_in) -> None:
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "out"
    result = run_in(root, "compute", "-q", "-o", str(out), "-f", "xls")
    assert result.exit_code == 2 and "MHI903" in result.output and "'xls'" in result.output
    assert not out.exists()
