"""`mhi validate --fix`: apply the mechanical hints (did-you-mean names) in place.

Only a suggestion that names one replacement is applied: the misspelt name, quoted first in
the message, is replaced by the suggested one as a whole word on the issue's line, from its
column on. Everything else in the file (comments, quoting, layout) is left byte for byte.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from mhindicators.issues import Issue

_OLD = re.compile(r"'([^']+)'")
_NEW = re.compile(r"(?:did you mean '([^']+)'\?|^replace it with (\S+)$)", re.IGNORECASE)


@dataclass(frozen=True)
class Fix:
    file: str
    line: int
    old: str
    new: str


def fix_of(item: Issue) -> Fix | None:
    """The single replacement an issue suggests, or None."""
    if not (item.file and item.line):
        return None
    old = _OLD.search(item.message)
    new = _NEW.search(item.message) or _NEW.search(item.hint)
    if old is None or new is None:
        return None
    suggestion = new.group(1) or new.group(2)
    if suggestion == old.group(1):
        return None
    return Fix(item.file, item.line, old.group(1), suggestion)


def apply_fixes(issues: list[Issue]) -> list[Fix]:
    """Edit the files in place; return the fixes applied (one per issue at most)."""
    by_file: dict[str, list[tuple[Issue, Fix]]] = defaultdict(list)
    for item in issues:
        fix = fix_of(item)
        if fix is not None:
            by_file[fix.file].append((item, fix))
    applied = []
    for file, fixes in by_file.items():
        path = Path(file)
        text = path.read_bytes().decode("utf-8")  # line endings kept as they are
        lines = text.splitlines(keepends=True)
        for item, fix in fixes:
            if fix.line > len(lines):
                continue
            line = lines[fix.line - 1]
            start = max(item.col - 1, 0)
            word = re.compile(rf"(?<![\w.]){re.escape(fix.old)}(?![\w])")
            found = word.search(line, start)
            if found is None:
                continue
            lines[fix.line - 1] = line[: found.start()] + fix.new + line[found.end() :]
            applied.append(fix)
        new_text = "".join(lines)
        if new_text != text:
            path.write_bytes(new_text.encode("utf-8"))
    return applied
