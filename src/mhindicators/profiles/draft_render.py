"""Write the drafted profile as commented YAML that loads (`# REVIEW:` marks every guess)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd
import yaml

from mhindicators.profiles import draft
from mhindicators.profiles.model import FileFormat
from mhindicators.profiles.scan import ColumnScan, FileScan, scan_file
from mhindicators.vocabulary import Vocabulary, default_vocabulary

REVIEW = "# REVIEW:"


def draft_profile(
    path: Path,
    kind: str = "survey",
    country: str | None = None,
    vocabulary: Vocabulary | None = None,
    max_rows: int = 200_000,
    encoding: str = "utf-8",
) -> str:
    """The YAML text of a draft profile for the data file at `path` (CSV delimiter sniffed)."""
    scan = scan_file(Path(path), FileFormat(encoding=encoding), max_rows=max_rows)
    return render(scan, kind, country, vocabulary or default_vocabulary())


def render(scan: FileScan, kind: str, country: str | None, vocab: Vocabulary) -> str:
    design = {}
    if kind == "survey":
        design = {r: draft.design_column(scan.columns, r) for r in ("weight", "strata", "psu")}
    design_cols = {c for c in design.values() if c}
    names = [n for n, v in vocab.variables.items() if v.role != "design"]
    mappable = [c for c in scan.columns if c.name not in design_cols]
    guesses = draft.suggest(mappable, vocab, names)
    read = f"{scan.rows_read:,} rows read" + ("" if scan.complete else ", the first rows only")
    out = [
        f"# Draft profile of {draft._short(scan.path.name, 60)}, written by"
        f" `mhi profile draft` ({read}).",
        "# Every line marked REVIEW is a guess: check it, then delete the marker.",
        "# Keys: docs/profiles.md; canonical variables and their codes: docs/vocabulary.md.",
        f"id: {draft.profile_id(scan.path)}",
        f"kind: {kind}",
        f"description: {_scalar(f'Draft profile of {scan.path.name}.')}"
        f"  {REVIEW} describe the extract",
        "metadata:",
        f"  country: {_scalar(country or 'XXX')}"
        + ("" if country else f"  {REVIEW} the reporting country (ISO 3166-1 alpha-3)"),
        f"  year: {draft.guess_year(scan.path)}  {REVIEW} reference year of the data",
        f"  source: {_scalar(scan.path.stem)}  {REVIEW} name of the survey or register",
    ]
    fmt = {k: v for k, v in scan.format.model_dump().items() if v != FileFormat().model_dump()[k]}
    if fmt:
        body = ", ".join(f"{k}: {_scalar(v)}" for k, v in fmt.items())
        out.append(f"format: {{{body}}}  {REVIEW} as detected in the file")
    out.append("columns:  # canonical variable: raw column")
    by_name = {c.name: c for c in scan.columns}
    mapped = sorted(guesses.items(), key=lambda g: names.index(g[1].variable))
    for raw, sug in mapped:
        note = f"{sug.why}; {draft.describe(by_name[raw], scan)}"
        out.append(f"  {sug.variable}: {_scalar(raw)}  {REVIEW} {note}")
    if not mapped:
        out.append(f"  {{}}  {REVIEW} no column looked like a canonical variable")
    rest = [c for c in scan.columns if c.name not in guesses and c.name not in design_cols]
    if rest:
        out.append("# Not mapped (map a column to a canonical variable, or leave it out):")
        out += [f"#   {_short_name(c.name)}: {draft.describe(c, scan)}" for c in rest]
    out += _recodes(mapped, by_name, vocab)
    if kind == "survey":
        out += _design(design)
    if kind == "events":
        out += _event_types(scan.path.stem, vocab)
    return "\n".join(out) + "\n"


def _event_types(stem: str, vocab: Vocabulary) -> list[str]:
    """A register declares what its records are: guess the event type from the file name."""
    var = vocab.get("event_type")
    codes = sorted(var.allowed_codes() or ()) if var is not None else []
    if not codes:
        return []
    words = stem.lower().replace("-", "_")
    close = difflib.get_close_matches(words, codes, n=1, cutoff=0.0)
    guess = next((c for c in codes if c in words or words.rstrip("s") in c), close[0])
    shown = ", ".join(codes[:8]) + (", ..." if len(codes) > 8 else "")
    return [f"event_types: [{guess}]  {REVIEW} what the records are; codes: {shown}"]


def _recodes(mapped, by_name: dict[str, ColumnScan], vocab: Vocabulary) -> list[str]:
    tables, recodes, templates, missing = [], [], [], []
    for raw, sug in mapped:
        col, var = by_name[raw], vocab[sug.variable]
        name = sug.variable
        recode = draft.label_recode(col, var, name)
        missing += _missing(name, col, var, set(recode or {}))
        if var.type in ("integer", "number"):
            continue
        if name in draft.COUNTRY_VARIABLES and (table := draft.code_table_for(col)):
            left = [(v, c) for v, c in col.top(200) if _key(v) not in draft.code_table(table)]
            extra = ", ".join(f"{draft._short(v)} ({c:,})" for v, c in left[:6])
            note = f"values not in the table: {extra}" if extra else "every value is in it"
            tables.append(f"  {name}: {table}  {REVIEW} {note}")
            continue
        if recode is not None:
            body = ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in recode.items())
            recodes.append(f"  {name}: {{{body}}}  {REVIEW} from the value labels")
            continue
        allowed = var.allowed_codes()
        if allowed is not None and {draft._short(v) for v in col.counts.index} <= set(allowed):
            continue  # already canonical codes
        if var.type != "boolean" and allowed is None:
            continue  # an open code list: codes are kept as provided
        if 0 < len(col.counts) <= draft.MAX_CODES:
            keys = [draft._short(v) for v, _ in col.top(draft.MAX_CODES)]
            guess = {"1": "true", "2": "false"} if var.type == "boolean" else {}
            body = ", ".join(f"{k}: {guess.get(k, '?')}" for k in sorted(keys, key=_order))
            codes = "true, false" if var.type == "boolean" else ", ".join(sorted(allowed or []))
            templates.append(f"#   {name}: {{{body}}}  # codes: {codes or 'open list'}")
    out = []
    if tables:
        out += ["code_tables:  # canonical variable: built-in code table (recode entries win)"]
        out += tables
    if templates:
        drop = "" if recodes else " (drop its {})"
        out += [f"{REVIEW} complete these recodes and move them under `recode:`{drop}"]
        out += templates
    out.append("recode:  # raw code: canonical code (null = missing)" if recodes else "recode: {}")
    out += recodes
    out.append("missing_codes:" if missing else "missing_codes: {}")
    return out + missing


def _missing(name: str, col: ColumnScan, var, recoded: set) -> list[str]:
    """Labelled 'don't know' values (unless recoded), and numbers outside the valid range."""
    codes: list[object] = []
    for raw, text in col.value_labels.items():
        if draft._number(raw) not in recoded and any(
            m in str(text).lower() for m in draft.MISSING_LABELS
        ):
            codes.append(draft._number(raw))
    if var.type in ("integer", "number") and len(col.counts):
        values = pd.to_numeric(pd.Series(col.counts.index, dtype="object"), errors="coerce")
        low = var.min if var.min is not None else float("-inf")
        high = var.max if var.max is not None else float("inf")
        codes += [draft._number(float(v)) for v in values[(values < low) | (values > high)]]
    if not codes:
        return []
    body = ", ".join(_scalar(c) for c in dict.fromkeys(codes))
    return [f"  {name}: [{body}]  {REVIEW} labelled as missing or outside the valid range"]


def _design(design: dict[str, str | None]) -> list[str]:
    out = ["design:"]
    weight = design["weight"]
    out.append(
        f"  weight: {_scalar(weight)}  {REVIEW} sampling weight"
        if weight
        else f"  weight: WEIGHT  {REVIEW} no weight column found: name it"
    )
    for role in ("strata", "psu"):
        if design[role]:
            out.append(f"  {role}: {_scalar(design[role])}  {REVIEW} {role} column")
        else:
            out.append(f"  # {role}: ...  {REVIEW} none found (fine for a simple random sample)")
    out.append("  lonely_psu: fail")
    return out


def _scalar(value: object) -> str:
    """One YAML scalar, quoted when needed ('1' stays text, NO stays Norway)."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _short_name(name: str) -> str:
    return draft._short(name, 40)


def _key(value: object) -> object:
    text = str(draft._number(value)).strip()
    return int(text) if text.isdigit() else text


def _order(text: str) -> tuple[int, float, str]:
    try:
        return (0, float(text), text)
    except ValueError:
        return (1, 0.0, text)
