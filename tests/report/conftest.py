"""Runs of the sample and multi-country projects computed once, and their reports."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
MULTI = ROOT / "examples" / "multi_country" / "mhi.yaml"


def invoke(args: list[str], cwd: Path = ROOT):
    here = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, args)
    finally:
        os.chdir(here)


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample_run")
    result = invoke(["compute", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def multi_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("multi_run")
    result = invoke(["compute", "-p", str(MULTI), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def sample_report(sample_run, tmp_path_factory) -> Path:
    """`mhi report` of the sample project (as the README runs it), by sex."""
    target = tmp_path_factory.mktemp("sample_report") / "report.html"
    result = invoke(["report", str(sample_run), "-o", str(target), "--by", "sex"])
    assert result.exit_code == 0, result.output
    return target


def copy_run(run: Path, dest: Path) -> Path:
    shutil.copytree(run, dest)
    return dest


def inequality_fixture(run: Path) -> pd.DataFrame:
    """A small `inequality` table in the agreed schema for two indicators of the run: some
    measures computed, some not applicable (numbers made up; the report only shows them)."""
    est = pd.read_parquet(run / "estimates.parquet")
    ids = ["eu_unmet_medical_need", "hs_health_coverage"]
    base = est[est["indicator_id"].isin(ids)].drop_duplicates("indicator_id")
    id_cols = [
        "dataset",
        "country",
        "year",
        "indicator_id",
        "indicator_version",
        "source",
        "estimator",
        "unit",
        "migratory_basis",
    ]
    rows = []
    for _, b in base.iterrows():
        for measure, value, status, reason in [
            ("D", 1.5, "computed", ""),
            ("R", 1.2, "computed", ""),
            ("PAF", 4.0, "computed", ""),
            ("BGV", 0.8, "computed", ""),
            ("TI", float("nan"), "not_applicable", "an estimate of 0 in a group (log undefined)"),
            ("MLD", float("nan"), "not_applicable", "an estimate of 0 in a group (log undefined)"),
        ]:
            rows.append(
                {
                    **{c: b[c] for c in id_cols},
                    "age_group": "_T",
                    "sex": "_T",
                    "dimension": "migratory_status",
                    "measure": measure,
                    "estimate": value,
                    "se": value / 10,
                    "ci_lower": value - 0.2,
                    "ci_upper": value + 0.2,
                    "conf_level": 0.95,
                    "n_groups": 4,
                    "reference_group": "native_born_citizen",
                    "favourable": False,
                    "status": status,
                    "reason": reason,
                }
            )
    by_sex = {**rows[0], "sex": "F", "estimate": 7777.77}  # not a headline row: not shown
    return pd.DataFrame([*rows, by_sex])
