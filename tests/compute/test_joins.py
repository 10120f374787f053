"""Surveys delivered as several files: a person file joined to a household file on keys."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app

runner = CliRunner()
HOUSEHOLD = ["ESTRATO", "UPM", "FACTOR", "PROVINCIA", "ZONA", "MIEMBROS"]
JOIN = "join:\n  - {path: households.csv, on: [ID_HOGAR]}\n"


def run(scratch, *args: str):
    cwd = os.getcwd()
    os.chdir(scratch.root)
    try:
        return runner.invoke(app, ["compute", "-f", "csv", *args])
    finally:
        os.chdir(cwd)


@pytest.fixture
def split(scratch):
    """The sample survey as persons.csv + households.csv (one row per household)."""
    whole = pd.read_csv(scratch.root / "survey.csv", dtype=str, keep_default_na=False)
    persons = whole.drop(columns=HOUSEHOLD)
    households = whole[["ID_HOGAR", *HOUSEHOLD]].drop_duplicates("ID_HOGAR")
    assert len(households) == whole["ID_HOGAR"].nunique()  # household items are constant
    persons.to_csv(scratch.root / "persons.csv", index=False)
    households.sample(frac=1, random_state=1).to_csv(scratch.root / "households.csv", index=False)
    text = (scratch.root / "survey.profile.yaml").read_text(encoding="utf-8")
    (scratch.root / "split.profile.yaml").write_text(text + JOIN, encoding="utf-8")
    scratch.edit_text("mhi.yaml", "path: survey.csv", "path: persons.csv")
    scratch.edit_text("mhi.yaml", "profile: survey.profile.yaml", "profile: split.profile.yaml")
    return scratch


def _estimates(scratch) -> pd.DataFrame:
    table = pd.read_csv(scratch.root / "out" / "estimates.csv")
    return table.drop(columns=[c for c in table.columns if "profile" in c or "sha" in c])


def test_joined_files_give_the_single_file_results(split) -> None:
    result = run(split)
    assert result.exit_code == 0, result.output
    joined = _estimates(split)
    (split.root / "out" / "estimates.csv").unlink()
    split.edit_text("mhi.yaml", "path: persons.csv", "path: survey.csv")
    split.edit_text("mhi.yaml", "profile: split.profile.yaml", "profile: survey.profile.yaml")
    assert run(split).exit_code == 0
    pd.testing.assert_frame_equal(joined, _estimates(split))
    assert len(joined) > 10


def _fails(scratch, code: str, needle: str) -> str:
    result = run(scratch)
    assert result.exit_code == 1, result.output
    assert code in result.output, result.output
    line = scratch.line_of("split.profile.yaml", needle)
    assert f"split.profile.yaml:{line}:" in result.output, result.output
    assert "Traceback" not in result.output
    assert not (scratch.root / "out").exists(), "partial output was written"
    return result.output


def test_duplicate_household_keys(split) -> None:
    split.edit_csv("households.csv", lambda f: pd.concat([f, f.iloc[[3, 7]]]))
    out = _fails(split, "MHI524", "households.csv")
    assert "2 key value(s)" in out and "4 rows" in out


def test_unmatched_person_rows_are_counted(split) -> None:
    whole = pd.read_csv(split.root / "persons.csv", dtype=str)
    gone = whole["ID_HOGAR"].iloc[0]
    n = int((whole["ID_HOGAR"] == gone).sum())
    split.edit_csv("households.csv", lambda f: f[f["ID_HOGAR"] != gone])
    out = _fails(split, "MHI525", "households.csv")
    assert f"{n} row(s) of persons.csv have no match" in out


def test_unmatched_allowed_keeps_rows_with_blanks(split) -> None:
    from mhindicators.profiles.join import read_joined
    from mhindicators.profiles.loader import load_profile

    split.edit_csv("households.csv", lambda f: f[f["ID_HOGAR"] != "1"])
    split.edit_text("split.profile.yaml", "on: [ID_HOGAR]}", "on: [ID_HOGAR], unmatched: allow}")
    loaded = load_profile(split.root / "split.profile.yaml")
    got = read_joined(split.root / "persons.csv", loaded, ["SEXO", "ZONA", "FACTOR"], ["ZONA"])
    whole = pd.read_csv(split.root / "survey.csv", dtype={"ZONA": str})
    assert list(got.columns) == ["SEXO", "ZONA", "FACTOR"] and len(got) == len(whole)
    dropped = whole["ID_HOGAR"] == 1
    assert got.loc[dropped, ["ZONA", "FACTOR"]].isna().all().all() and dropped.sum() == 2
    pd.testing.assert_series_equal(got.loc[~dropped, "FACTOR"], whole.loc[~dropped, "FACTOR"])
    assert (got.loc[~dropped, "ZONA"] == whole.loc[~dropped, "ZONA"]).all()


def test_missing_key_column(split) -> None:
    split.edit_text("split.profile.yaml", "on: [ID_HOGAR]", "on: [HOGAR]")
    out = _fails(split, "MHI526", "households.csv")
    assert "key 'HOGAR' is not in persons.csv" in out


def test_joined_file_outside_the_project(split) -> None:
    split.edit_text("split.profile.yaml", "path: households.csv", "path: ../households.csv")
    _fails(split, "MHI527", "households.csv")


def test_one_to_one_refuses_duplicates_in_the_main_file(split) -> None:
    from mhindicators.errors import DataError
    from mhindicators.profiles.join import read_joined
    from mhindicators.profiles.loader import load_profile

    split.edit_text("split.profile.yaml", "on: [ID_HOGAR]}", "on: [ID_HOGAR], how: one_to_one}")
    loaded = load_profile(split.root / "split.profile.yaml")
    with pytest.raises(DataError) as err:
        read_joined(split.root / "persons.csv", loaded, ["SEXO", "FACTOR"], [])
    (item,) = err.value.issues
    assert item.code == "MHI524" and item.message.startswith("persons.csv: ")
    n_hh = pd.read_csv(split.root / "persons.csv")["ID_HOGAR"].duplicated(keep=False)
    assert f"({int(n_hh.sum())} rows; first at data row 1)" in item.message


def test_joined_file_is_in_the_provenance(split) -> None:
    import hashlib

    from mhindicators.outputs.writers import read_provenance

    split.edit_text("mhi.yaml", "formats: [csv, parquet]", "formats: [parquet]")
    result = runner.invoke(app, ["compute", "-p", str(split.root / "mhi.yaml")])
    assert result.exit_code == 0, result.output
    prov = read_provenance(split.root / "out" / "estimates.parquet")
    digest = hashlib.sha256((split.root / "households.csv").read_bytes()).hexdigest()
    assert prov["input.survey.join1.file"] == "households.csv"
    assert prov["input.survey.join1.sha256"] == digest


def test_keys_match_across_types_and_long_ids_stay_exact() -> None:
    from mhindicators.profiles.join import _comparable

    left = pd.DataFrame({"k": ["7", "08", "9007199254740993"]})
    right = pd.DataFrame({"k": [8.0, 7.0, 9007199254740992.0]})
    lk, rk = _comparable(left, right)
    assert rk.get_indexer(lk).tolist() == [1, 0, -1]  # 2**53 + 1 is not 2**53
    big = pd.DataFrame({"k": ["9007199254740993", "9007199254740992"]})
    lk, rk = _comparable(big, big.iloc[::-1])
    assert rk.get_indexer(lk).tolist() == [1, 0]


def test_two_keys_one_to_one(scratch) -> None:
    """An interview file and an examination file matched on household and person number."""
    from mhindicators.profiles.join import read_joined
    from mhindicators.profiles.loader import load_profile

    whole = pd.read_csv(scratch.root / "survey.csv", dtype=str, keep_default_na=False)
    keys = ["ID_HOGAR", "NUM_PERSONA"]
    whole.drop(columns=["PHQ8"]).to_csv(scratch.root / "interview.csv", index=False)
    exam = whole[[*keys, "PHQ8"]].sample(frac=1, random_state=2)
    exam.to_csv(scratch.root / "exam.csv", index=False)
    text = (scratch.root / "survey.profile.yaml").read_text(encoding="utf-8")
    join = "join:\n  - {path: exam.csv, on: [ID_HOGAR, NUM_PERSONA], how: one_to_one}\n"
    (scratch.root / "two.profile.yaml").write_text(text + join, encoding="utf-8")
    loaded = load_profile(scratch.root / "two.profile.yaml")
    got = read_joined(scratch.root / "interview.csv", loaded, ["SEXO", "PHQ8"], [])
    expected = pd.read_csv(scratch.root / "survey.csv")["PHQ8"]
    pd.testing.assert_series_equal(got["PHQ8"], expected, check_dtype=False)
    assert list(got.columns) == ["SEXO", "PHQ8"]
