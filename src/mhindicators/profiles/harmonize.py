"""Raw extract -> canonical frame: missing codes, recodes, types, derivations.

Recoding works on the distinct raw values (factorize once), never row by row, and an
unmapped code is an error that lists the code and how many rows carry it -- never the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mhindicators.errors import DataError
from mhindicators.issues import Issue, define, issue, quote
from mhindicators.profiles import derive
from mhindicators.profiles.code_tables import recode_map
from mhindicators.profiles.loader import LoadedProfile
from mhindicators.vocabulary import Variable, Vocabulary

define(
    "MHI313",
    "unmapped-code",
    "error",
    "A raw value is neither recoded nor a missing code, or is not a valid canonical code.",
    "Add the value to the profile's `recode:` (or `missing_codes:`) for this variable.",
)
define(
    "MHI314",
    "not-numeric",
    "error",
    "A numeric variable holds values that are not numbers.",
    "Declare the non-numeric codes in `missing_codes:` or fix the column mapping.",
)
define(
    "MHI378",
    "not-finite",
    "error",
    "A numeric variable holds infinite values (`inf`, `-inf`, `Infinity`).",
    "Fix the export, or declare the code in `missing_codes:` if it stands for missing.",
)
define(
    "MHI315",
    "out-of-range",
    "error",
    "A numeric variable holds values outside its valid range.",
    "Declare special codes (e.g. 999) in `missing_codes:`, or check the column mapping.",
)

MAX_LISTED = 10


def available_variables(loaded: LoadedProfile, vocab: Vocabulary) -> set[str]:
    """Canonical variables this profile can provide: mapped columns plus derivable ones."""
    prof = loaded.profile
    have = set(prof.columns)
    enabled = {name for name in derive.SOURCES if getattr(prof.derive, name, True)}
    enabled.add("duration_group")
    changed = True
    while changed:
        changed = False
        for name, sources in derive.SOURCES.items():
            if name in enabled and name not in have and all(s in have for s in sources):
                have.add(name)
                changed = True
    return {v for v in have if v in vocab}


def source_variables(loaded: LoadedProfile, wanted: set[str]) -> set[str]:
    """The mapped canonical variables needed to produce `wanted` (derivations expanded)."""
    mapped = set(loaded.profile.columns)
    out: set[str] = set()
    stack = list(wanted)
    while stack:
        name = stack.pop()
        if name in mapped:
            out.add(name)
        elif name in derive.SOURCES:
            stack.extend(derive.SOURCES[name])
    return out


def harmonize(
    raw: pd.DataFrame, loaded: LoadedProfile, wanted: set[str], vocab: Vocabulary
) -> pd.DataFrame:
    """Canonical frame with the `wanted` variables (and their sources), typed per the vocabulary."""
    names = sorted(source_variables(loaded, wanted))
    values, problems = harmonize_columns(raw, loaded, names, vocab)
    return finish_harmonized(values, problems, raw.index, loaded, wanted)


def harmonize_columns(
    raw: pd.DataFrame, loaded: LoadedProfile, names: list[str], vocab: Vocabulary
) -> tuple[dict[str, object], list[Issue]]:
    """The canonical columns `names` from `raw` (which holds their raw columns), with the
    problems found; callers may harmonise a file in batches of columns and collect both."""
    prof = loaded.profile
    out: dict[str, object] = {}
    problems: list[Issue] = []
    for name in names:
        values, issues = _canonical(raw[prof.columns[name]], name, vocab[name], loaded)
        out[name] = values
        problems += issues
    return out, problems


def finish_harmonized(
    values: dict[str, object],
    problems: list[Issue],
    index: pd.Index,
    loaded: LoadedProfile,
    wanted: set[str],
) -> pd.DataFrame:
    """DataError with every problem, or the canonical frame with its derivations."""
    if problems:
        raise DataError(f"{len(problems)} problem(s) harmonising {loaded.path}", problems)
    frame = _frame(values, index)
    _derive_all(frame, loaded, wanted)
    return frame


def _frame(columns: dict[str, object], index: pd.Index) -> pd.DataFrame:
    """A frame holding each column as its own block: no consolidation copy of the numeric
    columns (gigabytes on 10M-row extracts)."""
    frame = pd.DataFrame(index=index)
    for name, values in columns.items():
        frame[name] = values
    return frame


def _canonical(
    column: pd.Series, name: str, var: Variable, loaded: LoadedProfile
) -> tuple[object, list[Issue]]:
    """Map the distinct raw values, then expand to rows by their factor codes."""
    prof = loaded.profile
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    codes += 1  # in place (no 10M-row temporary): NA (-1) counts in slot 0
    counts = np.bincount(codes, minlength=len(uniques) + 1)[1:]
    codes -= 1
    missing = {_key(v) for v in prof.missing_codes.get(name, [])}
    recode = recode_map(prof, name)
    mapped: list[object] = []
    bad: list[tuple[object, int]] = []
    for value, count in zip(list(uniques), counts.tolist(), strict=True):
        key = _key(value)
        if key in missing:
            mapped.append(None)
        elif not recode:
            mapped.append(value)
        elif key in recode:
            mapped.append(recode[key])
        else:
            mapped.append(None)
            bad.append((value, count))
    if bad:
        return None, [_unmapped(name, bad, loaded, "recode")]
    typed, issue_ = _typed_uniques(mapped, counts, name, var, loaded)
    if issue_ is not None:
        return None, [issue_]
    if isinstance(typed, tuple):  # categorical: (categories, index of each distinct value)
        categories, cat_index = typed
        lookup = np.append(cat_index, -1)  # factor code -1 (NA) -> -1
        row_codes = lookup.astype(np.int8 if len(categories) < 127 else np.int32)[codes]
        return pd.Categorical.from_codes(row_codes, categories=categories), []
    assert typed is not None  # None only with an issue, returned above
    lookup = np.append(typed, np.nan)  # factor code -1 (NA) -> NaN
    if var.type == "boolean":  # nullable booleans: 2 bytes a row instead of a float's 8
        values = pd.arrays.BooleanArray((lookup == 1.0)[codes], np.isnan(lookup)[codes])
        return pd.Series(values, index=column.index, copy=False), []
    return pd.Series(lookup[codes], index=column.index, copy=False), []


def _typed_uniques(
    mapped: list[object], counts: np.ndarray, name: str, var: Variable, loaded: LoadedProfile
) -> tuple[tuple[list, np.ndarray] | np.ndarray | None, Issue | None]:
    """Canonical values for each distinct raw value: category indices or float numbers."""
    if var.type == "categorical":
        text = [None if v is None else _code_text(v) for v in mapped]
        allowed = var.allowed_codes()
        if allowed is not None:
            extra: dict[str, int] = {}
            for t, n in zip(text, counts.tolist(), strict=True):
                if t is not None and t not in allowed:
                    extra[t] = extra.get(t, 0) + n
            if extra:
                return None, _unmapped(name, list(extra.items()), loaded, "codes")
            categories = sorted(allowed)
        else:
            categories = sorted({t for t in text if t is not None})
        position = {c: i for i, c in enumerate(categories)}
        return (categories, np.asarray([-1 if t is None else position[t] for t in text])), None
    if var.type == "boolean":
        table: dict[object, float] = {True: 1.0, False: 0.0}  # 1 and 0 hash equal to True, False
        bad = [
            (v, int(n))
            for v, n in zip(mapped, counts, strict=True)
            if v is not None and _key(v) not in table
        ]
        if bad:
            return None, _unmapped(name, bad, loaded, "boolean")
        return np.asarray([np.nan if v is None else table[_key(v)] for v in mapped]), None
    numbers = np.asarray([np.nan if v is None else _number(v) for v in mapped], dtype="float64")
    file, line, col = loaded.where("columns", name)
    not_numeric = np.isnan(numbers) & np.asarray([v is not None for v in mapped], dtype=bool)
    if not_numeric.any():
        n = int(counts[not_numeric[: len(counts)]].sum())
        return None, issue("MHI314", f"{name}: {n} value(s) are not numbers", file, line, col)
    if (infinite := np.isinf(numbers)).any():
        n = int(counts[infinite].sum())
        column = quote(loaded.profile.columns[name])
        return None, issue(
            "MHI378", f"{name} (column {column}): {n} value(s) are infinite", file, line, col
        )
    low = var.min if var.min is not None else -np.inf
    high = var.max if var.max is not None else np.inf
    outside = (numbers < low) | (numbers > high)
    if outside.any():
        n = int(counts[outside].sum())
        return None, issue(
            "MHI315", f"{name}: {n} value(s) outside [{low:g}, {high:g}]", file, line, col
        )
    return numbers, None


def _code_text(value: object) -> str:
    """Codes stay text as written ('004' keeps its zeros); 1.0 from a float column is '1'."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _unmapped(name: str, bad: list[tuple[object, int]], loaded: LoadedProfile, why: str) -> Issue:
    sections = ("recode", "code_tables") if why == "recode" else ()
    section = next((s for s in sections if name in getattr(loaded.profile, s)), "columns")
    file, line, col = loaded.where(section, name)
    if len(bad) > MAX_LISTED:  # likely a wrongly mapped column (ids, names): list no values
        listed = f"{len(bad)} distinct values in {sum(n for _, n in bad)} rows (not listed)"
    else:
        listed = ", ".join(f"{quote(v)} ({n} rows)" for v, n in sorted(bad, key=lambda b: -b[1]))
    what = {
        "recode": "not in recode or missing_codes",
        "codes": "not valid codes",
        "boolean": "not true/false",
    }[why]
    hint = (
        "`mhi profile check DATA --profile P` lists every value." if len(bad) > MAX_LISTED else ""
    )
    return issue("MHI313", f"{name}: value(s) {what}: {listed}", file, line, col, hint)


def _key(value: object) -> object:
    """Normalise raw values so 1, 1.0 and '1' recode alike."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        stripped = value.strip()
        try:
            number = float(stripped)
        except ValueError:
            return stripped
        return int(number) if number.is_integer() else number
    if isinstance(value, np.generic):
        return _key(value.item())
    return value


def _derive_all(frame: pd.DataFrame, loaded: LoadedProfile, wanted: set[str]) -> None:
    prof = loaded.profile
    country = prof.metadata.country
    ref_year = prof.derive.reference_year or prof.metadata.year
    steps = {
        "nativity": lambda: derive.nativity(frame["country_of_birth"], country),
        "citizenship_status": lambda: derive.citizenship_status(frame["citizenship"], country),
        "migratory_status": lambda: derive.migratory_status(
            frame["nativity"], frame["citizenship_status"]
        ),
        "migrant_generation": lambda: derive.migrant_generation(
            frame["nativity"],
            frame["mother_country_of_birth"],
            frame["father_country_of_birth"],
            country,
        ),
        "years_since_arrival": lambda: derive.years_since_arrival(
            frame["year_of_arrival"], ref_year
        ),
        "duration_group": lambda: derive.duration_group(
            frame["nativity"], frame["years_since_arrival"], prof.derive.duration_thresholds
        ),
    }
    needed = _closure(wanted)
    for name, step in steps.items():
        sources_ready = all(s in frame.columns for s in derive.SOURCES[name])
        if name in needed and name not in frame.columns and sources_ready:
            frame[name] = step()


def _closure(wanted: set[str]) -> set[str]:
    out, stack = set(), list(wanted)
    while stack:
        name = stack.pop()
        if name not in out:
            out.add(name)
            stack.extend(derive.SOURCES.get(name, ()))
    return out
