"""Composites over the policy datasets of a project: read the table, check every answer
against its item's codes, score. Nothing partial: any problem stops the whole run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mhindicators.errors import DataError
from mhindicators.issues import define, issue, quote
from mhindicators.policy.definition import Composite, load_composite
from mhindicators.policy.scoring import CompositeScores, score_composite
from mhindicators.policy.table import check_unique_countries
from mhindicators.profiles.loader import load_profile
from mhindicators.readers import file_type, read_columns, read_table

define(
    "MHI802",
    "policy-answer-not-a-code",
    "error",
    "An answer in a policy table is not one of its item's codes.",
    "Use a code of the item's scale, a `not_applicable` code, or leave the cell blank (missing).",
)
define(
    "MHI803",
    "composite-items-missing",
    "error",
    "A composite's items are not columns of the policy table.",
    "Add the columns to the table or run the composite on a table that has them.",
)
define(
    "MHI804",
    "composite-without-policy-table",
    "error",
    "`composites:` is declared on a dataset that is not `kind: policy`.",
    "Move `composites:` to a policy dataset.",
)
define(
    "MHI805",
    "policy-table-unreadable",
    "error",
    "The policy table cannot be read as text with the profile's delimiter and encoding.",
    "Check `format:` (delimiter, encoding) in the profile against the file.",
)
KEY_VARIABLES = ("country", "year")
SOURCE, SOURCE_SUFFIX = "SOURCE", "_SOURCE"  # a country's source; one answer's source
GROUP = "region"
MAX_SHOWN = 20


@dataclass(frozen=True)
class CompositeRun:
    dataset: str
    composite: Composite
    path: Path  # the definition file
    scores: CompositeScores
    answers: pd.DataFrame  # keys, group and item answers ('' = missing), for sensitivity


def read_answers(table: Path, profile_path: Path, vocab, c: Composite, cpath: Path):
    """Keys (canonical names), group and item columns as text ('' = missing), checked."""
    loaded = load_profile(profile_path, vocab)
    prof = loaded.profile
    keys = {v: prof.columns[v] for v in (*KEY_VARIABLES, GROUP) if v in prof.columns}
    available = read_columns(table, prof.format)
    absent = [i for i in c.items if i not in available]
    if absent:
        shown = ", ".join(absent[:MAX_SHOWN]) + (" ..." if len(absent) > MAX_SHOWN else "")
        msg = f"{len(absent)} item(s) of composite {c.id} are not columns of {table.name}: {shown}"
        raise DataError(msg, [issue("MHI803", msg, str(cpath), 1, 1)])
    sources = [col for col in (SOURCE, *(i + SOURCE_SUFFIX for i in c.items)) if col in available]
    raw_cols = list(dict.fromkeys([*keys.values(), *c.items, *sources]))
    frame = _read_text(table, prof.format, raw_cols)
    frame = frame.astype(object).where(frame.notna(), "").map(lambda v: str(v).strip())
    out = frame.rename(columns={raw: v for v, raw in keys.items()})
    check_unique_countries(out, str(table), keys)
    _check_codes(out, c, table, available)
    return out


def _read_text(path: Path, fmt, columns: list[str]) -> pd.DataFrame:
    # Answers are codes: "NA" (not applicable) must stay "NA", not become a missing value.
    if file_type(path, fmt) != "csv":
        return read_table(path, fmt, columns, columns)
    try:
        return pd.read_csv(
            path,
            sep=fmt.delimiter,
            encoding=fmt.encoding,
            usecols=columns,
            dtype=str,
            keep_default_na=False,
        )
    except (ValueError, UnicodeDecodeError) as exc:
        msg = f"cannot read {path.name}: {quote(str(exc), 80)}"
        raise DataError(msg, [issue("MHI805", msg, str(path))]) from None


def _check_codes(frame: pd.DataFrame, c: Composite, table: Path, columns: list[str]) -> None:
    found = []
    for d in c.domains:
        allowed = set(c.scales[d.scale]) | set(c.not_applicable) | {""}
        for item in d.items:
            bad = ~frame[item].isin(allowed)
            if not bad.any():
                continue
            rows = [int(i) + 2 for i in frame.index[bad.to_numpy()]]  # header is line 1
            values = sorted(set(frame.loc[bad, item]))
            codes = ", ".join(sorted(c.scales[d.scale]))
            found.append(
                issue(
                    "MHI802",
                    f"column {item}: {', '.join(quote(v, 12) for v in values[:5])} not a code "
                    f"of scale {d.scale} ({len(rows)} rows, first line {rows[0]})",
                    str(table),
                    rows[0],
                    columns.index(item) + 1,
                    hint=f"Codes: {codes}; not applicable: {', '.join(c.not_applicable) or '-'}; "
                    "blank = missing.",
                )
            )
    if found:
        raise DataError(f"{len(found)} item column(s) with answers outside their codes", found)


def run_composites(project, vocab) -> list[CompositeRun]:
    """Every composite of every policy dataset of `project`, all checked before any result."""
    runs, problems = [], []
    for i, spec in enumerate(project.model.datasets):
        if not spec.composites:
            continue
        if spec.kind != "policy":
            line, col = project.doc.locate(("datasets", i, "composites"), prefer_key=True)
            problems.append(
                issue(
                    "MHI804",
                    f"dataset {spec.id} is not kind policy",
                    str(project.doc.path),
                    line,
                    col,
                )
            )
            continue
        table = project.resolve(spec.path, "datasets", i, "path")
        profile = project.resolve(spec.profile, "datasets", i, "profile")
        for j, rel in enumerate(spec.composites):
            cpath = project.resolve(rel, "datasets", i, "composites", j)
            c = load_composite(cpath)
            answers = read_answers(table, profile, vocab, c, cpath)
            keys = [k for k in KEY_VARIABLES if k in answers.columns]
            group = GROUP if GROUP in answers.columns else None
            scores = score_composite(c, answers, keys, group)
            runs.append(CompositeRun(spec.id, c, cpath, scores, answers))
    if problems:
        raise DataError("composites on a dataset that is not a policy table", problems)
    return runs
