"""`mhi profile check`: every unmapped value with its count, where compute lists at most ten."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "sample_data" / "survey"
runner = CliRunner()


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    """The sample survey with 12 unknown sex codes, an age of 999 and a new country code."""
    frame = pd.read_csv(SURVEY / "nhs_2024.csv", dtype=str, keep_default_na=False)
    rows = frame.index
    frame.loc[rows % 500 == 0, "SEXO"] = (rows[rows % 500 == 0] // 500 % 12 + 3).astype(str)
    frame.loc[rows[:3], "EDAD"] = "999"
    frame.loc[rows[5:9], "PAIS_NAC"] = "4"  # Afghanistan: not in the hand-written recode
    frame.loc[rows[10], "NACIONALIDAD"] = "z" * 100  # a long value is cut, never printed whole
    frame.to_csv(tmp_path / "s.csv", index=False)
    shutil.copy(SURVEY / "nhs_2024.profile.yaml", tmp_path / "p.yaml")
    return tmp_path


def check(folder: Path, *args: str):
    return runner.invoke(
        app, ["profile", "check", str(folder / "s.csv"), "--profile", str(folder / "p.yaml"), *args]
    )


def test_lists_every_value_with_its_count(bad: Path) -> None:
    result = check(bad, "--csv", str(bad / "unmapped.csv"))
    assert result.exit_code == 1, result.output
    listed = pd.read_csv(bad / "unmapped.csv", dtype={"value": str})
    raw = pd.read_csv(bad / "s.csv", dtype=str)
    sex = raw["SEXO"][~raw["SEXO"].isin(["1", "2"])].value_counts()
    got = listed[listed["variable"] == "sex"].set_index("value")["rows"]
    assert len(got) == 12 and got.sort_index().to_dict() == sex.sort_index().to_dict()
    assert set(listed["problem"][listed["variable"] == "sex"]) == {"not in recode or missing_codes"}
    age = listed[listed["variable"] == "age"]
    assert age[["value", "rows", "problem"]].values.tolist() == [["999", 3, "outside [0, 130]"]]
    cob = listed[listed["variable"] == "country_of_birth"]
    assert cob[["raw_column", "value", "rows"]].values.tolist() == [["PAIS_NAC", "4", 4]]
    (cut,) = listed["value"][listed["variable"] == "citizenship"]
    assert cut == "z" * 39 + "…" and "z" * 41 not in result.output
    assert set(listed["variable"]) == {"sex", "age", "country_of_birth", "citizenship"}


def test_compute_points_to_the_listing(bad: Path) -> None:
    result = runner.invoke(
        app, ["compute", "--data", str(bad / "s.csv"), "--profile", str(bad / "p.yaml"),
              "-o", str(bad / "out"), "-i", "hs_health_coverage", "--defs",
              str(ROOT / "indicator_defs")],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "(not listed)" in result.output and "mhi profile check" in result.output


def test_clean_data_exit_0_and_csv_is_not_overwritten(bad: Path) -> None:
    shutil.copy(SURVEY / "nhs_2024.csv", bad / "s.csv")
    assert check(bad).exit_code == 0
    (bad / "unmapped.csv").write_text("keep\n")
    result = check(bad, "--csv", str(bad / "unmapped.csv"))
    assert result.exit_code == 2 and "MHI528" in result.output
    assert (bad / "unmapped.csv").read_text() == "keep\n"
    assert check(bad, "--csv", str(bad / "unmapped.csv"), "--force").exit_code == 0
    assert pd.read_csv(bad / "unmapped.csv").empty
