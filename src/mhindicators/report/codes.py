"""Issue codes of `mhi report` (MHI950-MHI969)."""

from __future__ import annotations

from mhindicators.issues import define

define(
    "MHI950",
    "report-needs-matplotlib",
    "error",
    "`mhi report` draws its plots with matplotlib, which is not installed.",
    'Install it with `pip install "mhindicators[report]"` (or `pip install matplotlib`).',
)
define(
    "MHI951",
    "report-run-not-found",
    "error",
    "The run folder given to `mhi report` does not exist or is not a folder.",
    "Pass the output folder of `mhi compute` (its --out, or the project's output.dir), or run "
    "`mhi compute` first.",
)
define(
    "MHI952",
    "report-run-incomplete",
    "error",
    "The run folder lacks a table the report needs (estimates, contrasts or summary).",
    "Run `mhi compute` again into that folder; the report reads the Parquet or CSV tables.",
)
define(
    "MHI953",
    "report-run-other-version",
    "error",
    "The run folder was written by another version of mhi (or by another tool): its provenance "
    "or its columns are not the ones this version reads.",
    "Recompute the run with this version of mhi (`mhi compute`), or build the report with the "
    "version that wrote it.",
)
define(
    "MHI954",
    "report-unknown-indicator",
    "error",
    "An indicator asked for with --indicator is not in the run.",
    "Use an indicator id of the run's summary table (`mhi compute` lists them).",
)
define(
    "MHI955",
    "report-unknown-dimension",
    "error",
    "A dimension asked for with --by is not a column of the run's estimates.",
    "Use a dimension of the estimates, such as sex or age_group.",
)
define(
    "MHI956",
    "report-no-reference-group",
    "warning",
    "An indicator of the report has no contrasts with a reference group: its gap and the "
    "reference-based inequality measures (D, R, PAF, PAR, MDR*) are left out.",
    "Give the definition a reference_group (docs/definition-reference.md) and recompute.",
)
define(
    "MHI957",
    "report-measure-not-applicable",
    "warning",
    "Inequality measures of an indicator were not applicable to its data; the report lists "
    "them with the reason.",
    "The reason says which condition failed (for example fewer than 2 groups with estimates).",
)
define(
    "MHI958",
    "report-no-inequality-table",
    "info",
    "The run has no inequality table; the report says the measures were not computed.",
    "Recompute with a version of mhi that writes inequality.parquet/.csv.",
)
define(
    "MHI959",
    "report-plot-format",
    "error",
    "Unknown --plot-format; plots can be written as svg or png.",
    "Use --plot-format svg or --plot-format png.",
)
define(
    "MHI960",
    "report-not-computed",
    "warning",
    "An indicator asked for with --indicator was not computed in the run (the summary says why).",
    "See the summary table of the run for the reason it was skipped.",
)
