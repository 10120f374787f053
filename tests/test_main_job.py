"""The README's main job: `mhi compute` on the repository's project, outputs and provenance."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mhindicators import load_catalog
from mhindicators.cli.main import app
from mhindicators.outputs.writers import read_provenance
from mhindicators.results import sha256_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("out")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(app, ["compute", "-o", str(target)])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    assert re.search(r"^\d+ indicators computed, \d+ skipped$", result.output, re.M)
    return target


def test_writes_every_table_in_both_formats(out: Path) -> None:
    for name in ("estimates", "contrasts", "summary"):
        csv = pd.read_csv(out / f"{name}.csv")
        parquet = pd.read_parquet(out / f"{name}.parquet")
        assert len(csv) == len(parquet) > 0
    assert not list(out.glob(".*.tmp"))


def test_every_indicator_is_accounted_for(out: Path) -> None:
    summary = pd.read_parquet(out / "summary.parquet")
    catalog = load_catalog(ROOT / "indicator_defs")
    assert set(summary["indicator_id"]) == set(catalog.indicators)
    computed = set(summary.loc[summary["status"] == "computed", "indicator_id"])
    survey = {i.id for i in catalog if i.source == "survey"}
    assert survey <= computed
    registry = {
        "sdg_3_3_2_tb_notification_rate",
        "tb_notification_asr",
        "sdg_8_8_1_fatal_occupational_injuries",
        "sdg_3_1_1_mmr",
        "sdg_16_2_2_trafficking_victims",
        "mort_asmr_by_cob",
    }
    assert registry <= computed
    skipped = summary[summary["status"] == "skipped"]
    assert skipped["reason"].str.len().gt(0).all()


def test_tidy_columns_and_totals(out: Path) -> None:
    est = pd.read_parquet(out / "estimates.parquet")
    for col in (
        "dataset",
        "country",
        "year",
        "indicator_id",
        "indicator_version",
        "estimate",
        "se",
        "ci_lower",
        "ci_upper",
        "ci_method",
        "conf_level",
        "df",
        "deff",
        "cv",
        "n_unweighted",
        "weighted_denominator",
        "n_eff",
        "flags",
        "migratory_status",
        "sex",
        "age_group",
    ):
        assert col in est.columns, col
    cov = est[est["indicator_id"] == "hs_health_coverage"]
    total = cov[
        (cov["migratory_status"] == "_T") & (cov["sex"] == "_T") & (cov["age_group"] == "_T")
    ]
    assert len(total) == 1 and 0 < total["estimate"].item() <= 100


def test_parquet_provenance(out: Path) -> None:
    prov = read_provenance(out / "estimates.parquet")
    assert prov["tool"] == "mhi"
    survey = ROOT / "sample_data" / "survey" / "nhs_2024.csv"
    assert prov["input.nhs_2024.sha256"] == sha256_file(survey)
    assert prov["definition.hs_health_coverage.sha256"] == sha256_file(
        ROOT / "indicator_defs" / "access_to_care" / "hs_health_coverage.yaml"
    )
    assert "profile.nhs_2024.sha256" in prov


def test_progress_and_the_terminal_summary(monkeypatch) -> None:
    """Progress names every pass over the rows; the summary never cuts a number, even on a
    70-column terminal (long ids fold instead)."""
    import io

    from rich.console import Console

    from mhindicators.cli import compute_cmd
    from mhindicators.pipeline.compute import compute
    from mhindicators.project import load_project

    messages: list[str] = []
    cwd = os.getcwd()
    os.chdir(Path(__file__).resolve().parents[1])
    try:
        result = compute(load_project("mhi.yaml"), progress=messages.append)
    finally:
        os.chdir(cwd)
    screen = io.StringIO()
    monkeypatch.setattr(compute_cmd, "stderr", Console(file=screen, width=70))
    compute_cmd._summary(result, [])
    text = screen.getvalue()
    for n in result.summary["n_universe"].dropna():
        assert f"{int(n):,}" in text
    assert "…" not in text
    survey = [m for m in messages if m.startswith("nhs_2024: indicator")]
    assert survey[0].startswith("nhs_2024: indicators 1-") and survey[-1].count(" of 25")
    assert any(m.startswith("tb: indicator 2 of 2") for m in messages)
