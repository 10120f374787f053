"""`mhi compute`: run the project (or the given data and profile) and write the tables."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from mhindicators.cli.render import OutputFormat, print_report, run_guarded, stderr
from mhindicators.errors import UsageError
from mhindicators.issues import Report, issue
from mhindicators.project import DEFAULT_PROJECT, project_with_overrides


def compute(
    project: Path = typer.Option(DEFAULT_PROJECT, "--project", "-p", help="Project file."),
    defs: list[Path] = typer.Option(
        None, "--defs", help="Definition files or folders (overrides the project)."
    ),
    data: Path = typer.Option(
        None, "--data", help="A survey data file (with --profile; replaces the project's datasets)."
    ),
    profile: Path = typer.Option(None, "--profile", help="The profile of --data."),
    out: Path = typer.Option(
        None, "--out", "-o", help="Output folder (default: the project's output.dir)."
    ),
    fmt: list[str] = typer.Option(
        None, "--format", "-f", help="parquet and/or csv (repeatable; default: the project's)."
    ),
    indicator: list[str] = typer.Option(
        None, "--indicator", "-i", help="Only these indicator ids (repeatable)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on the terminal."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    """Compute every applicable indicator of the project and write tidy tables atomically."""

    def body() -> None:
        from mhindicators.engine.compute import compute as compute_project
        from mhindicators.outputs.writers import write_results

        proj = project_with_overrides(project, definitions=defs, data=data, profile=profile)
        formats = list(fmt) if fmt else list(proj.model.output.formats)
        for f in formats:
            if f not in ("parquet", "csv"):
                msg = f"unknown --format {f!r}; use parquet or csv"
                raise UsageError(msg, [issue("MHI903", msg)])
        out_dir = out if out is not None else proj.root / proj.model.output.dir
        with stderr.status("computing...") as status:
            result = compute_project(
                proj,
                indicators=set(indicator) if indicator else None,
                progress=lambda msg: status.update(msg),
            )
        written = write_results(result, out_dir, formats)
        if result.warnings:  # printed even with --quiet: they qualify the results written
            print_report(Report(result.warnings))
        if not quiet:
            _summary(result, written)

    run_guarded(body, OutputFormat.text, debug)


def _summary(result, written: list[Path]) -> None:  # result: ResultTable
    summary = result.summary
    done = summary[summary["status"] == "computed"]
    skipped = summary[summary["status"] == "skipped"]
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
    table = Table(title=f"{len(done)} indicator(s) computed", show_lines=False)
    headers = ("indicator", "dataset", "rows", "universe", "missing", "unknown %")
    for i, col in enumerate(headers):
        if i < 2:  # long ids fold onto more lines on narrow terminals; numbers are never cut
            table.add_column(col, overflow="fold", min_width=12 if i == 0 else 8)
        else:
            width = max([len(col), *(len(r[i]) for r in rows)])
            table.add_column(col, no_wrap=True, min_width=width, justify="right")
    for r in rows:
        table.add_row(*r)
    stderr.print(table)
    if len(skipped):
        stderr.print(f"[yellow]{len(skipped)} indicator(s) skipped:[/yellow]")
        for ident, rows in skipped.groupby("indicator_id", sort=True):
            reasons = [
                f"{r.reason}" + (f" ({r.dataset})" if r.dataset else "") for r in rows.itertuples()
            ]
            stderr.print(f"  {ident}: " + "; ".join(reasons), markup=False)
    stderr.print("wrote " + ", ".join(str(p) for p in written))


def _int(value: object) -> str:
    try:
        return f"{int(value):,}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
