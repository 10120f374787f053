"""Finding the project: mhi.yaml in the current folder or the nearest parent folder.

Every command works from any subfolder of a project, as ruff and pre-commit find their
configuration. Without a project, commands that need one say so and how to start one.
"""

from __future__ import annotations

from pathlib import Path

from mhindicators.errors import UsageError
from mhindicators.issues import define, issue

PROJECT_NAME = "mhi.yaml"
DEFINITIONS_NAME = "indicator_defs"

define(
    "MHI906",
    "no-project",
    "error",
    "No mhi.yaml in the current folder or any parent folder, and no paths were given.",
    "Run `mhi init` to start a project here, go to a project folder, or pass --project FILE "
    "(or the definition paths).",
)


def find_project(start: Path | None = None) -> Path | None:
    """The nearest mhi.yaml in `start` (default: the current folder) or a parent folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_NAME
        if candidate.is_file():
            return candidate
    return None


def project_file_or_none(given: Path | None) -> Path | None:
    """The --project given (which must exist), else the discovered mhi.yaml, else None."""
    if given is not None:
        if not given.exists():
            raise UsageError(
                f"project file {given} does not exist",
                [issue("MHI901", f"path does not exist: {given}", str(given))],
            )
        return given
    return find_project()


def require_project(given: Path | None) -> Path:
    """Like `project_file_or_none`, but without a project: MHI906 (exit 2)."""
    found = project_file_or_none(given)
    if found is None:
        raise no_project()
    return found


def no_project() -> UsageError:
    where = Path.cwd()
    msg = f"no {PROJECT_NAME} in {where} or any parent folder"
    return UsageError(msg, [issue("MHI906", msg)])


def default_definitions(project_file: Path | None) -> list[Path]:
    """Definition folders when none are given: the project's `definitions:`, else
    ./indicator_defs; MHI906 when there is neither."""
    if project_file is not None:
        from mhindicators.project import load_project

        project = load_project(project_file)
        return [
            project.resolve(rel, "definitions", i)
            for i, rel in enumerate(project.model.definitions)
        ]
    local = Path(DEFINITIONS_NAME)
    if local.is_dir():
        return [local]
    raise no_project()
