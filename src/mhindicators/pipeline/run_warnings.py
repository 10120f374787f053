"""Warnings of a run: results that are still meaningful but that a reader must not miss.

They are `Issue`s of severity warning, returned in `ResultTable.warnings`, listed per
indicator in the summary table's `warnings` column and in the provenance, and printed by
the CLI. Errors, by contrast, stop the run (docs/project-file.md, "Warnings").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mhindicators.definitions import Indicator
from mhindicators.issues import Issue, define, issue
from mhindicators.results import STAT_COLUMNS

_NOT_A_LEVEL = ("unknown", "_U", "_T")

define(
    "MHI470",
    "outcome-all-missing",
    "warning",
    "Every record in an indicator's universe has a missing outcome: its estimates are empty.",
    "Check the outcome's column mapping and `missing_codes:` in the profile.",
)
define(
    "MHI471",
    "empty-universe",
    "warning",
    "No record of the survey is in an indicator's universe: its estimates are empty.",
    "Check the universe and the mapping of the variables it uses (e.g. `age`).",
)
define(
    "MHI472",
    "no-events",
    "warning",
    "The events file holds no rows: every count and rate is 0.",
    "Check the export if events were expected.",
)
define(
    "MHI473",
    "zero-weight-domain",
    "warning",
    "Some estimate rows have sampled records but a total weight of 0: they are left empty.",
    "Check the weights of those records (zero weights usually mark out-of-scope records).",
)


def indicator_warnings(
    ind: Indicator,
    dataset: str,
    data_path: Path,
    n_universe: int,
    n_missing: int,
    table: pd.DataFrame,
    *,
    registry: bool = False,
    denominator_path: Path | None = None,
) -> list[Issue]:
    """The warnings of one computed indicator (counts only, never records)."""
    out = []
    where = f"{ind.id} ({dataset})"
    if n_universe == 0 and not registry:  # zero events in a registry is a result
        out.append(issue("MHI471", f"{where}: no record is in the universe", str(data_path)))
    elif n_universe > 0 and n_missing >= n_universe:
        message = f"{where}: all {n_universe:,} records in the universe have a missing outcome"
        out.append(issue("MHI470", message, str(data_path)))
    if not registry and {"n_unweighted", "weighted_denominator"} <= set(table.columns):
        zero = (table["n_unweighted"] > 0) & (table["weighted_denominator"] == 0)
        if n_zero := int(zero.sum()):
            message = (
                f"{where}: {n_zero} estimate row(s) have sampled records but a total weight of 0"
            )
            out.append(issue("MHI473", message, str(data_path)))
    rows = _orphans_of_known_classification(table) if registry else 0
    if rows:
        message = (
            f"{where}: events fall in cells of known classification where the denominator "
            f"table has no population; {rows} estimate row(s) are affected (status MHI421: "
            "rate left empty; MHI342: rate without those events' population)"
        )
        out.append(issue("MHI342", message, str(denominator_path or data_path)))
    return out


def _orphans_of_known_classification(table: pd.DataFrame) -> int:
    """Rows with events where the denominators have no population (status MHI421, or MHI342
    for part of the row's cells) whose every dimension is a known, single level.

    Events of unknown migratory status (or any `_U` level) never have a population: that share
    is reported as `unknown_migratory_share`, and the totals (`_T`) that hold such events are
    flagged MHI342 in their status; neither is warned about again. A row of known levels
    with such events means the two tables do not cover the same people."""
    if "status" not in table.columns:
        return 0
    status = table["status"].fillna("").astype(str)
    orphan = status.str.contains("MHI421|MHI342").to_numpy()
    if not orphan.any():
        return 0
    dims = [c for c in table.columns if c not in STAT_COLUMNS and c != "dimension"]
    if not dims:
        return 0
    known = np.ones(len(table), dtype=bool)
    for dim in dims:
        values = table[dim].astype("object")
        known &= values.notna().to_numpy() & ~values.isin(_NOT_A_LEVEL).to_numpy()
    return int((orphan & known).sum())


def no_events(dataset: str, path: Path) -> Issue:
    """MHI472: a header-only events file (zero events is a result; the denominators still
    must have rows)."""
    return issue("MHI472", f"{dataset}: {path.name} holds no events", str(path))
