"""`mhi init [FOLDER]`"""

from __future__ import annotations

from pathlib import Path

import typer

from mhindicators.cli.render import run_guarded, stdout


def init(
    folder: Path = typer.Argument(
        Path("."), metavar="FOLDER", help="Where to create the project (default: here)."
    ),
) -> None:
    """Start a project: mhi.yaml, one example definition, a profile, a tiny example survey,
    a pre-commit configuration and a CI workflow; it validates and computes at once.

    Examples: `mhi init my-project`, then `cd my-project && mhi validate && mhi compute`.
    """

    def body() -> None:
        from mhindicators.scaffold import init_project

        written = init_project(folder)
        for path in written:
            stdout.print(f"created {path}", markup=False)
        where = "" if folder == Path(".") else f"cd {folder} && "
        stdout.print(f"next: {where}mhi validate && mhi compute", markup=False)

    run_guarded(body)
