"""Rendering of issue reports and exit-code handling shared by all commands."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

import typer
from rich.console import Console

from mhindicators.errors import MhiError
from mhindicators.issues import Issue, Report, issue

T = TypeVar("T")
stderr = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
stdout = Console(highlight=False, soft_wrap=True, emoji=False)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


def print_report(
    report: Report,
    fmt: OutputFormat = OutputFormat.text,
    *,
    quiet_ok: bool = False,
    to_stdout: bool = False,
    checked: list[str] | None = None,
    strict: bool = False,
) -> None:
    """Issues as text (to stderr, or stdout with `to_stdout` as linters do) with the summary
    line on stderr; json, github annotations, SARIF and JUnit XML to stdout."""
    items = report.sorted()
    if fmt is OutputFormat.sarif:
        from mhindicators.lint.formats import sarif

        sys.stdout.write(sarif(report))
        return
    if fmt is OutputFormat.junit:
        from mhindicators.lint.formats import junit

        sys.stdout.write(junit(report, checked or [], strict))
        return
    if fmt is OutputFormat.json:
        sys.stdout.write(report.to_json() + "\n")
        return
    if fmt is OutputFormat.github:
        for item in items:
            sys.stdout.write(item.format_github() + "\n")
        return
    for item in items:
        _print_issue(item, stdout if to_stdout else stderr)
    if items or not quiet_ok:
        n_err = len(report.errors)
        n_warn = sum(1 for i in items if i.severity == "warning")
        style = "red" if n_err else ("yellow" if n_warn else "green")
        stderr.print(f"[{style}]{n_err} error(s), {n_warn} warning(s)[/{style}]")


def _print_issue(item: Issue, console: Console) -> None:
    color = {"error": "red", "warning": "yellow"}.get(item.severity, "cyan")
    where = item.file or "mhi"
    if item.line:
        where += f":{item.line}:{item.col or 1}"
    console.print(
        f"{where}: [{color}]{item.severity}[/{color}] [bold]{item.code}[/bold] "
        f"{_escape(item.message)} [dim]\\[{item.name}][/dim]"
    )
    if item.hint:
        console.print(f"  [dim]hint:[/dim] {_escape(item.hint)}")


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


def run_guarded(
    fn: Callable[[], T], fmt: OutputFormat = OutputFormat.text, debug: bool = False
) -> T:
    """Run a command body: MhiError -> its issues and exit code; anything else -> MHI900, exit 2."""
    try:
        return fn()
    except typer.Exit:
        raise
    except MhiError as exc:
        report = Report(exc.issues or [issue("MHI900", str(exc))])
        print_report(report, fmt)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        stderr.print("interrupted; no output was written")
        raise typer.Exit(2) from None
    except Exception as exc:
        if debug:
            traceback.print_exc()
        # the exception text may quote data values, so only its kind is shown without --debug
        print_report(Report([issue("MHI900", f"internal error ({type(exc).__name__})")]), fmt)
        raise typer.Exit(2) from None
