"""The CSV rounding rule: decimals per unit, half away from zero on the shortest decimal form.

Parquet keeps full precision; flags and actions are computed before rounding, so rounding
never changes which cells are suppressed.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from mhindicators.definitions.model import UNIT_MULTIPLIERS
from mhindicators.errors import OutputError
from mhindicators.issues import define, issue, quote

define(
    "MHI700",
    "rounding-unknown-unit",
    "error",
    "`output.rounding` names a unit that no indicator can have, or gives decimals outside 0-6.",
    "Use one of the units percent, proportion, per_1000, per_10000, per_100000, "
    "per_100000_live_births, ratio, number, currency, years, with 0 to 6 decimals.",
)

#: decimals shown in CSV, per unit (docs/outputs.md)
DEFAULT_DECIMALS: dict[str, int] = {
    "percent": 1,
    "proportion": 3,
    "per_1000": 2,
    "per_10000": 2,
    "per_100000": 1,
    "per_100000_live_births": 1,
    "ratio": 2,
    "number": 0,
    "currency": 0,
    "years": 1,
}
#: columns in the indicator's unit
UNIT_COLUMNS = (
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "reference_estimate",
    "difference",
    "difference_se",
    "difference_ci_lower",
    "difference_ci_upper",
)
#: columns that are ratios whatever the indicator's unit (contrasts)
RATIO_COLUMNS = ("ratio", "ratio_se", "ratio_ci_lower", "ratio_ci_upper")


def rounding_rule(overrides: dict[str, int] | None = None, where=None) -> dict[str, int]:
    """The default decimals with a project's overrides; OutputError (MHI700) on a bad entry.

    `where(unit)` gives (file, line, col) of an entry for the message.
    """
    rule = dict(DEFAULT_DECIMALS)
    problems = []
    for unit, decimals in (overrides or {}).items():
        if unit not in UNIT_MULTIPLIERS or not 0 <= int(decimals) <= 6:
            file, line, col = where(unit) if where else ("", 0, 0)
            what = "unknown unit" if unit not in UNIT_MULTIPLIERS else "decimals not in 0-6"
            msg = f"output.rounding: {what} {quote(str(unit), 40)}"
            problems.append(issue("MHI700", msg, file, line, col))
            continue
        rule[unit] = int(decimals)
    if problems:
        raise OutputError(problems[0].message, problems)
    return rule


def round_half_up(values, decimals: int) -> list[str]:
    """Values as text with `decimals` places, halves away from zero; missing -> ''."""
    quantum = Decimal(1).scaleb(-decimals)
    out = []
    for v in np.asarray(values, dtype=float):
        if not np.isfinite(v):
            out.append("" if np.isnan(v) else ("INF" if v > 0 else "-INF"))
            continue
        d = Decimal(repr(float(v))).quantize(quantum, rounding=ROUND_HALF_UP)
        out.append(format(d if d != 0 else abs(d), "f"))
    return out


def rounded_frame(frame: pd.DataFrame, rule: dict[str, int]) -> pd.DataFrame:
    """A copy of `frame` whose unit columns are text rounded by the rule of each row's unit."""
    out = frame.copy()
    units = out["unit"].astype(str) if "unit" in out else None
    for col in (*UNIT_COLUMNS, *RATIO_COLUMNS):
        if col not in out or not pd.api.types.is_numeric_dtype(out[col]):
            continue
        text = pd.Series("", index=out.index, dtype=object)
        if col in RATIO_COLUMNS or units is None:
            keys = pd.Series("ratio" if col in RATIO_COLUMNS else "number", index=out.index)
        else:
            keys = units
        for unit, idx in keys.groupby(keys, sort=False).groups.items():
            text.loc[idx] = round_half_up(out.loc[idx, col], rule.get(unit, 6))
        out[col] = text
    for col in out.columns:  # infinities as Table Schema spells them (pandas reads both)
        if pd.api.types.is_float_dtype(out[col]) and np.isinf(out[col]).any():
            values = out[col].astype(object)
            out[col] = values.where(~np.isinf(out[col]), np.where(out[col] > 0, "INF", "-INF"))
    return out
