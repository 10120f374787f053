"""`mhi report`: a self-contained offline HTML report of a run (docs/report.md)."""

from mhindicators.report import codes  # noqa: F401  (registers MHI950-MHI969)
from mhindicators.report.build import build_report
from mhindicators.report.plots import PLOT_FORMATS, write_figures

__all__ = ["PLOT_FORMATS", "build_report", "write_figures"]
