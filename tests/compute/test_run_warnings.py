"""Results that are still meaningful but must not pass silently: a coded warning on the
terminal, in the summary table's `warnings` column and in the provenance; exit 0."""

from __future__ import annotations

import pandas as pd

from mhindicators.outputs.writers import read_provenance
from tests.compute.test_bad_input import assert_fails, run


def _ok(scratch) -> tuple[str, pd.DataFrame, dict]:
    result = run(scratch)
    assert result.exit_code == 0, result.output
    out = scratch.root / "out"
    summary = pd.read_csv(out / "summary.csv", dtype=str, keep_default_na=False)
    return result.output, summary, read_provenance(out / "summary.parquet")


def _codes(summary: pd.DataFrame, indicator: str) -> str:
    return summary.loc[summary["indicator_id"] == indicator, "warnings"].iloc[0]


def test_all_missing_outcome_warns(scratch) -> None:
    scratch.edit_csv("survey.csv", lambda f: f.assign(SEGURO_SALUD=""))
    output, summary, prov = _ok(scratch)
    assert "warning MHI470" in output and "hs_health_coverage" in output
    assert _codes(summary, "hs_health_coverage") == "MHI470"
    assert _codes(summary, "eu_unmet_medical_need") == ""
    assert "MHI470 hs_health_coverage" in prov["warnings"]


def test_empty_universe_warns(scratch) -> None:
    # every respondent a child: the adult indicator's universe is empty
    scratch.edit_csv("survey.csv", lambda f: f.assign(EDAD="10"))
    output, summary, _ = _ok(scratch)
    assert "warning MHI471" in output
    assert _codes(summary, "eu_unmet_medical_need") == "MHI471"


def test_events_without_population_warn(scratch) -> None:
    # no population for foreign-born men: their TB notifications have no denominator
    scratch.write_project(survey=False, registry=True)
    scratch.edit_csv(
        "population.csv", lambda f: f[~((f["PAIS_NAC"] != "724") & (f["SEXO"] == "1"))]
    )
    output, summary, prov = _ok(scratch)
    assert "warning MHI342" in output and "population.csv" in output
    assert _codes(summary, "sdg_3_3_2_tb_notification_rate") == "MHI342"
    assert "MHI342 sdg_3_3_2_tb_notification_rate" in prov["warnings"]


def test_events_of_unknown_status_do_not_warn(scratch) -> None:
    # the sample's only orphans are events of unknown migratory status (no population has
    # that level): reported as unknown_migratory_share, not as a warning
    scratch.write_project(survey=False, registry=True)
    output, summary, _ = _ok(scratch)
    assert "MHI342" not in output
    assert (summary["warnings"] == "").all()


def test_header_only_events_file_warns(scratch) -> None:
    scratch.write_project(survey=False, registry=True)
    path = scratch.root / "tb_notifications.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    output, summary, _ = _ok(scratch)
    assert "warning MHI472" in output
    assert "MHI472" in _codes(summary, "sdg_3_3_2_tb_notification_rate")


def test_header_only_population_file_is_an_error(scratch) -> None:
    scratch.write_project(survey=False, registry=True)
    path = scratch.root / "population.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    assert_fails(scratch, "MHI375", "population.csv")


def test_clean_run_has_an_empty_warnings_column(scratch) -> None:
    output, summary, prov = _ok(scratch)
    assert "warning" not in output
    assert (summary["warnings"] == "").all() and "warnings" not in prov


def test_domain_with_zero_weights_warns(scratch) -> None:
    scratch.edit_csv(
        "survey.csv", lambda f: f.assign(FACTOR=f["FACTOR"].where(f["SEXO"] != "2", "0"))
    )
    output, summary, _ = _ok(scratch)
    assert "warning MHI473" in output
    assert _codes(summary, "hs_health_coverage") == "MHI473"
