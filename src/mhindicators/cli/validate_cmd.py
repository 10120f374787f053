"""`mhi validate PATH...`"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from mhindicators.cli.project_option import project_context, project_option
from mhindicators.cli.render import OutputFormat, print_report, run_guarded, stderr
from mhindicators.definitions import validate as validate_definitions
from mhindicators.definitions.listing import split_values
from mhindicators.definitions.loader import find_definition_files
from mhindicators.discovery import default_definitions, project_file_or_none
from mhindicators.errors import UsageError
from mhindicators.issues import Report, issue
from mhindicators.lint.select import filter_report, resolve_selectors
from mhindicators.lint.suppress import apply_suppressions
from mhindicators.profiles.check import check_profile, check_project, file_kind


def _kind(path: Path) -> str:
    return file_kind(path) if path.is_file() else "definition"


def validate(
    paths: list[Path] = typer.Argument(
        None,
        metavar="PATH",
        help="Definition files or folders (searched recursively); profile and project files "
        "are checked too, without reading any data. Default: the definitions of the mhi.yaml "
        "found in this folder or a parent.",
    ),
    kind: str = typer.Option(
        "auto",
        "--kind",
        help="auto (a project has `datasets:`, a profile `columns:`), definition, profile "
        "or project.",
        metavar="KIND",
    ),
    fmt: OutputFormat = typer.Option(
        OutputFormat.text,
        "--format",
        "-f",
        help="text, json, github (annotations), sarif (code scanning) or junit (test "
        "dashboards); results go to stdout, the summary line to stderr.",
    ),
    select: list[str] = typer.Option(
        None,
        "--select",
        metavar="CODES",
        help="Only these issue codes, code prefixes (MHI1) or names (comma list).",
    ),
    ignore: list[str] = typer.Option(
        None,
        "--ignore",
        metavar="CODES",
        help="Leave out these issue codes, prefixes or names (comma list).",
    ),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as problems (exit 1)."),
    fix: bool = typer.Option(
        False,
        "--fix",
        help="Apply did-you-mean suggestions for names in place (nothing else in the files "
        "changes), then report what is left.",
    ),
    project_file: Path | None = project_option(),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    """Check indicator definitions; report every problem at once, located at file:line:col.

    Examples: `mhi validate` (the project's definitions), `mhi validate indicator_defs
    --format sarif > mhi.sarif`, `mhi validate defs/ --ignore MHI131`.

    National variants (`extends:`) are resolved against the reference definitions given in
    the same call, e.g. `mhi validate indicator_defs national/`.
    """

    def body() -> None:
        nonlocal paths, project_file
        if not paths:
            project_file = project_file_or_none(project_file)
            paths = default_definitions(project_file)
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise UsageError(
                "path not found",
                [issue("MHI901", f"path does not exist: {p}", str(p)) for p in missing],
            )
        if kind not in ("auto", "definition", "profile", "project"):
            msg = f"unknown --kind {kind!r}; use auto, definition, profile or project"
            raise UsageError(msg, [issue("MHI903", msg)])
        selected = resolve_selectors("--select", split_values(select))
        ignored = resolve_selectors("--ignore", split_values(ignore))
        vocab, standards = project_context(project_file)
        kinds = {p: kind if kind != "auto" else _kind(p) for p in paths}
        definitions = [p for p in paths if kinds[p] == "definition"]

        def check() -> Report:
            report = Report()
            if definitions:
                report = validate_definitions(definitions, vocab, standards)
            for path in paths:
                if kinds[path] == "profile":
                    report.extend(check_profile(path, vocab))
                elif kinds[path] == "project":
                    report.extend(check_project(path))
            return filter_report(apply_suppressions(report), selected, ignored)

        report = check()
        if fix:
            from mhindicators.lint.fix import apply_fixes

            applied = []
            for _ in range(5):  # a fix can uncover checks that an earlier problem stopped
                done = apply_fixes(report.issues)
                if not done:
                    break
                applied += done
                report = check()
            stderr.print(f"fixed {len(applied)} issue(s)", markup=False)
        checked = [str(f) for f in find_definition_files(definitions)[0]]
        checked += [str(p) for p in paths if kinds[p] != "definition"]
        print_report(report, fmt, to_stdout=True, checked=checked, strict=strict)
        failing = report.errors or (strict and len(report))
        raise typer.Exit(1 if failing else 0)

    run_guarded(body, fmt, debug)


def explain(
    code: str = typer.Argument(..., metavar="CODE", help="An issue code (MHI114) or name."),
) -> None:
    """Explain an issue code: what it means and how to fix it.

    Examples: `mhi explain MHI114`, `mhi explain bad-choice`.
    """

    def body() -> None:
        from mhindicators.lint.explain import explain as explain_text

        sys.stdout.write(explain_text(code))

    run_guarded(body)
