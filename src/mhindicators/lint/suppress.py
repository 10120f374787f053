"""Suppression comments in the checked files, each with a reason (as `# noqa` with a why).

On the reported line: `# mhi: ignore[MHI131] the file keeps the id of the printed report`.
Anywhere in a file, on a line of its own: `# mhi: ignore-file[MHI131,MHI133] reason`.
A suppression without a reason suppresses nothing and is reported (MHI909).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from mhindicators.issues import Issue, Report, define, issue

define(
    "MHI909",
    "suppression-without-reason",
    "warning",
    "An `# mhi: ignore[...]` comment gives no reason, so it suppresses nothing.",
    "Write why after the codes: `# mhi: ignore[MHI131] kept for the printed report`.",
)

_COMMENT = re.compile(r"#\s*mhi:\s*ignore(-file)?\[([A-Za-z0-9_,\s-]+)\]\s*(.*)$")


@cache
def _lines(file: str) -> tuple[str, ...]:
    try:
        return tuple(Path(file).read_text(encoding="utf-8-sig").splitlines())
    except (OSError, UnicodeDecodeError):
        return ()


def _codes(text: str) -> set[str]:
    return {c.strip().upper() for c in text.split(",") if c.strip()}


def apply_suppressions(report: Report) -> Report:
    """The report without suppressed issues, plus MHI909 for suppressions with no reason."""
    _lines.cache_clear()
    kept: list[Issue] = []
    unexplained: dict[tuple[str, int], Issue] = {}
    for item in report:
        if not item.file or item.code.startswith("MHI9"):
            kept.append(item)
            continue
        lines = _lines(item.file)
        candidates = [(n, lines[n - 1]) for n in range(1, len(lines) + 1)]
        suppressed = False
        for number, line in candidates:
            found = _COMMENT.search(line)
            if not found or item.code not in _codes(found.group(2)):
                continue
            whole_file = found.group(1) is not None
            if not whole_file and number != item.line:
                continue
            if not found.group(3).strip():
                unexplained[(item.file, number)] = issue(
                    "MHI909", "suppression without a reason", item.file, number, found.start() + 1
                )
                continue
            suppressed = True
        if not suppressed:
            kept.append(item)
    return Report([*kept, *unexplained.values()])
