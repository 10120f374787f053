"""Data-driven error cases: each file under cases/ must raise its code at its line:col.

A case file starts with `# expect: CODE line:col`; a folder case holds such a file somewhere
below it. Every definition issue code MHI1xx/MHI2xx must have a case (see the last test).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app
from mhindicators.definitions import validate
from mhindicators.issues import CODES, catalogue

CASES = Path(__file__).parent / "cases"
EXPECT = re.compile(rb"# expect: (MHI\d{3}) (\d+):(\d+)")


def _expectation(case: Path) -> tuple[Path, str, int, int]:
    files = [case] if case.is_file() else sorted(case.rglob("*.yaml"))
    if case.name.startswith("mhi109"):
        return case / "empty_folder", "MHI109", 0, 0
    for file in files:
        match = EXPECT.match(file.read_bytes())
        if match:
            code, line, col = match.groups()
            return file, code.decode(), int(line), int(col)
    raise AssertionError(f"no '# expect:' header in {case}")


ALL_CASES = sorted(p for p in CASES.iterdir() if p.suffix == ".yaml" or p.is_dir())


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
def test_case_reports_code_at_location(case: Path) -> None:
    file, code, line, col = _expectation(case)
    target = file if code == "MHI109" else case
    report = validate([target])
    found = [(i.code, Path(i.file).name, i.line, i.col) for i in report]
    assert (code, file.name, line, col) in found, found


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
def test_case_exits_1_with_located_text(case: Path) -> None:
    file, code, line, col = _expectation(case)
    strict = ["--strict"] if CODES[code].severity == "warning" else []
    target = file if code == "MHI109" else case
    result = CliRunner().invoke(app, ["validate", *strict, str(target)])
    assert result.exit_code == 1, result.output
    where = f"{file.name}:{line}:{col}: " if line else f"{file.name}: "
    assert where in result.output
    assert code in result.output
    assert "Traceback" not in result.output


def test_every_definition_code_has_a_case() -> None:
    codes = catalogue()
    covered = {_expectation(c)[1] for c in ALL_CASES}
    wanted = {c for c in codes if c[:4] in ("MHI1", "MHI2") and not c.startswith("MHI12")}
    assert sorted(wanted - covered) == []
