"""The policy dataset kind: the default project counts countries from the sample policy table,
checked against the hand computation in tests/reference/policy_hand.py."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "sample_data" / "policy"
IDS = [
    "sdg_10_7_2_d1a_health_access",
    "unaids_hiv_travel_restrictions",
    "tb_travel_restrictions",
    "hiv_tb_travel_restrictions_share",
]


def hand():
    path = ROOT / "tests" / "reference" / "policy_hand.py"
    spec = importlib.util.spec_from_file_location("policy_hand", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def result():
    return compute(load_project(ROOT / "mhi.yaml"), indicators=set(IDS))


def test_default_project_counts_countries(result) -> None:
    est = result.estimates.set_index("indicator_id")
    expected = hand().counts()
    for ident in IDS:
        n, answering = expected[ident]
        share = ident.endswith("_share")
        want = 100 * n / answering if share else n
        assert est.loc[ident, "estimate"] == pytest.approx(want, rel=1e-12)
        assert est.loc[ident, "weighted_numerator"] == n
        assert est.loc[ident, "weighted_denominator"] == answering
        assert est.loc[ident, "dataset"] == "policy"


def test_counts_of_countries_have_no_sampling_interval(result) -> None:
    est = result.estimates
    assert est[["se", "ci_lower", "ci_upper"]].isna().all().all()
    assert set(est["ci_method"]) == {"none (complete list of countries)"}
    assert (est["flags"] == "").all()


def test_policy_definitions_are_no_longer_skipped(result) -> None:
    summary = result.summary
    assert set(summary.loc[summary["status"] == "computed", "indicator_id"]) == set(IDS)
    assert not (summary["status"] == "skipped").any()


def _policy_project(tmp: Path, table_edit=None) -> Path:
    shutil.copytree(ROOT / "indicator_defs", tmp / "indicator_defs")
    shutil.copy(POLICY / "policy_2024.profile.yaml", tmp / "policy.profile.yaml")
    text = (POLICY / "policy_2024.csv").read_text(encoding="utf-8")
    (tmp / "policy.csv").write_text(table_edit(text) if table_edit else text, encoding="utf-8")
    (tmp / "mhi.yaml").write_text(
        "definitions: [indicator_defs]\ndatasets:\n  - id: policy\n    kind: policy\n"
        "    path: policy.csv\n    profile: policy.profile.yaml\n",
        encoding="utf-8",
    )
    return tmp


def _run(root: Path):
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, ["compute"])
    finally:
        os.chdir(cwd)


def test_country_listed_twice_is_located(tmp_path: Path) -> None:
    def twice(text: str) -> str:
        lines = text.splitlines()
        return "\n".join([*lines, lines[3]]) + "\n"  # XAC again, as line 22

    res = _run(_policy_project(tmp_path, twice))
    assert res.exit_code == 1, res.output
    assert "MHI800" in res.output and "policy.csv:22" in res.output, res.output
    assert "'XAC'" in res.output and "lines 4, 22" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_answer_outside_the_item_codes_is_an_error(tmp_path: Path) -> None:
    def bad(text: str) -> str:
        lines = text.splitlines()
        cells = lines[5].split(",")
        cells[4] = "0.75"  # D1A of XAE
        lines[5] = ",".join(cells)
        return "\n".join(lines) + "\n"

    res = _run(_policy_project(tmp_path, bad))
    assert res.exit_code == 1, res.output
    assert "MHI313" in res.output and "nonnational_health_access" in res.output, res.output
    assert "0.75" in res.output
    assert not (tmp_path / "out").exists()


def test_policy_dataset_needs_path_and_profile(tmp_path: Path) -> None:
    root = _policy_project(tmp_path)
    (root / "mhi.yaml").write_text(
        "definitions: [indicator_defs]\ndatasets:\n  - id: policy\n    kind: policy\n"
        "    path: policy.csv\n",
        encoding="utf-8",
    )
    res = _run(root)
    assert res.exit_code == 1, res.output
    assert "a policy dataset needs `path:` and `profile:`" in res.output


def test_a_policy_table_does_not_make_the_project_multi_country() -> None:
    from mhindicators.harmonization.projects import is_multi_country

    project = load_project(ROOT / "mhi.yaml")
    both = compute(project, indicators={IDS[0], "sdg_3_3_2_tb_notification_rate"})
    assert set(both.estimates["country"]) == {"XZZ", "ESP"}
    assert not is_multi_country(project, both)


@pytest.mark.reference_toolchain
def test_the_sample_policy_table_is_what_its_generator_writes(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = POLICY / "generate.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True)
    shipped = (POLICY / "policy_2024.csv").read_bytes()
    assert (tmp_path / "policy_2024.csv").read_bytes() == shipped
