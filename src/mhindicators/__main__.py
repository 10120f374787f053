"""`python -m mhindicators` is `mhi`."""

from mhindicators.cli.main import app

app(prog_name="mhi")
