"""`mhi report`: one self-contained offline HTML report of a run (docs/report.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from mhindicators.cli.project_option import project_option
from mhindicators.cli.render import OutputFormat, print_report, run_guarded, stderr
from mhindicators.definitions.listing import split_values
from mhindicators.issues import Report

REPORT_PROJECT_HELP = (
    "Project file: its output folder is the default RUN_DIR, and a multi-country project adds "
    "its harmonization matrix (default: mhi.yaml here or in a parent folder, when RUN_DIR is "
    "not given)."
)


def report(
    run_dir: Path | None = typer.Argument(
        None,
        help="Output folder of `mhi compute` (default: the project's output.dir).",
        metavar="RUN_DIR",
        show_default=False,
    ),
    out: Path = typer.Option(
        None,
        "--out",
        "-o",
        help="The HTML file to write (default: report.html in RUN_DIR).",
        metavar="FILE",
    ),
    project: Path | None = project_option(REPORT_PROJECT_HELP),
    indicator: list[str] = typer.Option(
        None,
        "--indicator",
        "-i",
        help="Only these indicator ids (comma list or repeated); what cannot be shown for them "
        "is an error (exit 1, the report is still written).",
        metavar="ID",
    ),
    by: list[str] = typer.Option(
        None,
        "--by",
        help="Also plot the estimates by these dimensions (comma list, e.g. sex,age_group).",
        metavar="DIMENSION",
    ),
    plots_dir: Path = typer.Option(
        None, "--plots-dir", help="Also write every plot as a file here.", metavar="DIR"
    ),
    plot_format: str = typer.Option(
        "svg", "--plot-format", help="svg or png (with --plots-dir).", metavar="FORMAT"
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    """Write one self-contained HTML report of a run: forest plots by migratory group with
    intervals, the gaps with the reference group, the inequality measures, the country
    comparison and harmonization matrix of a multi-country project, the flags legend, the
    methods and the provenance. It opens offline: nothing is fetched when it is viewed.

    Examples: `mhi report`, `mhi report out/ -o report.html --by sex`,
    `mhi report out/ --plots-dir figures --plot-format png`.
    """

    def body() -> int:
        from mhindicators.discovery import no_project, project_file_or_none
        from mhindicators.report import build_report
        from mhindicators.report.plots import check_plot_format, require_matplotlib

        check_plot_format(plot_format)
        if plots_dir is not None and plot_format == "png":
            require_matplotlib()
        project_file = project_file_or_none(project) if (project or run_dir is None) else None
        if run_dir is None and project_file is None:
            raise no_project()
        title, folder = None, run_dir
        if project_file is not None:
            from mhindicators.project import load_project

            proj = load_project(project_file)
            title = proj.model.name
            folder = folder if folder is not None else proj.output_dir()
        # run_dir, else the project's output folder (a project is required without run_dir)
        assert folder is not None
        issues: list = []
        with stderr.status("building the report..."):
            written = build_report(
                folder,
                out if out is not None else Path(folder) / "report.html",
                project=project_file,
                indicators=split_values(indicator) if indicator else None,
                by=split_values(by) if by else None,
                plots_dir=plots_dir,
                plot_format=plot_format,
                title=title,
                issues=issues,
            )
        if issues:
            print_report(Report(issues))
        stderr.print(f"wrote {written}", markup=False)
        return 1 if any(i.severity == "error" for i in issues) else 0

    code = run_guarded(body, OutputFormat.text, debug)
    if code:
        raise typer.Exit(code)
