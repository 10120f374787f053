"""Load one dataset: profile, the needed raw columns only, harmonised to the vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mhindicators.errors import DataError, ProfileError
from mhindicators.issues import define, issue, quote
from mhindicators.profiles.harmonize import (
    finish_harmonized,
    harmonize,
    harmonize_columns,
    source_variables,
)
from mhindicators.profiles.join import available_columns, read_joined
from mhindicators.profiles.loader import LoadedProfile
from mhindicators.readers import file_type, read_table
from mhindicators.readers.sniff import no_rows
from mhindicators.vocabulary import Vocabulary

define(
    "MHI316",
    "profile-kind-mismatch",
    "error",
    "The profile's kind does not fit where the project file uses it.",
    "Use a `kind: survey` profile for survey datasets, `events`/`denominator` for registries.",
)
define(
    "MHI317",
    "derivation-mismatch",
    "error",
    "Events and denominators derive a dimension differently (e.g. another reporting country).",
    "Make both profiles map or derive the dimension the same way (docs/profiles.md).",
)
define(
    "MHI370",
    "duplicate-column",
    "error",
    "The data file has two or more columns of the same name, and the profile uses that name.",
    "Rename or drop the extra column in the file: mhi cannot tell which one the profile means.",
)
define(
    "MHI374",
    "wrong-delimiter",
    "error",
    "The data file's header reads as one column holding another delimiter.",
    "Set `format: {delimiter: ...}` in the profile to the file's delimiter.",
)

BATCH_VARIABLES = 8  # canonical variables read and harmonised together from Parquet


@dataclass
class LoadedData:
    """A harmonised frame and the raw design columns, with where they came from."""

    frame: pd.DataFrame
    raw: pd.DataFrame
    available_columns: list[str]
    path: Path
    profile: LoadedProfile


def check_kind(loaded: LoadedProfile, kinds: tuple[str, ...], role: str) -> None:
    """ProfileError (MHI316) when a profile is used in the wrong place."""
    if loaded.profile.kind not in kinds:
        file, line, col = loaded.where("kind")
        msg = f"profile kind '{loaded.profile.kind}' cannot be used as {role}"
        raise ProfileError(
            msg,
            [
                issue(
                    "MHI316",
                    msg,
                    file,
                    line,
                    col,
                    f"Set `kind: {kinds[0]}` or use another profile.",
                )
            ],
        )


def load_data(
    path: Path,
    loaded: LoadedProfile,
    wanted: set[str],
    vocab: Vocabulary,
    extra_raw: list[str] | None = None,
    root: Path | None = None,
    *,
    allow_empty: bool = False,
) -> LoadedData:
    """Read only the raw columns behind `wanted` (plus `extra_raw`) and harmonise them.

    Files the profile joins onto this one (`join:`) are resolved inside `root` (the project).
    DataError for duplicate or missing columns, a wrong delimiter, or (unless
    `allow_empty`: an events file may truly hold no event) a file without rows."""
    prof = loaded.profile
    available = available_columns(path, loaded, root)
    names = sorted(source_variables(loaded, wanted))
    raw_needed, text = needed_columns(path, loaded, wanted, vocab, extra_raw, available)
    if prof.join:
        raw = read_joined(path, loaded, raw_needed, text, root)
    elif file_type(path, prof.format) == "parquet" and len(names) > BATCH_VARIABLES:
        data = _load_parquet_in_batches(
            path, loaded, names, wanted, vocab, text, extra_raw, available
        )
        if len(data.frame) == 0 and not allow_empty:
            raise no_rows(path)
        return data
    else:
        raw = read_table(path, prof.format, raw_needed, text)
    if len(raw) == 0 and not allow_empty:
        raise no_rows(path)
    frame = harmonize(raw, loaded, wanted, vocab)
    design = raw[[c for c in (extra_raw or []) if c in raw.columns]]  # the raw codes can go
    del raw
    return LoadedData(frame, design, available, path, loaded)


def needed_columns(
    path: Path,
    loaded: LoadedProfile,
    wanted: set[str],
    vocab: Vocabulary,
    extra_raw: list[str] | None,
    available: list[str],
) -> tuple[list[str], list[str]]:
    """The raw columns behind `wanted` plus `extra_raw`, and those read as text codes.

    DataError for columns missing from the file (or a wrong delimiter) or named twice."""
    prof = loaded.profile
    names = sorted(source_variables(loaded, wanted))
    raw_needed = [prof.columns[v] for v in names]
    raw_needed += [c for c in (extra_raw or []) if c not in raw_needed]
    missing = [c for c in raw_needed if c not in available]
    if missing:
        raise DataError(
            f"{len(missing)} column(s) missing from {path.name}",
            _delimiter_issues(loaded, path, available)
            or _missing_issues(missing, loaded, path, available),
        )
    if doubled := _duplicate_issues(raw_needed, loaded, path, available):
        raise DataError(f"duplicate column names in {path.name}", doubled)
    return raw_needed, [prof.columns[v] for v in names if vocab[v].is_categorical]


def _load_parquet_in_batches(
    path, loaded, names, wanted, vocab, text, extra_raw, available
) -> LoadedData:
    """Read and harmonise a few variables at a time (Parquet reads columns independently), so
    the raw columns of a wide extract never coexist: the peak is the canonical frame plus one
    batch. Problems of every batch are collected and reported together."""
    prof = loaded.profile
    values: dict[str, object] = {}
    problems = []
    index = None
    for start in range(0, len(names), BATCH_VARIABLES):
        batch = names[start : start + BATCH_VARIABLES]
        columns = list(dict.fromkeys(prof.columns[v] for v in batch))
        raw = read_table(path, prof.format, columns, [c for c in text if c in columns])
        index = raw.index
        got, issues = harmonize_columns(raw, loaded, batch, vocab)
        values.update(got)
        problems += issues
        del raw
    frame = finish_harmonized(values, problems, index, loaded, wanted)
    design_columns = list(dict.fromkeys(extra_raw or []))
    if design_columns:
        design = read_table(path, prof.format, design_columns, [])
    else:
        design = pd.DataFrame(index=frame.index)
    return LoadedData(frame, design, available, path, loaded)


def _where_column(loaded: LoadedProfile, column: str) -> tuple[str, int, int]:
    """The profile line that names a raw column: its `columns:` entry, else `design:`."""
    prof = loaded.profile
    canon = next((c for c, raw in prof.columns.items() if raw == column), None)
    if canon is not None:
        return loaded.where("columns", canon)
    design = prof.design
    if design is not None:
        for key in ("weight", "strata", "psu", "fpc"):
            if getattr(design, key) == column:
                return loaded.where("design", key)
        if design.replicates is not None:
            return loaded.where("design", "replicates")
    return loaded.where("design")


def _duplicate_issues(
    needed: list[str], loaded: LoadedProfile, path: Path, available: list[str]
) -> list:
    """MHI370 for each needed column whose name the file's header repeats."""
    from collections import Counter

    repeated = {name for name, n in Counter(available).items() if n > 1}
    out = []
    for name in dict.fromkeys(c for c in needed if c in repeated):
        positions = [i + 1 for i, c in enumerate(available) if c == name]
        if len(positions) > 1:
            file, line, col = _where_column(loaded, name)
            listed = "columns " + ", ".join(str(p) for p in positions)
            message = f"{path.name} has {len(positions)} columns named {quote(name)} ({listed})"
            out.append(issue("MHI370", message, file, line, col))
    return out


def _delimiter_issues(loaded: LoadedProfile, path: Path, available: list[str]) -> list:
    """MHI374 when the header is one column that holds another delimiter (`a;b;c` read with
    `,`): one clear message instead of every column reported missing."""
    fmt = loaded.profile.format
    if len(available) != 1 or file_type(path, fmt) != "csv":
        return []
    found = [d for d in (",", ";", "\t", "|") if d != fmt.delimiter and d in available[0]]
    if not found:
        return []
    best = max(found, key=available[0].count)
    shown = _show(best)
    file, line, col = loaded.where("format", "delimiter")
    message = (
        f"the header of {path.name} reads as one column holding {available[0].count(best)} "
        f"'{shown}': the file is delimited by '{shown}', not '{_show(fmt.delimiter)}'"
    )
    hint = f'Set `format: {{delimiter: "{shown}"}}` in the profile.'
    return [issue("MHI374", message, file, line, col, hint)]


def _show(delimiter: str) -> str:
    return "\\t" if delimiter == "\t" else delimiter


def _missing_issues(missing: list[str], loaded: LoadedProfile, path: Path, available: list[str]):
    import difflib

    mapped = set(loaded.profile.columns.values())
    none_found = not (mapped & set(available))
    out = []
    for col in missing:
        file, line, col_no = _where_column(loaded, col)
        # names of sane length only: difflib is quadratic, and a header cell may be megabytes
        close = difflib.get_close_matches(col, [a for a in available if len(a) <= 200], n=1)
        hint = f"The file has {quote(close[0])}." if close else "Check the raw column name."
        if none_found:
            hint = f"No column of the profile is in {path.name}: is it the profile of another file?"
        out.append(
            issue("MHI311", f"column {quote(col)} is not in {path.name}", file, line, col_no, hint)
        )
    return out


def derivation_signature(loaded: LoadedProfile, variable: str) -> tuple:
    """How a profile obtains a variable: mapped from a column, or derived with which settings."""
    prof = loaded.profile
    if variable in prof.columns:
        return ("mapped",)
    if variable in ("nativity", "citizenship_status", "migratory_status", "migrant_generation"):
        return ("derived", prof.metadata.country)
    if variable in ("years_since_arrival", "duration_group"):
        return (
            "derived",
            prof.metadata.country,
            tuple(prof.derive.duration_thresholds),
            prof.derive.reference_year or prof.metadata.year,
        )
    return ("mapped",)


def check_same_derivation(
    events: LoadedProfile, denominator: LoadedProfile, dims: set[str]
) -> None:
    """MHI317 when events and denominators would classify the same person differently."""
    problems = []
    for dim in sorted(dims):
        a, b = derivation_signature(events, dim), derivation_signature(denominator, dim)
        if a != b:
            file, line, col = (
                denominator.where("columns", dim)
                if dim in denominator.profile.columns
                else denominator.where("metadata")
            )
            problems.append(
                issue(
                    "MHI317",
                    f"{dim}: events profile {events.path} gives {a}, "
                    f"denominator profile {denominator.path} gives {b}",
                    file,
                    line,
                    col,
                )
            )
    if problems:
        raise ProfileError("events and denominators are not comparable", problems)
