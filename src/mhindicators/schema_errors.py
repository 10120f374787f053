"""Turn pydantic validation errors into located issues (file:line:col from the source map)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mhindicators.errors import MhiError
from mhindicators.issues import Issue, issue, quote
from mhindicators.yamlsource import SourceDoc, YamlProblem, load_mapping

_TYPE_ERRORS = ("_type", "_parsing")


@dataclass(frozen=True)
class SchemaCodes:
    """Which issue code each kind of schema error gets in one file family."""

    invalid: str
    unknown_key: str
    missing_key: str
    wrong_type: str
    bad_choice: str


def located_issues(
    exc: ValidationError, doc: SourceDoc, codes: SchemaCodes, root: type[BaseModel]
) -> list[Issue]:
    """One located issue per pydantic error."""
    return [_one(err, doc, codes, root) for err in exc.errors()]


def located_issue(
    err: Mapping[str, Any], doc: SourceDoc, codes: SchemaCodes, root: type[BaseModel]
) -> Issue:
    """The located issue of one pydantic error (an item of `ValidationError.errors()`)."""
    return _one(err, doc, codes, root)


def _one(
    err: Mapping[str, Any], doc: SourceDoc, codes: SchemaCodes, root: type[BaseModel]
) -> Issue:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    kind = err["type"]
    dotted = ".".join(str(p) for p in loc) or "document"
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        line, col = doc.locate(loc, prefer_key=True)
        parent = ".".join(str(p) for p in loc[:-1]) or "the document"
        return issue(
            codes.unknown_key,
            f"unknown key {quote(loc[-1])} in {parent}",
            doc.path,
            line,
            col,
            _key_hint(root, loc),
        )
    if kind == "missing":
        line, col = doc.locate(loc[:-1], prefer_key=True)
        return issue(codes.missing_key, f"missing required key '{dotted}'", doc.path, line, col)
    line, col = doc.locate(loc)
    if kind == "literal_error":
        choices = err.get("ctx", {}).get("expected", "")
        return issue(
            codes.bad_choice,
            f"{dotted}: {_short(err.get('input'))} is not allowed",
            doc.path,
            line,
            col,
            f"Use one of {choices}.",
        )
    if kind.endswith(_TYPE_ERRORS):
        return issue(
            codes.wrong_type,
            f"{dotted}: {msg.lower()} (got {_short(err.get('input'))})",
            doc.path,
            line,
            col,
        )
    return issue(codes.invalid, f"{dotted}: {msg}", doc.path, line, col)


def _key_hint(root: type[BaseModel], loc: tuple) -> str:
    model: type[BaseModel] | None = root
    for part in loc[:-1]:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        model = _model_of(field.annotation) if field else None
    if model is None:
        return ""
    match = get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    if match:
        return f"Did you mean '{match[0]}'?"
    return f"Allowed keys: {', '.join(model.model_fields)}."


def _model_of(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _short(value: object) -> str:
    return quote(value, 60)


M = TypeVar("M", bound=BaseModel)


def load_model(
    path: str | Path, model: type[M], codes: SchemaCodes, error: type[MhiError]
) -> tuple[M, SourceDoc]:
    """Load a YAML mapping and validate it; `error` carries every located issue on failure."""
    try:
        doc = load_mapping(path)
    except YamlProblem as exc:
        raise error(exc.issue.message, [exc.issue]) from None
    try:
        return model.model_validate(doc.data), doc
    except ValidationError as exc:
        raise error(f"invalid {path}", located_issues(exc, doc, codes, model)) from None
