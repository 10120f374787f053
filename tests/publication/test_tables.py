"""Labelled tidy tables: labels, reference periods, honest registry columns, flags legend,
and the CSV rounding rule (checked against hand-rounded values and the full-precision Parquet)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mhindicators.outputs.rounding import DEFAULT_DECIMALS, round_half_up
from mhindicators.pipeline.labels import reference_period

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "sample_data" / "registry"


def test_round_half_up_by_hand() -> None:
    assert round_half_up([2.25, -2.25, 0.05, 98.715437, 1e-9, np.nan], 1) == [
        "2.3",
        "-2.3",
        "0.1",
        "98.7",
        "0.0",
        "",
    ]
    assert round_half_up([0.125, 2.675, 10.0], 2) == ["0.13", "2.68", "10.00"]  # not binary
    assert round_half_up([1234.5, 0.5], 0) == ["1235", "1"]


def test_csv_is_the_parquet_rounded_by_unit_with_the_same_actions(sample_out: Path) -> None:
    full = pd.read_parquet(sample_out / "estimates.parquet")
    csv = pd.read_csv(sample_out / "estimates.csv", keep_default_na=False, dtype=str)
    assert len(csv) == len(full)
    for col in ("flags", "action", "status", "indicator_id"):
        assert csv[col].tolist() == full[col].fillna("").astype(str).tolist(), col
    for col in ("estimate", "se", "ci_lower", "ci_upper"):
        for unit, rows in full.groupby("unit"):
            d = DEFAULT_DECIMALS[unit]
            text = csv.loc[rows.index, col]
            assert all(t == "" or len(t.split(".")[-1]) == d or d == 0 for t in text), (col, unit)
            shown = pd.to_numeric(text.replace("", np.nan))
            gap = (shown - rows[col]).abs()
            assert (gap[rows[col].notna()] <= 0.5 * 10.0**-d + 1e-9).all(), (col, unit)
    assert set(csv["conf_level"]) == {"0.95"}  # shortest form, not 0.94999999999999996


def test_labels_and_reference_periods(sample_out: Path) -> None:
    est = pd.read_parquet(sample_out / "estimates.parquet")
    tb = est[est["dataset"] == "tb"]
    raw = pd.read_csv(REGISTRY / "tb_notifications.csv")["ANO_NOTIF"]  # the events' own years
    assert set(tb["reference_period"]) == {f"{raw.min()}-{raw.max()}"} == {"2022-2024"}
    assert set(tb["period_type"]) == {"pooled_years"}
    survey = est[est["dataset"] == "nhs_2024"]
    assert set(survey["reference_period"]) == {"2024"} and set(survey["period_type"]) == {"year"}
    defs = {
        yaml.safe_load(p.read_text())["id"]: yaml.safe_load(p.read_text())["name"]
        for p in (ROOT / "indicator_defs").rglob("*.yaml")
    }
    assert (est["indicator_name"] == est["indicator_id"].map(defs)).all()
    assert set(est.loc[est["unit"] == "per_100000", "unit_label"]) == {"Per 100 000"}


def test_registry_rows_name_events_and_denominator(sample_out: Path) -> None:
    est = pd.read_parquet(sample_out / "estimates.parquet")
    reg = est[est["source"] == "registry"]
    assert (reg["events"] == reg["weighted_numerator"]).all()
    has_den = reg[reg["weighted_denominator"].notna()]
    assert (has_den["denominator"] == has_den["weighted_denominator"]).all()
    types = reg.groupby("dataset")["denominator_type"].first().to_dict()
    assert types["maternal_deaths"] == "live_births" and types["tb"] == "population"
    assert types["occupational_injuries"] == "workers"
    survey = est[est["source"] == "survey"]
    assert survey["events"].isna().all() and (survey["denominator_type"] == "").all()


def test_flags_legend_explains_every_flag_and_gives_the_action(sample_out: Path) -> None:
    est = pd.read_parquet(sample_out / "estimates.parquet")
    legend = pd.read_csv(sample_out / "flags_legend.csv", keep_default_na=False)
    used = {f for flags in est["flags"] for f in flags.split(";") if f}
    assert used <= set(legend["flag"])
    assert (legend["meaning"].str.len() > 10).all() and (legend["source"].str.len() > 10).all()
    # the action by hand: any suppress/confidential flag -> suppress, else any flag -> caution
    hard = {"Px", "DHSx", "Cx", "PHEx", "R"}
    for flags, action in zip(est["flags"], est["action"], strict=True):
        codes = {f for f in flags.split(";") if f}
        want = "suppress" if codes & hard else "publish_with_caution" if codes else "publish"
        assert action == want, flags


def test_codelists_label_every_code(sample_out: Path) -> None:
    est = pd.read_parquet(sample_out / "estimates.parquet")
    lists = pd.read_csv(sample_out / "codelists.csv", keep_default_na=False)
    for dim in ("sex", "age_group", "migratory_status", "nativity"):
        listed = set(lists.loc[lists["dimension"] == dim, "code"])
        assert set(est[dim]) <= listed, dim
    label = lists.set_index(["dimension", "code"])["label"]
    assert label[("sex", "_T")] == "Total" and label[("age_group", "Y_GE65")].startswith("65")
    assert label[("age_group", "Y15T19")] == "15-19 years"


def test_fieldwork_period() -> None:
    assert reference_period(2024, 2024, "2024-02/2024-07") == ("2024-02/2024-07", "fieldwork")
    assert reference_period(2022, 2024) == ("2022-2024", "pooled_years")
    assert reference_period(None, 2024) == ("2024", "year")


@pytest.mark.parametrize(
    "rounding, what", [("{percentage: 1}", "unknown unit"), ("{percent: 9}", "decimals")]
)
def test_bad_rounding_rule_is_located_and_nothing_is_written(
    tmp_path, run_in, rounding, what
) -> None:
    shutil.copytree(ROOT / "indicator_defs", tmp_path / "indicator_defs")
    (tmp_path / "mhi.yaml").write_text(
        "definitions: [indicator_defs]\noutput:\n  dir: out\n  rounding: " + rounding + "\n"
    )
    result = run_in(tmp_path, "compute")
    assert result.exit_code == 1, result.output
    assert "mhi.yaml:4:" in result.output and "MHI700" in result.output and what in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
