"""Entry point: `mhi` and its sub-commands."""

from __future__ import annotations

import typer

from mhindicators import __version__
from mhindicators.cli import (
    catalog_cmds,
    composite_cmd,
    compute_cmd,
    diff_cmd,
    init_cmd,
    matrix_cmd,
    profile_cmds,
    report_cmd,
    validate_cmd,
)

app = typer.Typer(
    name="mhi",
    help="Migrant-health indicators: validate definitions and compute them by migratory status."
    "\n\nCommands find mhi.yaml in this folder or a parent folder. Exit codes: 0 ok, 1 problems "
    "in the inputs, 2 usage or internal error.\n\nExamples: `mhi validate`, `mhi list "
    "--source registry`, `mhi compute`, `mhi explain MHI114`.",
    invoke_without_command=True,  # bare `mhi`: the help, exit 0 (no_args_is_help exits 2)
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mhi {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Exit codes: 0 ok, 1 problems found in the inputs, 2 usage or internal error."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


app.command("init")(init_cmd.init)
app.command("compute")(compute_cmd.compute)
app.command("validate")(validate_cmd.validate)
app.command("list")(catalog_cmds.list_indicators)
app.command("show")(catalog_cmds.show)
app.command("schema")(catalog_cmds.schema)
app.command("diff")(diff_cmd.diff)
app.add_typer(profile_cmds.app, name="profile")
app.command("matrix")(matrix_cmd.matrix)
app.command("composite")(composite_cmd.composite)
app.command("report")(report_cmd.report)
app.command("explain")(validate_cmd.explain)
