"""`--select` / `--ignore`: keep or drop issues by code or code prefix (MHI1 = MHI100-MHI199)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mhindicators.errors import UsageError
from mhindicators.issues import CODES, Report, catalogue, define, issue

define(
    "MHI907",
    "unknown-code-selector",
    "error",
    "A --select, --ignore or `mhi explain` argument names no issue code.",
    "Use a code (MHI114), a prefix (MHI1) or a name (bad-choice); docs/issue-codes.md lists them.",
)

_PREFIX = re.compile(r"^MHI\d{0,3}$")


def code_matches(code: str, selectors: Iterable[str]) -> bool:
    return any(code.startswith(s) for s in selectors)


def resolve_selectors(option: str, values: Iterable[str]) -> list[str]:
    """Upper-cased code prefixes; issue names (`bad-choice`) become their code; unknown: exit 2."""
    out, problems = [], []
    for raw in values:
        value = raw.strip()
        code = find_code(value) if not _PREFIX.match(value.upper()) else value.upper()
        if code is not None and (len(code) < 6 or find_code(code)):
            out.append(code)
        else:
            msg = f"{option} {value!r} matches no issue code"
            problems.append(issue("MHI907", msg))
    if problems:
        raise UsageError(f"unknown {option} value", problems)
    return out


def find_code(value: str) -> str | None:
    """The code of `value` (a code or an issue name), registering every code if needed."""
    for codes in (CODES, None):  # the codes imported so far, then every code
        codes = catalogue() if codes is None else codes
        if value.upper() in codes:
            return value.upper()
        by_name = {c.name: c.code for c in codes.values()}
        if value in by_name:
            return by_name[value]
    return None


def filter_report(report: Report, select: list[str], ignore: list[str]) -> Report:
    """The issues whose code matches `select` (all when empty) and not `ignore`.

    Internal and usage errors (MHI9xx) are never dropped: they say the check did not run.
    """
    kept = [
        i
        for i in report
        if i.code.startswith("MHI9")
        or ((not select or code_matches(i.code, select)) and not code_matches(i.code, ignore))
    ]
    return Report(kept)
