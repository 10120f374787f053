"""Exception tree. Every exception carries the issues that explain it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mhindicators.issues import Issue


class MhiError(Exception):
    """Base of every error mhi raises on purpose; `issues` holds the located problems."""

    exit_code = 1

    def __init__(self, message: str, issues: list[Issue] | None = None) -> None:
        super().__init__(message)
        self.issues: list[Issue] = list(issues or [])


class DefinitionError(MhiError):
    """An indicator definition or the catalogue is invalid."""


class ProfileError(MhiError):
    """A dataset profile or the project file is invalid."""


class DataError(MhiError):
    """A data file cannot be read or does not fit its profile."""


class EstimationError(MhiError):
    """The data do not support the requested estimate (e.g. a lonely PSU under `fail`)."""


class UsageError(MhiError):
    """The command was called wrongly (exit code 2)."""

    exit_code = 2


class OutputError(MhiError):
    """The output folder cannot hold the results (not a folder, not writable, busy)."""
