"""Surveys delivered as several files: further files joined onto the main file on key columns.

The main file is the dataset's `path` (e.g. persons); each `join:` entry of the profile names
another file (e.g. households) and its keys. Only the needed columns are read from each file,
keys are matched by a vectorised index lookup, and the result keeps the main file's rows in order.
Duplicate keys on the "one" side and unmatched main rows are errors that give counts and row
numbers, never key values.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mhindicators.errors import DataError, ProfileError
from mhindicators.issues import Issue, define, issue
from mhindicators.profiles.loader import LoadedProfile
from mhindicators.profiles.model import Join
from mhindicators.readers import read_columns, read_table

define(
    "MHI524",
    "join-duplicate-keys",
    "error",
    "A joined file holds the same key more than once where each key must be unique.",
    "Check the `on:` keys (a household file needs one row per household id), or use "
    "`how: many_to_one` with the unique file joined.",
)
define(
    "MHI525",
    "join-unmatched-keys",
    "error",
    "Rows of the main file have no matching row in a joined file.",
    "Check the keys and that the files are of the same delivery; `unmatched: allow` keeps "
    "such rows with blank joined columns.",
)
define(
    "MHI526",
    "join-missing-key",
    "error",
    "A key column of a join is not in one of the two files.",
    "Fix the column names in `on:` (names are case-sensitive).",
)
define(
    "MHI527",
    "join-file-not-found",
    "error",
    "A joined file does not exist or lies outside the project folder.",
    "Give the path relative to the profile's folder, inside the project.",
)


def join_paths(loaded: LoadedProfile, root: Path | None) -> list[Path]:
    """The joined files, resolved against the profile's folder; ProfileError (MHI527) when one
    is missing or outside both the project folder `root` and the profile's folder."""
    problems = join_path_issues(loaded, root)
    if problems:
        raise ProfileError("joined file not found", problems)
    base = Path(loaded.path).parent
    return [(base / j.path).resolve() for j in loaded.profile.join]


def join_path_issues(loaded: LoadedProfile, root: Path | None) -> list[Issue]:
    """MHI527 for each joined file that is missing or escapes the project."""
    base = Path(loaded.path).parent.resolve()
    roots = [base] + ([Path(root).resolve()] if root is not None else [])
    out: list[Issue] = []
    for i, j in enumerate(loaded.profile.join):
        path = (base / j.path).resolve()
        inside = any(path == r or r in path.parents for r in roots)
        if inside and path.is_file():
            continue
        why = "is outside the project folder" if not inside else "does not exist"
        file, line, col = loaded.where("join", i, "path")
        out.append(issue("MHI527", f"joined file '{j.path}' {why}", file, line, col))
    return out


def record_joined(
    provenance: dict, key: str, loaded: LoadedProfile, root: Path | None = None
) -> None:
    """Name and SHA-256 of each joined file in the outputs' provenance (`input.KEY.join1`...)."""
    from mhindicators.results import sha256_file

    for i, path in enumerate(join_paths(loaded, root) if loaded.profile.join else [], start=1):
        provenance[f"input.{key}.join{i}.sha256"] = sha256_file(path)
        provenance[f"input.{key}.join{i}.file"] = path.name


def available_columns(path: Path, loaded: LoadedProfile, root: Path | None = None) -> list[str]:
    """Columns of the main file, then those that only the joined files add."""
    columns = read_columns(path, loaded.profile.format)
    if not loaded.profile.join:
        return columns
    seen = set(columns)
    for j, jpath in zip(loaded.profile.join, join_paths(loaded, root), strict=True):
        for c in read_columns(jpath, j.format):
            if c not in seen:
                seen.add(c)
                columns.append(c)
    return columns


def read_joined(
    path: Path,
    loaded: LoadedProfile,
    columns: list[str],
    text: list[str],
    root: Path | None = None,
) -> pd.DataFrame:
    """`columns` of the main file with the joined files' columns matched on their keys."""
    prof = loaded.profile
    main_columns = read_columns(path, prof.format)
    todo = [c for c in columns if c not in main_columns]
    parts: list[tuple[int, Join, Path, list[str]]] = []
    for i, (j, jpath) in enumerate(zip(prof.join, join_paths(loaded, root), strict=True)):
        jcols = read_columns(jpath, j.format)
        wanted = [c for c in todo if c in jcols and c not in j.on]
        if not wanted:
            continue
        todo = [c for c in todo if c not in wanted]
        _check_keys(loaded, i, j, path.name, main_columns, jpath.name, jcols)
        parts.append((i, j, jpath, wanted))
    keys = [k for _, j, _, _ in parts for k in j.on]
    main_read = list(dict.fromkeys([c for c in columns if c in main_columns] + keys))
    frame = read_table(path, prof.format, main_read, list(dict.fromkeys(text + keys)))
    problems: list[Issue] = []
    for i, j, jpath, wanted in parts:
        right = read_table(jpath, j.format, [*j.on, *wanted], [*j.on, *(c for c in text)])
        got, issues = _match(frame, right, loaded, i, j, wanted, path.name, jpath.name)
        problems += issues
        for c in wanted if got is not None else ():
            frame[c] = got[c]
    if problems:
        raise DataError(f"{len(problems)} problem(s) joining files onto {path.name}", problems)
    return frame[columns]


def _check_keys(loaded, i, j, main_name, main_columns, join_name, join_columns) -> None:
    problems = []
    for k, key in enumerate(j.on):
        for name, have in ((main_name, main_columns), (join_name, join_columns)):
            if key not in have:
                file, line, col = loaded.where("join", i, "on", k)
                problems.append(issue("MHI526", f"key '{key}' is not in {name}", file, line, col))
    if problems:
        raise DataError("join keys missing", problems)


def _match(frame, right, loaded, i, j, wanted, main_name, join_name):
    """Right's `wanted` columns aligned to frame's rows, and the problems found."""
    file, line, col = loaded.where("join", i)
    left_keys, right_keys = _comparable(frame[j.on], right[j.on])
    problems: list[Issue] = []
    sides = [(right_keys, join_name)]
    if j.how == "one_to_one":
        sides.append((left_keys, main_name))
    for keys, name in sides:
        dup = keys.duplicated(keep=False)
        if dup.any():
            first = int(dup.argmax()) + 1
            n_keys = int(keys[dup].nunique())
            message = (
                f"{name}: {n_keys} key value(s) of ({', '.join(j.on)}) appear more than once "
                f"({int(dup.sum())} rows; first at data row {first}); each must be unique"
            )
            problems.append(issue("MHI524", message, file, line, col))
    if problems:
        return None, problems
    position = right_keys.get_indexer(left_keys)
    unmatched = position < 0
    if unmatched.any() and j.unmatched == "error":
        first = int(unmatched.argmax()) + 1
        message = (
            f"{int(unmatched.sum())} row(s) of {main_name} have no match in {join_name} "
            f"on ({', '.join(j.on)}); first at data row {first}"
        )
        return None, [issue("MHI525", message, file, line, col)]
    aligned = right[wanted].reset_index(drop=True).reindex(position)  # -1 -> all blank
    aligned.index = frame.index
    return aligned, []


def _comparable(left: pd.DataFrame, right: pd.DataFrame) -> tuple[pd.Index, pd.Index]:
    """The keys of both sides as indexes of the same type: numbers when both sides are all
    numbers (so 7, 7.0 and '7' match), otherwise stripped text. Long integer ids stay exact:
    int64 when both sides are whole, text when a float could not tell them apart (> 2**53)."""
    lcols, rcols = [], []
    for key in left.columns:
        a, b = left[key], right[key]
        na, nb = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
        numeric = na.isna().sum() == a.isna().sum() and nb.isna().sum() == b.isna().sum()
        if numeric and _whole(na) and _whole(nb):
            a, b = na.astype("Int64"), nb.astype("Int64")
        elif numeric and max(na.abs().max(), nb.abs().max()) < 2**53:
            a, b = na.astype("float64"), nb.astype("float64")
        else:
            a, b = a.astype("string").str.strip(), b.astype("string").str.strip()
        lcols.append(a.array)
        rcols.append(b.array)
    if len(lcols) == 1:
        return pd.Index(lcols[0]), pd.Index(rcols[0])
    return pd.MultiIndex.from_arrays(lcols), pd.MultiIndex.from_arrays(rcols)


def _whole(values: pd.Series) -> bool:
    if values.dtype.kind in "iu":
        return True
    present = values.dropna()
    return bool((present == present.round()).all()) and bool((present.abs() < 2**63).all())
