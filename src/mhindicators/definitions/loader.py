"""Load definition files into located Indicator models, collecting issues instead of raising."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from mhindicators.definitions.model import Indicator
from mhindicators.issues import Issue, define, issue
from mhindicators.schema_errors import SchemaCodes, located_issues
from mhindicators.yamlsource import SourceDoc, YamlProblem, load_mapping

define(
    "MHI109",
    "no-definitions",
    "error",
    "No definition files (*.yaml) were found.",
    "Point mhi at a definition file or a folder holding <id>.yaml files.",
)
define(
    "MHI110",
    "invalid-value",
    "error",
    "A value does not satisfy the definition schema.",
    "See docs/definition-reference.md for the allowed values.",
)
define(
    "MHI111",
    "unknown-key",
    "error",
    "A key is not part of the definition schema.",
    "Remove the key or fix its spelling; see docs/definition-reference.md.",
)
define(
    "MHI112",
    "missing-key",
    "error",
    "A required key is missing.",
    "Add the key; see docs/definition-reference.md.",
)
define(
    "MHI113",
    "wrong-type",
    "error",
    "A value has the wrong type (e.g. a list where text is expected).",
    "Write the value with the type given in docs/definition-reference.md.",
)
define(
    "MHI114",
    "bad-choice",
    "error",
    "A value is not one of the allowed choices.",
    "Use one of the listed choices.",
)
define(
    "MHI115",
    "estimator-fields",
    "error",
    "The estimator's required expression fields are missing, or fields it ignores are present.",
    "proportion/count need numerator; mean/total need value; ratio and rate need "
    "numerator and denominator; standardized_rate also needs standardize; quantile needs "
    "value and quantile; below_line needs value and line; gini and quintile_share_ratio "
    "need value.",
)

_CODES = SchemaCodes("MHI110", "MHI111", "MHI112", "MHI113", "MHI114")
CODES = _CODES  # the schema codes of definition files, for the variant resolver
_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadedDefinition:
    """One definition file: the model (None if invalid) and its source map.

    A national variant (`extends:`) loads with `variant=True` and no model yet: it is resolved
    against its base when the catalogue is assembled (definitions/variants.py).
    """

    path: Path
    doc: SourceDoc | None
    indicator: Indicator | None
    variant: bool = False


def find_definition_files(paths: list[Path]) -> tuple[list[Path], list[Issue]]:
    """Expand folders into sorted *.yaml files; report folders with none."""
    files: list[Path] = []
    problems: list[Issue] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
            if not found:
                problems.append(
                    issue("MHI109", f"no *.yaml definition files in folder {path}", str(path))
                )
            files.extend(found)
        else:
            files.append(path)
    return files, problems


def load_definition(path: Path) -> tuple[LoadedDefinition, list[Issue]]:
    """Parse and validate one file; every problem comes back located, none is raised."""
    try:
        doc = load_mapping(path)
    except YamlProblem as exc:
        return LoadedDefinition(path, None, None), [exc.issue]
    if "extends" in doc.data:
        return LoadedDefinition(path, doc, None, variant=True), []
    try:
        model = Indicator.model_validate(doc.data)
    except ValidationError as exc:
        issues = located_issues(exc, doc, _CODES, Indicator)
        if doc.data.get("estimator") is not None:
            issues = [_estimator_issue(i, doc) for i in issues]
        return LoadedDefinition(path, doc, None), issues
    return LoadedDefinition(path, doc, model), []


def _estimator_issue(item: Issue, doc: SourceDoc) -> Issue:
    """Model-level estimator errors point at `estimator:` with their own code."""
    if item.code == "MHI110" and item.message.startswith("document: estimator"):
        line, col = doc.locate(("estimator",))
        return issue("MHI115", item.message.removeprefix("document: "), doc.path, line, col)
    return item
