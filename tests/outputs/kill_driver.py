"""Kill a real writer process at every step of `write_results` and record what a reader sees.

Run as `python kill_driver.py <folder> <scenario>`; prints one JSON object (see test_whole_set).
Every write happens in a forked child (this process stays single-threaded, so fork is safe);
the child SIGKILLs itself after step k through the test-only MHI_TEST_KILL_AT_STEP.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

import pandas as pd

from mhindicators.outputs.fileset import KILL_ENV
from mhindicators.outputs.writers import OUTPUT_NAMES, write_results
from mhindicators.results import ResultTable

USER_FILE = "notes.txt"


def table(tag: str) -> ResultTable:
    est = pd.DataFrame({"indicator_id": ["a", "b"], "estimate": [0.25, 0.5], "run": [tag, tag]})
    con = pd.DataFrame({"indicator_id": ["a"], "difference": [0.125], "run": [tag]})
    summ = pd.DataFrame({"indicator_id": ["a", "b"], "status": ["computed"] * 2, "run": [tag] * 2})
    return ResultTable(est, con, summ, {"run": tag})


def in_child(fn, kill_at: int = 0) -> int:
    """Run fn in a forked child; its wait status as a signed code (-9 = SIGKILL)."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            if kill_at:
                os.environ[KILL_ENV] = str(kill_at)
            fn()
        except BaseException:
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def visible(out: Path) -> dict[str, str]:
    """What a reader opening out/<name> gets: name -> SHA-256, for every readable output name."""
    return {
        n: hashlib.sha256((out / n).read_bytes()).hexdigest()
        for n in OUTPUT_NAMES
        if (out / n).exists()
    }


def setup(out: Path, scenario: str) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir()
    (out / USER_FILE).write_text("the user's own file\n")
    if scenario == "empty":
        return
    if scenario in ("legacy", "overwritten"):  # plain files, as earlier mhi versions wrote
        if scenario == "overwritten":  # ... over the links of a set (an old mhi run again)
            assert in_child(lambda: write_results(table("older"), out, ["csv"])) == 0
        tmp = out.parent / "legacy-src"
        assert in_child(lambda: write_results(table("old"), tmp)) == 0
        for n in (n for n in OUTPUT_NAMES if (tmp / n).exists()):  # names old mhi wrote
            shutil.copyfile(tmp / n, out / f".{n}.tmp")
            os.replace(out / f".{n}.tmp", out / n)
        shutil.rmtree(tmp)
        return
    assert in_child(lambda: write_results(table("old"), out)) == 0


NEW_FORMATS = {
    "sets": ["parquet"],
    "legacy": ["parquet", "csv"],
    "overwritten": ["csv"],
    "empty": ["csv", "parquet"],
}


def main(base: Path, scenario: str) -> None:
    out = base / "out"
    new_formats = NEW_FORMATS[scenario]

    def write_new() -> None:
        write_results(table("new"), out, new_formats)

    template = base / "template"
    setup(template, scenario)
    old = visible(template)
    setup(out, "empty")
    assert in_child(write_new) == 0
    new = visible(out)
    report = {"old": old, "new": new, "kills": []}
    for k in range(1, 200):
        shutil.rmtree(out)
        shutil.copytree(template, out, symlinks=True)  # the same old state for every kill
        code = in_child(write_new, kill_at=k)
        if code == 0:
            break
        entries = {
            e.name: (os.readlink(e) if e.is_symlink() else "file" if e.is_file() else "dir")
            for e in out.iterdir()
        }
        seen = visible(out)
        user = (out / USER_FILE).read_text()
        rerun = in_child(write_new)
        state = out / ".mhi"
        report["kills"].append(
            {
                "step": k,
                "code": code,
                "entries": entries,
                "visible": seen,
                "user": user,
                "rerun_code": rerun,
                "after_rerun": visible(out),
                "after_rerun_entries": sorted(e.name for e in out.iterdir()),
                "after_rerun_state": sorted(e.name for e in state.iterdir()),
                "after_rerun_runs": len(list((state / "runs").iterdir())),
            }
        )
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
