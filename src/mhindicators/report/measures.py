"""The inequality measures of a run (table `inequality`), as the report shows them: computed
measures with their intervals, and the measures left out with the reason."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mhindicators.results import ID_COLUMNS, LABEL_COLUMNS, TOTAL

#: measure code -> name (HEAT technical notes; Schlotheuber & Hosseinpoor 2022)
MEASURES = {
    "D": "Difference (group - reference)",
    "R": "Ratio (group / reference)",
    "PAF": "Population attributable fraction (%)",
    "PAR": "Population attributable risk",
    "BGV": "Between-group variance",
    "BGSD": "Between-group standard deviation",
    "COV": "Coefficient of variation (%)",
    "IDISU": "Index of disparity, unweighted (%)",
    "IDISW": "Index of disparity, weighted (%)",
    "MDBU": "Mean difference from best group, unweighted",
    "MDBW": "Mean difference from best group, weighted",
    "MDRU": "Mean difference from reference, unweighted",
    "MDRW": "Mean difference from reference, weighted",
    "MDMU": "Mean difference from mean, unweighted",
    "MDMW": "Mean difference from mean, weighted",
    "TI": "Theil index",
    "MLD": "Mean log deviation",
}
#: measures that compare with the reference group: left out without one
REFERENCE_BASED = ("D", "R", "PAF", "PAR", "MDRU", "MDRW")
#: the inequality table's own columns (after the estimates' ID and dimension columns)
COLUMNS = [
    "dimension", "measure", "estimate", "se", "ci_lower", "ci_upper", "conf_level", "n_groups",
    "reference_group", "compared_group", "favourable", "status", "reason",
]  # fmt: skip
_SHOWN = [
    "measure", "name", "estimate", "ci_lower", "ci_upper", "n_groups", "compared_group",
    "status", "reason",
]  # fmt: skip


def headline(ineq: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """The indicator's measures over the whole population (every other dimension total)."""
    rows = ineq[ineq["indicator_id"] == indicator_id]
    known = {*ID_COLUMNS, *LABEL_COLUMNS, *COLUMNS, "indicator_name", "unit_label"}
    fixed = [c for c in rows.columns if c not in known]  # the non-migratory dimensions
    if fixed:
        rows = rows[(rows[fixed].fillna(TOTAL) == TOTAL).all(axis=1)]  # absent: total
    order = {m: i for i, m in enumerate(MEASURES)}
    return rows.sort_values(
        ["dataset", "dimension", "measure"],
        key=lambda s: s.map(order) if s.name == "measure" else s,
    )


def left_out(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows without a finite estimate (the measure was not applicable), with their reason."""
    est = pd.to_numeric(rows["estimate"], errors="coerce").to_numpy(float)
    return rows[~np.isfinite(est)]


def display(rows: pd.DataFrame, with_dataset: bool) -> pd.DataFrame:
    """Columns shown in the report's measure tables."""
    out = rows.assign(name=rows["measure"].map(MEASURES).fillna(""))
    cols = (["dataset"] if with_dataset else []) + [c for c in _SHOWN if c in out]
    return out[cols]


def missing_reference(rows: pd.DataFrame, has_reference: bool) -> list[str]:
    """Reference-based measures absent from the rows because the indicator has no reference."""
    if has_reference:
        return []
    have = set(rows.loc[np.isfinite(pd.to_numeric(rows["estimate"], errors="coerce")), "measure"])
    return [m for m in REFERENCE_BASED if m not in have]
