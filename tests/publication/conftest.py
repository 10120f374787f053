"""The sample project computed once into a temporary folder, in every output format."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mhindicators.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ["parquet", "csv", "sdmx-csv", "xlsx"]


@pytest.fixture(scope="session")
def sample_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("publication") / "out"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        args = ["compute", "-q", "-o", str(out)]
        for fmt in FORMATS:
            args += ["-f", fmt]
        result = CliRunner().invoke(app, args)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def run_in():
    """Run `mhi ARGS` with `folder` as the current directory."""

    def run(folder: Path, *args: str):
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            return CliRunner().invoke(app, list(args))
        finally:
            os.chdir(cwd)

    return run
