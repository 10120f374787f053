"""Checks and count semantics of a policy table: one record per country and period.

A policy table is a complete list of the countries it covers, not a sample or a Poisson
process: a count of countries has no sampling error, so counts over it carry no SE or interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mhindicators.errors import DataError
from mhindicators.issues import define, issue, quote

define(
    "MHI800",
    "policy-duplicate-country",
    "error",
    "A policy table lists a country more than once for the same period.",
    "Keep one record per country and period (merge or drop the duplicate rows).",
)
define(
    "MHI801",
    "policy-no-country",
    "error",
    "A policy table has no `country` column in its profile.",
    "Map the column holding the country code to `country` under `columns:` of the profile.",
)

KEY_VARIABLES = ("country", "year")
CENSUS_METHOD = "none (complete list of countries)"
NO_SAMPLING = ("se", "ci_lower", "ci_upper", "cv")


def check_unique_countries(frame: pd.DataFrame, path: str, key_columns: dict[str, str]) -> None:
    """Raise MHI800 naming the rows (1-based data rows + header) of each repeated country."""
    if "country" not in frame.columns:
        raise DataError(f"{path}: no country column", [issue("MHI801", "no `country`", path)])
    keys = [k for k in KEY_VARIABLES if k in frame.columns]
    dup = frame.duplicated(keys, keep=False).to_numpy()
    if not dup.any():
        return
    found = []
    rows = frame.loc[dup, keys].astype(str)
    for values, group in rows.groupby(keys, sort=True):
        values = values if isinstance(values, tuple) else (values,)
        lines = [int(i) + 2 for i in group.index]  # header is line 1
        what = ", ".join(f"{k} {quote(v, 12)}" for k, v in zip(keys, values, strict=True))
        col = key_columns.get("country", "country")
        found.append(
            issue(
                "MHI800",
                f"{what} is listed {len(lines)} times (lines {', '.join(map(str, lines[:5]))})",
                f"{path}:{lines[1]}",
                hint=f"column {col}: keep one record per country and period.",
            )
        )
    raise DataError(f"{path}: {len(found)} country listed more than once", found[:20])


def census_counts(table: pd.DataFrame) -> pd.DataFrame:
    """A count of countries: no standard error, interval or reliability flag."""
    out = table.copy()
    for col in NO_SAMPLING:
        if col in out.columns:
            out[col] = np.nan
    if "ci_method" in out.columns:
        out["ci_method"] = CENSUS_METHOD
    return out
