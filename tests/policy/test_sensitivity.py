"""The sensitivity table of the 10.7.2 score against tests/reference/policy_hand.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from mhindicators.policy.run import run_composites
from mhindicators.policy.sensitivity import sensitivity, sensitivity_summary
from mhindicators.policy.write import composite_tables
from mhindicators.project import load_project

ROOT = Path(__file__).resolve().parents[2]


def hand():
    path = ROOT / "tests" / "reference" / "policy_hand.py"
    spec = importlib.util.spec_from_file_location("policy_hand", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def runs():
    project = load_project(ROOT / "mhi.yaml")
    return run_composites(project, project.vocabulary())


@pytest.fixture(scope="module")
def table(runs):
    r = next(r for r in runs if r.composite.id == "sdg_10_7_2_score")
    return sensitivity(r.composite, r.answers, ["country", "year"])


def test_every_scenario_score_matches_the_hand_computation(table) -> None:
    expected = hand().sdg_10_7_2_sensitivity()
    assert list(dict.fromkeys(table["scenario"])) == list(expected)
    got = table.set_index(["scenario", "country"])["score"]
    for scenario, by_country in expected.items():
        for iso, value in by_country.items():
            assert got[(scenario, iso)] == pytest.approx(value, rel=1e-12, abs=1e-12), scenario


def test_average_rank_shift_matches(table) -> None:
    summary = sensitivity_summary(table).set_index("scenario")
    h = hand()
    for scenario in h.sdg_10_7_2_sensitivity():
        want = h.average_rank_shift(scenario)
        assert summary.loc[scenario, "mean_abs_rank_shift"] == pytest.approx(want, rel=1e-12)
    assert summary.loc["baseline", "max_abs_rank_shift"] == 0


def test_band_changes_follow_the_scenario_scores(table) -> None:
    base = table[table["scenario"] == "baseline"].set_index("country")["band_code"]
    geo = table[table["scenario"] == "geometric"].set_index("country")
    assert (geo["band_changed"] == (geo["band_code"] != base)).all()
    assert geo["band_changed"].sum() == 3


def test_the_sensitivity_tables_are_written(runs) -> None:
    tables = composite_tables(runs)
    assert {"sensitivity", "sensitivity_summary"} <= set(tables)
    ids = set(tables["sensitivity_summary"]["composite_id"])
    assert ids == {"sdg_10_7_2_score", "mipex_health_strand"}
