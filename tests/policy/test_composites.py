"""Composite scores on the sample policy table against tests/reference/policy_hand.py, and the
located errors of bad composite input (nothing is written)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.policy.run import run_composites
from mhindicators.policy.sensitivity import sensitivity
from mhindicators.project import load_project

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "sample_data" / "policy"


def hand():
    path = ROOT / "tests" / "reference" / "policy_hand.py"
    spec = importlib.util.spec_from_file_location("policy_hand", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def runs():
    project = load_project(ROOT / "mhi.yaml")
    return {r.composite.id: r for r in run_composites(project, project.vocabulary())}


def test_sdg_10_7_2_scores_match_the_hand_computation(runs) -> None:
    expected = hand().sdg_10_7_2()
    scores = runs["sdg_10_7_2_score"].scores
    overall = scores.overall.set_index("country")
    assert sorted(overall.index) == sorted(expected)
    domains = scores.domains.set_index(["country", "domain"])["score"]
    for iso, e in expected.items():
        assert overall.loc[iso, "score"] == pytest.approx(e["overall"], rel=1e-12)
        assert overall.loc[iso, "band"] == e["band"]
        assert overall.loc[iso, "region"] == e["region"]
        for d in hand().DOMAINS:
            assert domains.loc[(iso, d)] == pytest.approx(e[d], rel=1e-12, abs=1e-12)


def test_missing_items_are_left_out_and_counted(runs) -> None:
    overall = runs["sdg_10_7_2_score"].scores.overall.set_index("country")
    assert overall.loc["XAD", "n_answered"] == 28 and overall.loc["XAD", "n_applicable"] == 30
    assert overall.loc["XAA", "n_answered"] == 30


def test_band_counts_by_region_match(runs) -> None:
    bands = runs["sdg_10_7_2_score"].scores.bands
    expected = hand().band_counts()
    got = {(r.group, r.band): r.n_countries for r in bands.itertuples() if r.n_countries}
    assert got == expected
    total = bands[bands["group"] == "_T"]
    assert total["share"].sum() == pytest.approx(1.0)
    assert set(total["n_scored"]) == {20} and set(total["n_in_group"]) == {20}
    north = bands[bands["group"] == "North"]
    assert set(north["n_in_group"]) == {5}


def test_mipex_health_strand_matches_the_hand_computation(runs) -> None:
    expected = hand().mipex()
    scores = runs["mipex_health_strand"].scores
    overall = scores.overall.set_index("country")["score"]
    domains = scores.domains.set_index(["country", "domain"])["score"]
    assert sorted(overall.index) == sorted(expected)
    for iso, e in expected.items():
        assert overall[iso] == pytest.approx(e["overall"], rel=1e-12)
        for d in "ABCD":
            assert domains[(iso, d)] == pytest.approx(e[d], rel=1e-12, abs=1e-12)
    assert len(scores.bands) == 0  # MIPEX publishes no bands here


def test_not_applicable_items_leave_the_denominator(runs) -> None:
    items = runs["mipex_health_strand"].scores.items
    na = items[items["answer"] == "NA"]
    assert len(na) > 0 and na["score"].isna().all()
    overall = runs["mipex_health_strand"].scores.overall.set_index("country")
    n_na = na.groupby("country").size()
    for iso, k in n_na.items():
        assert overall.loc[iso, "n_applicable"] == 38 - k


# --- bad input ------------------------------------------------------------------------------


def _project(tmp: Path, edit_table=None, edit_composite=None) -> Path:
    shutil.copytree(ROOT / "indicator_defs", tmp / "indicator_defs")
    shutil.copy(POLICY / "policy_2024.profile.yaml", tmp / "policy.profile.yaml")
    text = (POLICY / "policy_2024.csv").read_text(encoding="utf-8")
    (tmp / "policy.csv").write_text(edit_table(text) if edit_table else text, encoding="utf-8")
    comp = (ROOT / "composites" / "sdg_10_7_2_score.yaml").read_text(encoding="utf-8")
    (tmp / "c.yaml").write_text(edit_composite(comp) if edit_composite else comp, "utf-8")
    (tmp / "mhi.yaml").write_text(
        "definitions: [indicator_defs]\ndatasets:\n  - id: policy\n    kind: policy\n"
        "    path: policy.csv\n    profile: policy.profile.yaml\n    composites: [c.yaml]\n",
        encoding="utf-8",
    )
    return tmp


def _run(root: Path):
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, ["composite"])
    finally:
        os.chdir(cwd)


def _fails(root: Path, *needles: str) -> None:
    res = _run(root)
    assert res.exit_code == 1, res.output
    for needle in needles:
        assert needle in res.output, res.output
    assert "Traceback" not in res.output
    assert not (root / "out").exists(), "partial output was written"


def test_composite_writes_its_tables(tmp_path: Path) -> None:
    root = _project(tmp_path)
    res = _run(root)
    assert res.exit_code == 0, res.output
    assert "sdg_10_7_2_score: 20 of 20 countries scored" in res.output
    for name in ("items", "domains", "scores", "bands"):
        assert (root / "out" / "composites" / f"composite_{name}.csv").is_file()


def test_answer_outside_the_scale_is_located(tmp_path: Path) -> None:
    def bad(text: str) -> str:
        lines = text.splitlines()
        cells = lines[6].split(",")
        cells[10] = "2"  # D2B of XAF (column 11)
        lines[6] = ",".join(cells)
        return "\n".join(lines) + "\n"

    _fails(_project(tmp_path, bad), "MHI802", "policy.csv:7:11", "column D2B", "'2'")


def test_items_missing_from_the_table(tmp_path: Path) -> None:
    def extra(text: str) -> str:
        return text.replace("items: [D6A, D6B, D6C, D6D, D6E]", "items: [D6A, D6B, D6C, D6D, D6F]")

    _fails(_project(tmp_path, edit_composite=extra), "MHI803", "D6F")


def test_weights_that_do_not_sum_as_declared(tmp_path: Path) -> None:
    def weighted(text: str) -> str:
        return text.replace(
            "overall: mean_of_items",
            "overall: weighted_mean_of_domains\nweights: {D1: 0.3, D2: 0.2, D3: 0.1, D4: 0.1, "
            "D5: 0.1, D6: 0.1}\nweights_sum: 1",
        )

    _fails(_project(tmp_path, edit_composite=weighted), "MHI815", "c.yaml:", "0.9")


def test_country_twice_stops_the_composite(tmp_path: Path) -> None:
    def twice(text: str) -> str:
        lines = text.splitlines()
        return "\n".join([*lines, lines[1]]) + "\n"

    _fails(_project(tmp_path, twice), "MHI800", "'XAA'")


def test_composites_on_a_dataset_that_is_not_a_policy_table(tmp_path: Path) -> None:
    root = _project(tmp_path)
    shutil.copy(ROOT / "sample_data/registry/tb_notifications.csv", root / "tb.csv")
    shutil.copy(ROOT / "sample_data/registry/tb_notifications.profile.yaml", root / "tb.yaml")
    text = (root / "mhi.yaml").read_text(encoding="utf-8")
    text += (
        "  - id: tb\n    kind: registry\n    events: {path: tb.csv, profile: tb.yaml}\n"
        "    composites: [c.yaml]\n"
    )
    (root / "mhi.yaml").write_text(text, encoding="utf-8")
    _fails(root, "MHI804", "mhi.yaml:11", "dataset tb is not kind policy")


def test_alternative_weights_must_name_every_domain(tmp_path: Path) -> None:
    def partial(text: str) -> str:
        return text.replace("rights_double: {D1: 2, D2: 1,", "rights_double: {D1: 2,")

    _fails(_project(tmp_path, edit_composite=partial), "MHI816", "c.yaml:", "rights_double")


def test_band_counts_are_by_year_when_the_table_has_several(tmp_path: Path) -> None:
    def two_years(text: str) -> str:
        lines = text.splitlines()
        later = [line.replace(",2024,", ",2025,", 1) for line in lines[1:]]
        return "\n".join([*lines, *later]) + "\n"

    root = _project(tmp_path, two_years)
    project = load_project(root / "mhi.yaml")
    (run,) = run_composites(project, project.vocabulary())
    bands = run.scores.bands
    total = bands[bands["group"] == "_T"]
    assert sorted(set(total["year"].astype(int))) == [2024, 2025]
    assert set(total["n_in_group"]) == {20}
    assert len(run.scores.overall) == 40
    sens = sensitivity(run.composite, run.answers, ["country", "year"])
    base = sens[sens["scenario"] == "baseline"]
    assert base.groupby("year")["rank"].min().tolist() == [1, 1]  # ranked within each year


def test_validate_checks_the_composites_of_a_project(tmp_path: Path) -> None:
    def bad(text: str) -> str:
        return text.replace("scale: yes_no, items: [D2A", "scale: yes_or_no, items: [D2A")

    root = _project(tmp_path, edit_composite=bad)
    res = CliRunner().invoke(app, ["validate", str(root / "mhi.yaml")])
    assert res.exit_code == 1, res.output
    assert "MHI816" in res.output and "unknown scale 'yes_or_no'" in res.output
    assert "c.yaml:" in res.output


def test_every_answer_carries_its_source(runs) -> None:
    items = runs["sdg_10_7_2_score"].scores.items.set_index(["country", "item"])["source"]
    assert items[("XAB", "D1A")] == "Synthetic health law of Belvania, art. 4"  # its own
    assert items[("XAB", "D1B")] == "Synthetic questionnaire, sample_data/policy/generate.py"
