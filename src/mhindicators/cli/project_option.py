"""`--project`: commands that read definitions take the project's vocabulary and standards."""

from __future__ import annotations

from pathlib import Path

import typer

from mhindicators.errors import UsageError
from mhindicators.issues import issue

PROJECT_HELP = "Also use this project file's vocabulary extensions and standard populations."
#: commands that run a project (compute, matrix): the file is found when not given
RUN_PROJECT_HELP = "Project file (default: mhi.yaml in this folder or the nearest parent)."


def project_option(help: str = PROJECT_HELP) -> Path | None:
    return typer.Option(None, "--project", "-p", metavar="FILE", help=help)


def project_context(project_file: Path | None):
    """(vocabulary, standards) of the project file, or (None, None) without one."""
    if project_file is None:
        return None, None
    if not project_file.exists():
        raise UsageError(
            "project file not found",
            [issue("MHI901", f"path does not exist: {project_file}", str(project_file))],
        )
    from mhindicators.project import load_project

    project = load_project(project_file)
    return project.vocabulary(), project.standards()
