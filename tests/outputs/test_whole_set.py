"""The output files are replaced as one set, even when the writer is SIGKILLed at any step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from mhindicators.errors import OutputError
from mhindicators.outputs.fileset import KILL_ENV, STATE, write_fileset
from mhindicators.outputs.writers import OUTPUT_NAMES, write_results
from mhindicators.results import ResultTable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def driver(tmp_path: Path, scenario: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(HERE / "kill_driver.py"), str(tmp_path), scenario],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("scenario", ["sets", "legacy", "overwritten", "empty"])
def test_killed_at_every_step_leaves_old_or_new_set(tmp_path: Path, scenario: str) -> None:
    report = driver(tmp_path, scenario)
    old, new = report["old"], report["new"]
    assert old != new and new
    kills = report["kills"]
    assert len(kills) >= 8, "the writer has fewer kill points than expected"
    seen = []
    for kill in kills:
        where = f"killed at step {kill['step']}"
        assert kill["code"] == -9, where  # a real SIGKILL, not an exception
        assert kill["visible"] in (old, new), where
        seen.append("old" if kill["visible"] == old else "new")
        assert kill["user"] == "the user's own file\n", where
        for name, kind in kill["entries"].items():  # no temporary file beside the outputs
            assert name in {*OUTPUT_NAMES, "notes.txt", STATE}, f"{where}: {name}"
            if name in OUTPUT_NAMES and name not in kill["visible"]:
                assert kind == f"{STATE}/current/{name}", f"{where}: {name} {kind}"
        # the next run cleans up what the killed one left
        assert kill["rerun_code"] == 0, where
        assert kill["after_rerun"] == new, where
        assert kill["after_rerun_entries"] == sorted([*new, "notes.txt", STATE]), where
        assert kill["after_rerun_state"] == ["current", "lock", "runs"], where
        assert kill["after_rerun_runs"] == 1, where
    # once the new set has appeared it stays: old, ..., old, new, ..., new
    assert seen == sorted(seen, key=["old", "new"].index) and "new" in seen and "old" in seen


def table(tag: str) -> ResultTable:
    frame = pd.DataFrame({"indicator_id": ["a"], "run": [tag]})
    return ResultTable(frame, frame, frame, {"run": tag})


def test_outputs_not_written_again_disappear(tmp_path: Path) -> None:
    write_results(table("old"), tmp_path, ["csv", "parquet"])
    written = write_results(table("new"), tmp_path, ["parquet"])
    assert written == [tmp_path / f"{n}.parquet" for n in ("estimates", "contrasts", "summary")]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [STATE, "estimates.parquet", "contrasts.parquet", "summary.parquet"]
    )
    assert pd.read_parquet(tmp_path / "estimates.parquet")["run"].tolist() == ["new"]


def test_temporary_files_of_an_earlier_mhi_are_cleaned(tmp_path: Path) -> None:
    leftovers = [".summary.csv.k2j4_x.tmp", ".estimates.parquet.abc123.tmp"]
    for name in [*leftovers, ".mine.tmp", "notes.tmp"]:
        (tmp_path / name).write_text("x")
    write_results(table("new"), tmp_path, ["csv"])
    names = {p.name for p in tmp_path.iterdir()}
    assert not names & set(leftovers)
    assert {".mine.tmp", "notes.tmp"} <= names  # not mhi's: left alone


def test_failed_writer_leaves_previous_set_and_no_temporaries(tmp_path: Path) -> None:
    write_results(table("old"), tmp_path, ["csv"])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}

    def broken(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("disk trouble")

    with pytest.raises(RuntimeError):
        write_fileset(tmp_path, {"estimates.csv": broken}, OUTPUT_NAMES)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in (tmp_path / STATE).iterdir()) == ["current", "lock", "runs"]


def test_second_writer_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    import fcntl

    write_results(table("old"), tmp_path, ["csv"])
    with open(tmp_path / STATE / "lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        with pytest.raises(OutputError) as err:
            write_results(table("new"), tmp_path, ["csv"])
    assert err.value.issues[0].code == "MHI351"
    assert pd.read_csv(tmp_path / "estimates.csv")["run"].tolist() == ["old"]


def test_mhi_compute_killed_before_the_switch_keeps_previous_outputs(tmp_path: Path) -> None:
    """A real `mhi compute` process, SIGKILLed after its first new file is written."""
    out = tmp_path / "out"
    mhi = [sys.executable, "-m", "mhindicators", "compute", "-q", "-o", str(out), "-f", "csv"]
    survey = ["-i", "hs_health_coverage", "--data", "sample_data/survey/nhs_2024.csv"]
    survey += ["--profile", "sample_data/survey/nhs_2024.profile.yaml"]
    first = subprocess.run([*mhi, *survey], cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    names = ("estimates", "contrasts", "inequality", "summary", "flags_legend", "codelists")
    before = {f"{n}.csv": (out / f"{n}.csv").read_bytes() for n in names}
    before["datapackage.json"] = (out / "datapackage.json").read_bytes()
    env = {**os.environ, KILL_ENV: "3"}
    other = [*survey[:1], "eu_unmet_medical_need", *survey[2:]]
    killed = subprocess.run([*mhi, *other], cwd=ROOT, capture_output=True, text=True, env=env)
    assert killed.returncode == -9, killed.stderr
    after = {n: (out / n).read_bytes() for n in before}
    assert after == before
    assert sorted(p.name for p in out.iterdir()) == sorted([*before, STATE])


def test_without_symlinks_files_are_replaced_one_by_one(tmp_path: Path, monkeypatch) -> None:
    from mhindicators.outputs import fileset

    monkeypatch.setattr(fileset, "_symlinks_work", lambda state: False)
    write_results(table("old"), tmp_path, ["csv", "parquet"])
    write_results(table("new"), tmp_path, ["parquet"])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([STATE, "estimates.parquet", "contrasts.parquet", "summary.parquet"])
    assert not (tmp_path / "estimates.parquet").is_symlink()
    assert pd.read_parquet(tmp_path / "summary.parquet")["run"].tolist() == ["new"]


def test_planted_symlinks_cannot_lead_writes_or_deletions_out(tmp_path: Path) -> None:
    """A shared project's out/ may carry symlinks: mhi neither follows nor adopts them."""
    outside = tmp_path / "outside"
    (outside / "runs" / "keep").mkdir(parents=True)
    (outside / "tmp-keep").write_text("mine")
    (outside / "secret.csv").write_text("secret")
    out = tmp_path / "out"
    out.mkdir()
    (out / STATE).symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError) as err:
        write_results(table("new"), out, ["csv"])
    assert err.value.issues[0].code == "MHI350" and ".mhi" in err.value.issues[0].message
    assert sorted(p.name for p in outside.iterdir()) == ["runs", "secret.csv", "tmp-keep"]
    assert (outside / "runs" / "keep").is_dir()

    (out / STATE).unlink()
    (out / STATE).mkdir()
    (out / STATE / "current").symlink_to(outside, target_is_directory=True)
    (out / "summary.parquet").symlink_to(outside / "secret.csv")
    (out / "estimates.csv").symlink_to(outside / "secret.csv")
    write_results(table("new"), out, ["csv"])
    assert (outside / "secret.csv").read_text() == "secret"
    assert (outside / "tmp-keep").read_text() == "mine"
    assert pd.read_csv(out / "estimates.csv")["run"].tolist() == ["new"]
    assert os.readlink(out / "summary.parquet") == str(outside / "secret.csv")  # not mhi's
    copied = [p.name for p in (out / STATE / "runs").rglob("*") if p.name == "summary.parquet"]
    assert copied == []


def test_folder_where_an_output_file_goes(tmp_path: Path) -> None:
    write_results(table("old"), tmp_path, ["parquet"])
    (tmp_path / "estimates.csv").mkdir()
    with pytest.raises(OutputError) as err:
        write_results(table("new"), tmp_path, ["csv", "parquet"])
    assert "'estimates.csv'" not in err.value.issues[0].message  # the full path is named
    assert "estimates.csv' is in the way (a folder where a file must be)" in str(err.value)
    assert pd.read_parquet(tmp_path / "estimates.parquet")["run"].tolist() == ["old"]
