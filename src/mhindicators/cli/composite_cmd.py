"""`mhi composite`: score the composite definitions of a project's policy tables."""

from __future__ import annotations

from pathlib import Path

import typer

from mhindicators.cli.render import OutputFormat, run_guarded, stdout
from mhindicators.errors import UsageError
from mhindicators.issues import issue
from mhindicators.project import DEFAULT_PROJECT


def composite(
    project: Path = typer.Option(DEFAULT_PROJECT, "--project", "-p", help="Project file."),
    out: Path = typer.Option(
        None, "--out", "-o", help="Output folder (default: <output.dir>/composites)."
    ),
) -> None:
    """Item, domain and overall scores, bands and band counts by region, and the sensitivity
    of each score to its scoring choices, for every composite of every policy dataset."""

    def body() -> None:
        from mhindicators.policy.run import run_composites
        from mhindicators.policy.write import composite_tables, write_composites
        from mhindicators.project import load_project

        if not project.exists():
            msg = f"path does not exist: {project}"
            raise UsageError(msg, [issue("MHI901", msg, str(project))])
        proj = load_project(project)
        runs = run_composites(proj, proj.vocabulary())
        if not runs:
            msg = "the project declares no `composites:` on a policy dataset"
            raise UsageError(msg, [issue("MHI902", msg, str(project))])
        target = out if out is not None else proj.root / proj.model.output.dir / "composites"
        written = write_composites(composite_tables(runs), target)
        for r in runs:
            scored = int(r.scores.overall["score"].notna().sum())
            n = len(r.scores.overall)
            stdout.print(f"{r.composite.id}: {scored} of {n} countries scored", markup=False)
        stdout.print("wrote " + ", ".join(str(p) for p in written), markup=False)

    run_guarded(body, OutputFormat.text)
