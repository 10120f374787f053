"""The installed `mhi` command itself (not typer's test runner) keeps its exit codes.

Some typer/click pairs make every command print the version and exit 0, which would let a
broken definition pass a CI gate; running the real console script catches that.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BROKEN = "id: broken\nversion: 1.0.0\nestimator: not_an_estimator\n"


def _mhi(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("mhi")
    command = [str(script)] if script.exists() else [shutil.which("mhi") or "mhi"]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run(
        [*command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_broken_definition_exits_1(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    result = _mhi("validate", "broken.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "broken.yaml:3:" in result.stdout and "MHI" in result.stdout  # results: stdout
    assert "error(s)" in result.stderr  # the summary line


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = _mhi("validate", "nosuch_dir", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "MHI901" in result.stderr


def test_clean_catalogue_exits_0() -> None:
    result = _mhi("validate", "indicator_defs", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
