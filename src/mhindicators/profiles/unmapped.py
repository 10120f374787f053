"""Every raw value a profile does not map, with its number of rows (`mhi profile check`).

`mhi compute` stops at the first unmapped values of each variable and lists at most ten; this
lists all of them for all mapped variables at once, so a new extract is mapped in one pass.
Values are shown, never rows; long values are cut.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mhindicators.profiles.code_tables import recode_map
from mhindicators.profiles.harmonize import _code_text, _key, _number
from mhindicators.profiles.join import available_columns, read_joined
from mhindicators.profiles.loader import LoadedProfile
from mhindicators.readers import read_table
from mhindicators.vocabulary import Vocabulary, default_vocabulary

MAX_VALUE_TEXT = 40
COLUMNS = ["variable", "raw_column", "value", "rows", "problem"]


def unmapped_values(
    path: Path,
    loaded: LoadedProfile,
    vocab: Vocabulary | None = None,
    root: Path | None = None,
) -> pd.DataFrame:
    """One row per (variable, raw value) that harmonising would refuse: the value (cut to
    40 characters), its number of rows and why. Empty when the profile maps every value."""
    vocab = vocab or default_vocabulary()
    prof = loaded.profile
    available = set(available_columns(path, loaded, root))
    names = [n for n in prof.columns if n in vocab and prof.columns[n] in available]
    raw_cols = list(dict.fromkeys(prof.columns[n] for n in names))
    text = [prof.columns[n] for n in names if vocab[n].is_categorical]
    if prof.join:
        raw = read_joined(path, loaded, raw_cols, text, root)
    else:
        raw = read_table(path, prof.format, raw_cols, text)
    rows: list[tuple] = []
    for name in names:
        rows += _one(raw[prof.columns[name]], name, loaded, vocab)
    return pd.DataFrame(rows, columns=COLUMNS).astype({"rows": "int64"})


def _one(column: pd.Series, name: str, loaded: LoadedProfile, vocab: Vocabulary) -> list[tuple]:
    prof, var = loaded.profile, vocab[name]
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    missing = {_key(v) for v in prof.missing_codes.get(name, [])}
    recode = recode_map(prof, name)
    allowed = var.allowed_codes()
    out = []
    for value, count in zip(list(uniques), counts.tolist(), strict=True):
        key = _key(value)
        if key in missing:
            continue
        if recode and key not in recode:
            problem = "not in recode or missing_codes"
        else:
            problem = _target_problem(recode[key] if recode else value, var, allowed)
        if problem:
            out.append((name, prof.columns[name], _cut(value), int(count), problem))
    return sorted(out, key=lambda r: (-r[3], r[2]))


def _target_problem(target: object, var, allowed) -> str:
    if target is None:
        return ""
    if var.type == "categorical":
        return "" if allowed is None or _code_text(target) in allowed else "not a valid code"
    if var.type == "boolean":
        return "" if _key(target) in (True, False) else "not true/false"
    number = _number(target)
    if number != number:
        return "not a number"
    low = var.min if var.min is not None else -np.inf
    high = var.max if var.max is not None else np.inf
    return "" if low <= number <= high else f"outside [{low:g}, {high:g}]"


def _cut(value: object) -> str:
    text = _code_text(value)
    return text if len(text) <= MAX_VALUE_TEXT else text[: MAX_VALUE_TEXT - 1] + "…"
