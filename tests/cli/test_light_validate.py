"""Checking definitions does not import the numeric stack (the pre-commit hook's cold start)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "scipy", "pyarrow")
SCRIPT = f"""
import sys
from mhindicators.cli.main import app
try:
    app(["validate", {str(ROOT / "indicator_defs")!r}])
except SystemExit as exc:
    code = exc.code
print(code, sorted(m for m in {HEAVY!r} if m in sys.modules))
"""


def test_validate_definitions_imports_no_numeric_stack() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stdout + done.stderr


def test_standard_fit_is_still_checked_without_pandas(tmp_path: Path) -> None:
    """The band check moved off pandas: a band inside a standard band is still an error."""
    from mhindicators.stdpop import fit_problems, standard_table

    std = standard_table("esp_2013")
    found = fit_problems(["Y0T4", "Y5T17", "Y18T64", "Y_GE65"], std, "esp_2013")
    assert [i.code for i in found] == ["MHI428", "MHI428"]
    assert found[0].message.startswith("data band Y5T17 ends at age 17, inside a standard band")
