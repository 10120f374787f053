"""The catalogue as rows: filters, a compact text layout that fits a terminal, CSV and JSON."""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Iterable

from mhindicators.definitions.catalog import Catalog
from mhindicators.errors import UsageError
from mhindicators.issues import define, issue

define(
    "MHI905",
    "unknown-option-value",
    "error",
    "An option was given a value that is not one of its choices.",
    "Use one of the values the message lists (comma-separate several).",
)

FIELDS = ("id", "version", "source", "theme", "name", "estimator", "unit", "sdg", "file")
SOURCES = ("survey", "registry")


def split_values(values: Iterable[str] | None) -> list[str]:
    """Repeated options and comma lists alike: ['a,b', 'c'] -> ['a', 'b', 'c']."""
    return [v.strip() for value in values or [] for v in str(value).split(",") if v.strip()]


def check_choices(option: str, given: list[str], allowed: Iterable[str]) -> None:
    """Refuse (UsageError, MHI905, exit 2) any value of `option` that is not allowed."""
    allowed = sorted(set(allowed))
    problems = []
    for value in given:
        if value in allowed:
            continue
        close = difflib.get_close_matches(value, allowed, n=1)
        hint = f"Did you mean '{close[0]}'? " if close else ""
        problems.append(
            issue(
                "MHI905",
                f"unknown {option} value {value!r}",
                hint=hint + f"Use one of: {', '.join(allowed)}.",
            )
        )
    if problems:
        raise UsageError(f"unknown {option} value", problems)


def catalog_rows(
    catalog: Catalog, sources: list[str] | None = None, themes: list[str] | None = None
) -> list[dict[str, str]]:
    """One row per indicator (FIELDS), sorted by theme then id; filters refuse unknown values."""
    sources, themes = split_values(sources), split_values(themes)
    check_choices("--source", sources, SOURCES)
    check_choices("--theme", themes, {i.theme or "" for i in catalog} - {""})
    rows = []
    for ind in sorted(catalog, key=lambda i: (i.theme or "", i.id)):
        if (sources and ind.source not in sources) or (themes and ind.theme not in themes):
            continue
        rows.append(
            {
                "id": ind.id,
                "version": str(ind.version),
                "source": ind.source,
                "theme": ind.theme or "",
                "name": ind.name,
                "estimator": ind.estimator,
                "unit": ind.unit,
                "sdg": ind.framework.sdg or "",
                "file": str(catalog.paths[ind.id]),
            }
        )
    return rows


def rows_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def rows_json(rows: list[dict[str, str]]) -> str:
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def compact_lines(rows: list[dict[str, str]], total: int, width: int = 80) -> list[str]:
    """A headline, then per theme a heading and one line per indicator (id, source, name),
    the name cut with an ellipsis so that no line is wider than `width`."""
    shown = f"{len(rows)} of {total}" if len(rows) != total else str(total)
    lines = [f"{shown} indicators"]
    id_width = max((len(r["id"]) for r in rows), default=0)
    name_width = max(width - 2 - id_width - 2 - 8 - 2, 10)
    theme = None
    for row in rows:
        if row["theme"] != theme:
            theme = row["theme"]
            count = sum(1 for r in rows if r["theme"] == theme)
            lines.append(f"{theme or '(no theme)'} ({count})")
        name = row["name"]
        if len(name) > name_width:
            name = name[: name_width - 1].rstrip() + "…"
        lines.append(f"  {row['id']:<{id_width}}  {row['source']:<8}  {name}".rstrip())
    return lines
