"""`mhi explain CODE`: one issue code's entry of docs/issue-codes.md, in the terminal."""

from __future__ import annotations

import difflib
import textwrap

from mhindicators.errors import UsageError
from mhindicators.issues import CODES, catalogue, issue
from mhindicators.lint.select import find_code


def explain(value: str) -> str:
    """Code, name, severity, meaning and the usual fix of an issue code (or issue name)."""
    code = find_code(value.strip())
    if code is None:
        codes = catalogue()
        choices = [*codes, *(c.name for c in codes.values())]
        close = difflib.get_close_matches(value.strip(), choices, n=1)
        hint = f"Did you mean '{close[0]}'? " if close else ""
        msg = f"no issue code or name {value!r}"
        raise UsageError(msg, [issue("MHI907", msg, hint=hint + "See docs/issue-codes.md.")])
    spec = CODES[code]
    lines = [
        f"{spec.code} {spec.name} ({spec.severity})",
        "",
        textwrap.fill(spec.summary, 79),
    ]
    if spec.hint:
        lines += ["", textwrap.fill(f"Fix: {spec.hint}", 79)]
    lines += [
        "",
        f"Select it with `mhi validate --select {spec.code}`, leave it out with",
        f"`--ignore {spec.code}`. Every code: docs/issue-codes.md.",
    ]
    return "\n".join(lines) + "\n"
