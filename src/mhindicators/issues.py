"""Problems as data: located, coded issues collected into a report.

Codes are stable and documented (docs/issue-codes.md is generated from `CODES`):
MHI1xx schema, MHI2xx cross-definition and expressions, MHI3xx data and profiles,
MHI4xx estimation and reliability, MHI9xx internal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Code:
    """A documented issue code: `MHI203 unknown-variable`."""

    code: str
    name: str
    severity: Severity
    summary: str
    hint: str = ""


CODES: dict[str, Code] = {}


def define(code: str, name: str, severity: Severity, summary: str, hint: str = "") -> Code:
    """Register an issue code once; a clash between two modules is a programming error."""
    existing = CODES.get(code)
    if existing is not None and existing.name != name:
        raise RuntimeError(f"issue code {code} defined twice ({existing.name}, {name})")
    CODES[code] = Code(code, name, severity, summary, hint)
    return CODES[code]


#: every module that defines codes (next to the code raising them); `catalogue()` imports them.
#: tests/unit/test_issue_catalogue.py fails when a module calling `define` is missing here.
DEFINING_MODULES = (
    "mhindicators.cli.diff_cmd",
    "mhindicators.cli.profile_cmds",
    "mhindicators.core.design",
    "mhindicators.core.intervals",
    "mhindicators.core.rate_intervals",
    "mhindicators.definitions.listing",
    "mhindicators.definitions.loader",
    "mhindicators.definitions.records",
    "mhindicators.definitions.rules",
    "mhindicators.definitions.variants",
    "mhindicators.discovery",
    "mhindicators.expr.problems",
    "mhindicators.frame.ages",
    "mhindicators.harmonization.aggregate",
    "mhindicators.harmonization.basis",
    "mhindicators.harmonization.projects",
    "mhindicators.harmonization.tables",
    "mhindicators.lint.select",
    "mhindicators.lint.suppress",
    "mhindicators.outputs.fileset",
    "mhindicators.report.codes",
    "mhindicators.outputs.rounding",
    "mhindicators.outputs.sdmx_csv",
    "mhindicators.outputs.xlsx",
    "mhindicators.pipeline.batches",
    "mhindicators.pipeline.compute",
    "mhindicators.pipeline.dask_run",
    "mhindicators.pipeline.datasets",
    "mhindicators.pipeline.memory",
    "mhindicators.pipeline.profile_design",
    "mhindicators.pipeline.quality",
    "mhindicators.pipeline.run_warnings",
    "mhindicators.pipeline.secondary",
    "mhindicators.pipeline.stream",
    "mhindicators.policy.definition",
    "mhindicators.policy.run",
    "mhindicators.policy.table",
    "mhindicators.profiles.check",
    "mhindicators.profiles.code_tables",
    "mhindicators.profiles.harmonize",
    "mhindicators.profiles.join",
    "mhindicators.profiles.loader",
    "mhindicators.profiles.records",
    "mhindicators.project",
    "mhindicators.readers",
    "mhindicators.readers.sniff",
    "mhindicators.registry.indicators",
    "mhindicators.registry.rates",
    "mhindicators.scaffold",
    "mhindicators.stdpop",
    "mhindicators.vocabulary",
    "mhindicators.yamlsource",
)


def catalogue() -> dict[str, Code]:
    """Every issue code of mhi by code, whatever has been imported so far."""
    import importlib

    for name in DEFINING_MODULES:
        importlib.import_module(name)
    return dict(sorted(CODES.items()))


@dataclass(frozen=True)
class Issue:
    """One located problem. `line` and `col` are 1-based; 0 means unknown."""

    code: str
    message: str
    file: str = ""
    line: int = 0
    col: int = 0
    hint: str = ""
    severity: Severity = "error"
    name: str = ""

    def format_text(self) -> str:
        where = self.file or "<input>"
        if self.line:
            where += f":{self.line}:{self.col or 1}"
        text = f"{where}: {self.severity} {self.code} {self.message} [{self.name}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def format_github(self) -> str:
        """A workflow command; property values also escape `:` and `,` (GitHub's rules)."""
        level = {"error": "error", "warning": "warning"}.get(self.severity, "notice")
        props = [f"file={_gh_property(self.file)}"] if self.file else []
        if self.line:
            props += [f"line={self.line}", f"col={self.col or 1}"]
        props.append(f"title={_gh_property(f'{self.code} {self.name}')}")
        body = self.message + (f" (hint: {self.hint})" if self.hint else "")
        return f"::{level} {','.join(props)}::{_gh_data(body)}"

    def to_dict(self) -> dict:
        return asdict(self)


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


QUOTE_LIMIT = 80


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A data value or user text for a message: quoted like repr, cut to `limit` characters
    with an ellipsis and the original length, so a 10 MB cell is never echoed whole."""
    text = value if isinstance(value, str) else repr(value)
    size = len(text)
    short = text[:limit]
    shown = repr(short) if isinstance(value, str) else short
    if size <= limit:
        return shown
    return f"{shown}… ({size:,} characters)"


def issue(
    code: str, message: str, file: str = "", line: int = 0, col: int = 0, hint: str = ""
) -> Issue:
    """Build an Issue for a registered code, taking name, severity and default hint from it."""
    spec = CODES[code]
    return Issue(
        code=code,
        message=message,
        file=str(file),
        line=line,
        col=col,
        hint=hint or spec.hint,
        severity=spec.severity,
        name=spec.name,
    )


@dataclass
class Report:
    """Issues collected from one run, in the order found."""

    issues: list[Issue] = field(default_factory=list)

    def add(self, item: Issue) -> None:
        self.issues.append(item)

    def extend(self, items: Iterable[Issue]) -> None:
        self.issues.extend(items)

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Issue]:
        return sorted(self.issues, key=lambda i: (i.file, i.line, i.col, i.code))

    def to_json(self) -> str:
        return json.dumps([i.to_dict() for i in self.sorted()], indent=2)


define(
    "MHI900",
    "internal-error",
    "error",
    "mhi failed unexpectedly; this is a bug.",
    "Re-run with --debug and report the traceback to the mhi developers.",
)
define(
    "MHI901",
    "path-not-found",
    "error",
    "A path given on the command line does not exist.",
    "Check the spelling and the current directory.",
)
define(
    "MHI902",
    "unknown-indicator",
    "error",
    "No indicator with that id is in the catalogue.",
    "Run `mhi list` to see the ids.",
)
define(
    "MHI903",
    "bad-options",
    "error",
    "Command-line options do not fit together.",
    "See `mhi COMMAND --help`.",
)


def with_location(items: list[Issue], file: str, line: int = 0, col: int = 0) -> list[Issue]:
    """Fill in a location for issues raised where no file was known (e.g. design checks)."""
    out = []
    for item in items:
        if item.file:
            out.append(item)
        else:
            out.append(
                Issue(item.code, item.message, file, line, col, item.hint, item.severity, item.name)
            )
    return out
