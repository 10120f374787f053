"""`mhi validate PATH...`"""

from __future__ import annotations

from pathlib import Path

import typer

from mhindicators.cli.project_option import project_context, project_option
from mhindicators.cli.render import OutputFormat, print_report, run_guarded
from mhindicators.definitions import validate as validate_definitions
from mhindicators.errors import UsageError
from mhindicators.issues import issue


def validate(
    paths: list[Path] = typer.Argument(
        ..., help="Definition files or folders (searched recursively)."
    ),
    fmt: OutputFormat = typer.Option(
        OutputFormat.text, "--format", "-f", help="text (stderr), json or github (stdout)."
    ),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as problems (exit 1)."),
    project_file: Path | None = project_option(),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    """Check indicator definitions; report every problem at once, located at file:line:col.

    National variants (`extends:`) are resolved against the reference definitions given in
    the same call, e.g. `mhi validate indicator_defs national/`.
    """

    def body() -> None:
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise UsageError(
                "path not found",
                [issue("MHI901", f"path does not exist: {p}", str(p)) for p in missing],
            )
        vocab, standards = project_context(project_file)
        report = validate_definitions(list(paths), vocab, standards)
        print_report(report, fmt)
        failing = report.errors or (strict and len(report))
        raise typer.Exit(1 if failing else 0)

    run_guarded(body, fmt, debug)
