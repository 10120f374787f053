"""`mhi profile draft DATA` and `mhi profile check DATA --profile P`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from mhindicators.cli.project_option import project_context, project_option
from mhindicators.cli.render import OutputFormat, run_guarded, stderr, stdout
from mhindicators.errors import UsageError
from mhindicators.issues import define, issue, quote
from mhindicators.outputs.atomic import write_text_atomic

define(
    "MHI528",
    "file-exists",
    "error",
    "The output file exists; mhi does not overwrite it unless asked.",
    "Choose another -o path, or add --force to replace it.",
)

app = typer.Typer(
    help="Draft a profile from a data file, and list the values a profile does not map.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _need_file(path: Path) -> None:
    if not path.is_file():
        msg = f"path does not exist: {path}"
        raise UsageError(msg, [issue("MHI901", msg, str(path))])


def _refuse_overwrite(out: Path | None, force: bool) -> None:
    if out is not None and out.exists() and not force:
        msg = f"{out} exists; not overwritten"
        raise UsageError(msg, [issue("MHI528", msg, str(out))])


@app.command("draft")
def draft(
    data: Path = typer.Argument(..., metavar="DATA", help="CSV, Parquet, Stata, SPSS or .xpt."),
    out: Path = typer.Option(
        None, "--out", "-o", help="Write here (default: stdout).", metavar="PATH"
    ),
    kind: str = typer.Option(
        "survey", "--kind", help="survey, events or denominator.", metavar="KIND"
    ),
    country: str = typer.Option(
        None, "--country", help="Reporting country, ISO 3166-1 alpha-3.", metavar="ISO3"
    ),
    rows: int = typer.Option(
        200_000, "--rows", min=1, help="Read at most this many rows.", metavar="N"
    ),
    encoding: str = typer.Option(
        "utf-8", "--encoding", help="Text encoding of a CSV file.", metavar="ENCODING"
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing -o file."),
    project_file: Path | None = project_option(),
) -> None:
    """Write a profile skeleton: every column, its type, labels or top values, and suggested
    mappings to the vocabulary, each marked `# REVIEW`. The draft loads; check every guess.

    Examples: `mhi profile draft survey.csv --country ESP -o survey.profile.yaml`.
    """

    def body() -> None:
        from mhindicators.profiles.draft_render import draft_profile
        from mhindicators.vocabulary import code_list

        _need_file(data)
        if kind not in ("survey", "events", "denominator"):
            msg = f"unknown --kind {kind!r}; use survey, events or denominator"
            raise UsageError(msg, [issue("MHI903", msg)])
        if country is not None and country not in code_list("iso3166_alpha3"):
            msg = f"--country {quote(country, 10)} is not an ISO 3166-1 alpha-3 code (e.g. ESP)"
            raise UsageError(msg, [issue("MHI903", msg)])
        _refuse_overwrite(out, force)
        vocab, _ = project_context(project_file)
        text = draft_profile(data, kind, country, vocab, max_rows=rows, encoding=encoding)
        if out is None:
            sys.stdout.write(text)
            return
        write_text_atomic(out, text)
        stderr.print(f"wrote {out}: check every line marked REVIEW, then `mhi validate {out}`")

    run_guarded(body)


@app.command("check")
def check(
    data: Path = typer.Argument(..., metavar="DATA", help="The data file."),
    profile: Path = typer.Option(..., "--profile", help="Its profile.", metavar="FILE"),
    csv: Path = typer.Option(
        None, "--csv", help="Also write the list to this CSV file.", metavar="FILE"
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing --csv file."),
    project_file: Path | None = project_option(),
) -> None:
    """List every raw value the profile does not map, with its number of rows, for every
    mapped variable (exit 1 when there are any).

    Examples: `mhi profile check survey.csv --profile survey.profile.yaml --csv unmapped.csv`.
    """

    def body() -> None:
        from mhindicators.profiles.loader import load_profile
        from mhindicators.profiles.unmapped import unmapped_values
        from mhindicators.vocabulary import default_vocabulary

        _need_file(data)
        _need_file(profile)
        _refuse_overwrite(csv, force)
        vocab, _ = project_context(project_file)
        vocab = vocab or default_vocabulary()
        loaded = load_profile(profile, vocab)
        root = project_file.parent if project_file is not None else None
        table = unmapped_values(data, loaded, vocab, root)
        if csv is not None:
            write_text_atomic(csv, table.to_csv(index=False))
        _show(table, data)
        raise typer.Exit(1 if len(table) else 0)

    run_guarded(body, OutputFormat.text)


def _show(table, data: Path) -> None:
    if not len(table):
        stderr.print(f"[green]every value of {data.name} is mapped[/green]")
        return
    view = Table(title=f"{len(table)} unmapped value(s) in {data.name}")
    for col in ("variable", "raw_column", "value", "rows", "problem"):
        view.add_column(col, justify="right" if col == "rows" else "left", overflow="fold")
    for row in table.itertuples(index=False):
        view.add_row(row.variable, row.raw_column, row.value, f"{row.rows:,}", row.problem)
    stdout.print(view)
