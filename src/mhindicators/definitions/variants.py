"""National variants: a file that `extends:` a reference definition and overrides some fields.

A variant file is partial. It is resolved when the catalogue is assembled, against the reference
definitions loaded in the same call: the base's fields, then the variant's. Every overridden
field must be explained by a declared deviation, and every deviation must change something.
A variant of a variant is refused (one level: each national definition is compared with the
reference, never with another country's). Problems point at the variant file's lines, or at
the base's when the offending value was inherited.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from mhindicators.definitions.loader import CODES as SCHEMA_CODES
from mhindicators.definitions.loader import LoadedDefinition
from mhindicators.definitions.model import (
    DESCRIPTIVE_FIELDS,
    OWN_FIELDS,
    Extends,
    Indicator,
    OverridableField,
)
from mhindicators.expr.canonical import same_expression
from mhindicators.issues import Issue, define, issue
from mhindicators.schema_errors import located_issue
from mhindicators.yamlsource import Path_, SourceDoc

define(
    "MHI150",
    "variant-base-not-found",
    "error",
    "A variant extends a reference definition that is not in the definitions loaded.",
    "Load the base with the variant (e.g. `mhi validate indicator_defs variants/`) or fix "
    "`extends.id`.",
)
define(
    "MHI151",
    "variant-base-version",
    "error",
    "A variant extends another version of its reference definition than the one loaded.",
    "Review the variant against the new base, then set `extends.version` to its version.",
)
define(
    "MHI152",
    "undeclared-override",
    "error",
    "A variant overrides a field that no deviation lists in its `fields:`.",
    "Add the field to a deviation (kind, fields, note), or remove the override.",
)
define(
    "MHI153",
    "deviation-changes-nothing",
    "error",
    "A declared deviation names a field the variant does not override, or names no field "
    "although its kind is about definition fields.",
    "List only overridden fields in `fields:`, override the field, or remove the deviation.",
)
define(
    "MHI154",
    "variant-of-variant",
    "error",
    "A variant extends another variant; variants extend reference definitions only.",
    "Extend the reference definition that the other variant extends.",
)
define(
    "MHI156",
    "deviation-kind-field",
    "warning",
    "A deviation's kind does not usually explain one of its fields.",
    "Choose the kind that says why the field differs (table in docs/harmonization.md).",
)
define(
    "MHI157",
    "override-repeats-base",
    "error",
    "A variant overrides a field with the value the base already has.",
    "Remove the key from the variant; it is inherited.",
)

_CONDITIONS = {"universe": True, "numerator": True, "denominator": False, "value": False}
_WITH_CONDITIONS = ("universe", "numerator", "denominator", "value")
ANY_FIELD = tuple(get_args(OverridableField))

#: deviation kind -> the fields it may explain (MHI156 warns outside this table).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "population_coverage": ("universe", "reference_group"),
    "age_range": ("universe", "age_groups", "numerator", "denominator", "standardize"),
    "recall_period": _WITH_CONDITIONS,
    "reference_period": _WITH_CONDITIONS,
    "threshold": (*_WITH_CONDITIONS, "line"),
    "outcome_definition": ("numerator", "denominator", "value", "missing"),
    "question_wording": ANY_FIELD,
    "data_source_type": ANY_FIELD,
    "migratory_status_basis": ANY_FIELD,
    "estimator": (
        "estimator",
        "source",
        "numerator",
        "denominator",
        "value",
        "missing",
        "standardize",
        "ci_method",
        "quantile",
        "quantile_rule",
        "line",
    ),
    "method": (
        "missing",
        "ci_method",
        "reliability",
        "standardize",
        "multiplier",
        "quantile_rule",
    ),
    "unit": ("unit", "multiplier"),
    "disaggregation": ("disaggregate_by", "age_groups", "reference_group"),
}
#: kinds that may describe the data rather than a definition field, so may have `fields: []`.
FIELDLESS_KINDS = (
    "question_wording",
    "data_source_type",
    "migratory_status_basis",
    "recall_period",
    "reference_period",
    "population_coverage",
)


class _Head(BaseModel):
    model_config = ConfigDict(extra="ignore")
    extends: Extends


@dataclass
class MergedDoc(SourceDoc):
    """Source map of a resolved variant: a top-level key the variant writes is located in the
    variant file, any other in the base file."""

    variant: SourceDoc | None = None
    base: SourceDoc | None = None

    def _owner(self, path: Path_) -> SourceDoc:
        assert self.variant is not None and self.base is not None
        if not path or path[0] in self.variant.data:
            return self.variant
        return self.base

    def file_of(self, path: Path_) -> str:
        return self._owner(tuple(path)).path

    def locate(self, path: Path_, prefer_key: bool = False) -> tuple[int, int]:
        return self._owner(tuple(path)).locate(path, prefer_key)

    def locate_in_scalar(self, path: Path_, offset: int) -> tuple[int, int]:
        return self._owner(tuple(path)).locate_in_scalar(path, offset)


def resolve_variants(
    pending: list[LoadedDefinition],
    references: dict[str, LoadedDefinition],
    broken_ids: set[str],
) -> tuple[list[LoadedDefinition], list[Issue]]:
    """Resolve each variant file against the valid reference definitions by id.

    broken_ids: ids of reference files that failed to load (their own errors are reported).
    Returns the resolved variants without errors and every issue found.
    """
    variant_ids = {str(v.doc.data.get("id")) for v in pending if v.doc is not None}
    out: list[LoadedDefinition] = []
    problems: list[Issue] = []
    for item in pending:
        resolved, issues = resolve_variant(item, references, variant_ids, broken_ids)
        problems += issues
        if resolved is not None:
            out.append(resolved)
    return out, problems


def resolve_variant(
    item: LoadedDefinition,
    references: dict[str, LoadedDefinition],
    variant_ids: Collection[str] = (),
    broken_ids: Collection[str] = (),
) -> tuple[LoadedDefinition | None, list[Issue]]:
    """One variant file -> the complete definition (None when it has errors) and its issues."""
    doc = item.doc
    assert doc is not None and isinstance(doc.data, dict)
    try:
        head = _Head.model_validate(doc.data).extends
    except ValidationError as exc:
        return None, [located_issue(e, doc, SCHEMA_CODES, Indicator) for e in exc.errors()]

    def at(path: Path_, code: str, msg: str, hint: str = "", key: bool = False) -> Issue:
        line, col = doc.locate(path, prefer_key=key)
        return issue(code, msg, doc.path, line, col, hint)

    base_item = references.get(head.id)
    if base_item is None:
        if head.id in variant_ids:
            what = "itself" if head.id == doc.data.get("id") else f"the variant '{head.id}'"
            return None, [at(("extends", "id"), "MHI154", f"a variant cannot extend {what}")]
        if head.id in broken_ids:
            msg = f"base '{head.id}' has errors (reported at its file); fix them first"
            return None, [at(("extends", "id"), "MHI150", msg)]
        close = get_close_matches(head.id, list(references), n=2)
        hint = f"Did you mean {' or '.join(close)}?" if close else ""
        msg = f"no reference definition '{head.id}' among the definitions loaded"
        return None, [at(("extends", "id"), "MHI150", msg, hint)]
    base = base_item.indicator
    assert base is not None and base_item.doc is not None
    if base.version != head.version:
        msg = f"extends {head.id} {head.version}, but the loaded base is version {base.version}"
        return None, [at(("extends", "version"), "MHI151", msg)]

    merged = {k: v for k, v in base_item.doc.data.items() if k not in OWN_FIELDS}
    merged.update(doc.data)
    mdoc = MergedDoc(path=doc.path, data=merged, variant=doc, base=base_item.doc)
    try:
        variant = Indicator.model_validate(merged)
    except ValidationError as exc:
        return None, [_schema_issue(e, mdoc) for e in exc.errors()]
    problems = override_issues(variant, base, doc)
    resolved = LoadedDefinition(item.path, mdoc, variant)
    return (None if any(p.severity == "error" for p in problems) else resolved), problems


def override_issues(variant: Indicator, base: Indicator, doc: SourceDoc) -> list[Issue]:
    """Undeclared overrides, overrides that repeat the base, deviations that change nothing."""
    out: list[Issue] = []

    def at(path: Path_, code: str, msg: str, key: bool = False) -> None:
        line, col = doc.locate(path, prefer_key=key)
        out.append(issue(code, msg, doc.path, line, col))

    skip = set(OWN_FIELDS) | set(DESCRIPTIVE_FIELDS)
    overrides = [k for k in doc.data if k not in skip and k in Indicator.model_fields]
    declared = {f for dev in variant.deviations for f in dev.fields}
    changed = set()
    for field in overrides:
        if field_equal(field, getattr(base, field), getattr(variant, field)):
            at((field,), "MHI157", f"`{field}` repeats the base's value", key=True)
        elif field not in declared:
            msg = f"`{field}` overrides the base but no deviation lists it in `fields:`"
            at((field,), "MHI152", msg, key=True)
            changed.add(field)
        else:
            changed.add(field)
    for i, dev in enumerate(variant.deviations):
        if not dev.fields and dev.kind not in FIELDLESS_KINDS:
            msg = f"deviation '{dev.kind}' lists no field; this kind is about definition fields"
            at(("deviations", i, "fields"), "MHI153", msg)
        for j, field in enumerate(dev.fields):
            if field not in overrides:
                msg = f"deviation '{dev.kind}' lists `{field}`, which the variant does not override"
                at(("deviations", i, "fields", j), "MHI153", msg)
            elif field in changed and field not in KIND_FIELDS[dev.kind]:
                msg = f"deviation kind '{dev.kind}' does not usually explain `{field}`"
                at(("deviations", i, "fields", j), "MHI156", msg)
    return out


def field_equal(field: str, a: Any, b: Any) -> bool:
    """Semantic equality of one definition field (expressions compared as normalised trees)."""
    if field in _CONDITIONS and isinstance(a, str) and isinstance(b, str):
        return same_expression(a, b, _CONDITIONS[field])
    if field == "disaggregate_by":  # the order of dimensions does not change an estimate
        return set(a) == set(b)
    return _plain(a) == _plain(b)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _schema_issue(err: Any, mdoc: MergedDoc) -> Issue:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    if not loc and str(err.get("msg", "")).removeprefix("Value error, ").startswith("estimator"):
        path = ("estimator",)
        line, col = mdoc.locate(path)
        msg = str(err["msg"]).removeprefix("Value error, ")
        return issue("MHI115", msg, mdoc.file_of(path), line, col)
    return located_issue(err, mdoc._owner(loc), SCHEMA_CODES, Indicator)
