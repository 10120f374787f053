"""Load one dataset: profile, the needed raw columns only, harmonised to the vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mhindicators.errors import DataError, ProfileError
from mhindicators.issues import define, issue
from mhindicators.profiles.harmonize import (
    finish_harmonized,
    harmonize,
    harmonize_columns,
    source_variables,
)
from mhindicators.profiles.join import available_columns, read_joined
from mhindicators.profiles.loader import LoadedProfile
from mhindicators.readers import file_type, read_table
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
) -> LoadedData:
    """Read only the raw columns behind `wanted` (plus `extra_raw`) and harmonise them.

    Files the profile joins onto this one (`join:`) are resolved inside `root` (the project)."""
    prof = loaded.profile
    available = available_columns(path, loaded, root)
    names = sorted(source_variables(loaded, wanted))
    raw_needed = [prof.columns[v] for v in names]
    raw_needed += [c for c in (extra_raw or []) if c not in raw_needed]
    missing = [c for c in raw_needed if c not in available]
    if missing:
        raise DataError(
            f"{len(missing)} column(s) missing from {path.name}",
            _missing_issues(missing, loaded, path, available),
        )
    text = [prof.columns[v] for v in names if vocab[v].is_categorical]
    if prof.join:
        raw = read_joined(path, loaded, raw_needed, text, root)
    elif file_type(path, prof.format) == "parquet" and len(names) > BATCH_VARIABLES:
        return _load_parquet_in_batches(
            path, loaded, names, wanted, vocab, text, extra_raw, available
        )
    else:
        raw = read_table(path, prof.format, raw_needed, text)
    frame = harmonize(raw, loaded, wanted, vocab)
    design = raw[[c for c in (extra_raw or []) if c in raw.columns]]  # the raw codes can go
    del raw
    return LoadedData(frame, design, available, path, loaded)


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


def _missing_issues(missing: list[str], loaded: LoadedProfile, path: Path, available: list[str]):
    import difflib

    by_raw = {raw: canon for canon, raw in loaded.profile.columns.items()}
    mapped = set(loaded.profile.columns.values())
    none_found = not (mapped & set(available))
    out = []
    for col in missing:
        canon = by_raw.get(col)
        file, line, col_no = loaded.where("columns", canon) if canon else loaded.where("design")
        close = difflib.get_close_matches(col, available, n=1)
        hint = f"The file has '{close[0]}'." if close else "Check the raw column name."
        if none_found:
            hint = f"No column of the profile is in {path.name}: is it the profile of another file?"
        out.append(
            issue("MHI311", f"column '{col}' is not in {path.name}", file, line, col_no, hint)
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
