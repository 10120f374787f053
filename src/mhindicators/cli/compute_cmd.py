"""`mhi compute`: run the project (or the given data and profile) and write the tables."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from mhindicators import digests
from mhindicators.cli.project_option import RUN_PROJECT_HELP, project_option
from mhindicators.cli.render import OutputFormat, print_report, run_guarded, stderr
from mhindicators.definitions.listing import split_values
from mhindicators.discovery import no_project, project_file_or_none
from mhindicators.issues import Report
from mhindicators.project import project_with_overrides


def compute(
    project: Path | None = project_option(RUN_PROJECT_HELP),
    defs: list[Path] = typer.Option(
        None, "--defs", help="Definition files or folders (overrides the project).", metavar="PATH"
    ),
    data: Path = typer.Option(
        None,
        "--data",
        help="A survey data file (with --profile; replaces the project's datasets).",
        metavar="FILE",
    ),
    profile: Path = typer.Option(None, "--profile", help="The profile of --data.", metavar="FILE"),
    out: Path = typer.Option(
        None,
        "--out",
        "-o",
        help="Output folder, anywhere (default: the project's output.dir, inside the project).",
        metavar="PATH",
    ),
    fmt: list[str] = typer.Option(
        None,
        "--format",
        "-f",
        help="parquet, csv, sdmx-csv, xlsx (comma list or repeated; default: the project's "
        "output.formats).",
        metavar="FORMAT",
    ),
    indicator: list[str] = typer.Option(
        None,
        "--indicator",
        "-i",
        help="Only these indicator ids (comma list or repeated).",
        metavar="ID",
    ),
    batch_rows: int = typer.Option(
        None,
        "--batch-rows",
        min=0,
        help="Read survey data in batches of this many rows (memory bounded by the batch; "
        "0: all rows at once; default: the project's compute.batch_rows).",
        metavar="N",
    ),
    scheduler: str = typer.Option(
        None,
        "--scheduler",
        help="Run survey datasets' Parquet partitions on Dask: a scheduler address "
        "(tcp://host:8786) or 'local' (default: the project's compute.scheduler).",
        metavar="ADDRESS",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on the terminal."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    """Compute every applicable indicator of the project and write the tidy tables as one set.

    The new files replace the folder's previous outputs all at once, even if the run is
    killed; files in the folder that mhi did not write are left alone (docs/project-file.md).

    Examples: `mhi compute`, `mhi compute -i sdg_3_8_2_che_10,hs_health_coverage -f csv`,
    `mhi compute --data survey.csv --profile survey.profile.yaml -o out/`.
    """

    def body() -> None:
        if data is not None and data.is_file():  # hash while the engine is imported
            digests.start(data)
        from mhindicators.outputs.fileset import check_output_dir
        from mhindicators.outputs.writers import check_formats, write_results
        from mhindicators.pipeline.compute import compute as compute_project

        project_file = project_file_or_none(project)
        if project_file is None and not defs and data is None:
            raise no_project()
        proj = project_with_overrides(project_file, definitions=defs, data=data, profile=profile)
        formats = split_values(fmt) if fmt else list(proj.model.output.formats)
        check_formats(formats)
        if "xlsx" in formats:
            from mhindicators.outputs.xlsx import require_openpyxl

            require_openpyxl()  # before computing
        rounding = proj.rounding()
        sdmx = proj.sdmx()
        out_dir = out if out is not None else proj.output_dir()  # --out may point anywhere
        check_output_dir(out_dir)  # before computing: a long run must not fail at the end
        with stderr.status("computing...") as status:
            result = compute_project(
                proj,
                indicators=set(split_values(indicator)) if indicator else None,
                progress=lambda msg: status.update(msg),
                batch_rows=batch_rows,
                scheduler=scheduler,
            )
        written = write_results(
            result,
            out_dir,
            formats,
            rounding=rounding,
            title=proj.model.name,
            license=proj.model.output.license,
            sdmx=sdmx,
        )
        if result.warnings:  # printed even with --quiet: they qualify the results written
            print_report(Report(result.warnings))
        if not quiet:
            _summary(result, written)

    run_guarded(body, OutputFormat.text, debug)


def _summary(result, written: list[Path]) -> None:  # result: ResultTable
    from mhindicators.pipeline.report import summary_counts

    summary = result.summary
    done = summary[summary["status"] == "computed"]
    computed_ids, skipped_ids = summary_counts(summary)
    counts = result.estimates.groupby(["indicator_id", "dataset"]).size()
    rows = [
        (
            row.indicator_id,
            row.dataset,
            str(counts.get((row.indicator_id, row.dataset), 0)),
            _int(row.n_universe),
            _int(row.n_missing_outcome),
            ""
            if row.unknown_migratory_share != row.unknown_migratory_share
            else f"{100 * row.unknown_migratory_share:.1f}",
        )
        for row in done.itertuples()
    ]
    title = f"{_count(len(computed_ids), 'indicator')} computed, {len(skipped_ids)} skipped"
    # the headline is its own line, not the table's title: rich pads a title to the table's
    # width (and older rich to the terminal's), so it would not read as one plain line
    table = Table(show_lines=False)
    headers = ("indicator", "dataset", "rows", "universe", "missing", "unknown %")
    for i, col in enumerate(headers):
        if i < 2:  # long ids fold onto more lines on narrow terminals; numbers are never cut
            table.add_column(col, overflow="fold", min_width=12 if i == 0 else 8)
        else:
            width = max([len(col), *(len(r[i]) for r in rows)])
            table.add_column(col, no_wrap=True, min_width=width, justify="right")
    for r in rows:
        table.add_row(*r)
    stderr.print(title, highlight=False)
    stderr.print(table)
    skips = summary[summary["status"] == "skipped"]
    never = skips[skips["indicator_status"] == "skipped"]
    if len(never):
        stderr.print(f"[yellow]{_count(len(skipped_ids), 'indicator')} skipped:[/yellow]")
        _print_reasons(never)
    elsewhere = skips[skips["indicator_status"] == "computed"]
    if len(elsewhere):
        stderr.print("[dim]details: computed indicators not run on other datasets:[/dim]")
        _print_reasons(elsewhere, style="dim")
    stderr.print("wrote " + ", ".join(str(p) for p in written))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _print_reasons(rows, style: str = "") -> None:
    """One line per indicator: each reason once, with the datasets it applies to."""
    for ident, group in rows.groupby("indicator_id", sort=True):
        by_reason: dict[str, list[str]] = {}
        for r in group.itertuples():
            by_reason.setdefault(r.reason, []).append(r.dataset)
        reasons = [
            reason + (f" ({', '.join(d for d in ds if d)})" if any(ds) else "")
            for reason, ds in by_reason.items()
        ]
        stderr.print(f"  {ident}: " + "; ".join(reasons), markup=False, style=style or None)


def _int(value: object) -> str:
    try:
        return f"{int(value):,}"  # type: ignore[call-overload]  # any value; bad ones caught below
    except (TypeError, ValueError):
        return ""
