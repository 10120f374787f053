"""`mhi matrix`: reference indicators x countries of a project, as text, csv or json."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from mhindicators.cli.project_option import RUN_PROJECT_HELP, project_option
from mhindicators.cli.render import OutputFormat, run_guarded, stdout
from mhindicators.definitions.listing import split_values
from mhindicators.discovery import require_project


class MatrixFormat(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"


def matrix(
    project: Path | None = project_option(RUN_PROJECT_HELP),
    fmt: MatrixFormat = typer.Option(MatrixFormat.text, "--format", "-f", help="text, csv, json."),
    indicator: list[str] = typer.Option(
        None,
        "--indicator",
        "-i",
        help="Only these reference indicator ids (comma list or repeated).",
        metavar="ID",
    ),
    every: bool = typer.Option(False, "--all", help="Also list indicators no country can compute."),
) -> None:
    """Which country computes which indicator: as the reference, as a national variant (with
    its deviation kinds), or not at all (with the missing variable or basis).

    Examples: `mhi matrix`, `mhi matrix --all -f csv > matrix.csv`.
    """

    def body() -> None:
        from mhindicators.pipeline.matrix import harmonization_matrix
        from mhindicators.project import load_project

        table = harmonization_matrix(
            load_project(require_project(project)),
            set(split_values(indicator)) if indicator else None,
            every=every,
        )
        if fmt is MatrixFormat.csv:
            table.to_csv(sys.stdout, index=False, lineterminator="\n")
        elif fmt is MatrixFormat.json:
            sys.stdout.write(json.dumps(table.to_dict("records"), indent=1) + "\n")
        else:
            _text(table)

    run_guarded(body, OutputFormat.text)


def _text(table) -> None:
    """A table when every country column gets 24 characters; else one block per indicator."""
    countries = list(dict.fromkeys(table["country"]))
    first = 24
    each = (stdout.width - first - 3 * (len(countries) + 1) - 1) // max(len(countries), 1)
    groups = list(table.groupby("reference_indicator_id", sort=True))
    if each >= 24:
        out = Table(title="Harmonization matrix", show_lines=True)
        out.add_column("indicator", overflow="fold", width=first - 2)
        for country in countries:
            out.add_column(country, overflow="fold", width=each)
        for ref, rows in groups:
            cells = {
                c: "\n".join(_cell(r) for r in rows[rows["country"] == c].itertuples())
                for c in countries
            }
            out.add_row(ref, *(cells[c] for c in countries))
        stdout.print(out, soft_wrap=False)
    else:
        stdout.print("Harmonization matrix", style="bold", soft_wrap=False)
        for ref, rows in groups:
            stdout.print(ref, style="bold", markup=False, soft_wrap=False)
            for r in rows.itertuples():
                line = Text(f"  {r.country}  ")
                line.append(_cell(r))
                stdout.print(line, soft_wrap=False)
    stdout.print(
        "reference = the catalogue definition; variant = a national variant (its deviation "
        "kinds; ids in --format csv/json); no = not computable (why)",
        markup=False,
        soft_wrap=False,
    )


def _cell(row) -> str:
    if row.status == "reference":
        return "reference"
    if row.status == "variant":
        return f"variant: {row.deviations.replace('+', ', ')}"
    return f"no: {row.reason}"
