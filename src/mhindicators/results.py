"""ResultTable: the tidy estimates, the contrasts, a per-indicator summary, and provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from mhindicators.digests import sha256_file as sha256_file  # re-exported (public name)

if TYPE_CHECKING:
    from mhindicators.issues import Issue

TOTAL = "_T"

#: leading identification columns, then one column per dimension, then these statistics.
ID_COLUMNS = [
    "dataset",
    "country",
    "year",
    "indicator_id",
    "indicator_version",
    "source",
    "estimator",
    "unit",
    "migratory_basis",
]
STAT_COLUMNS = [
    "standardization",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "ci_method",
    "conf_level",
    "df",
    "deff",
    "cv",
    "n_unweighted",
    "weighted_numerator",
    "weighted_denominator",
    "n_eff",
    "unknown_migratory_share",
    "flags",
    "status",
]
#: columns for readers, added by `outputs.labels.label_table` (not dimensions)
LABEL_COLUMNS = [
    "reference_period",
    "period_type",
    "indicator_name",
    "unit_label",
    "action",
    "events",
    "denominator",
    "denominator_type",
]
CONTRAST_STATS = [
    "estimate",
    "reference_estimate",
    "difference",
    "difference_se",
    "difference_ci_lower",
    "difference_ci_upper",
    "ratio",
    "ratio_se",
    "ratio_ci_lower",
    "ratio_ci_upper",
    "method",
    "conf_level",
    "df",
]

#: the `inequality` table after the identification columns, `dimension` (the migratory
#: dimension) and the other dimensions (docs/inequality.md; the HTML report reads these names)
INEQUALITY_STATS = [
    "measure",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "conf_level",
    "n_groups",
    "reference_group",
    "compared_group",
    "favourable",
    "status",
    "reason",
]
INEQUALITY_COLUMNS = [*ID_COLUMNS, "dimension", *INEQUALITY_STATS]


@dataclass
class ResultTable:
    """Everything one `compute` call produced, ready to write or to inspect in a notebook."""

    estimates: pd.DataFrame
    contrasts: pd.DataFrame
    summary: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["indicator_id", "dataset", "reason"])
    )
    provenance: dict[str, str] = field(default_factory=dict)
    #: warnings of the run (`Issue`s of severity warning), also in summary["warnings"]
    warnings: list[Issue] = field(default_factory=list)
    #: HEAT inequality measures over the migratory groups, with design-based intervals
    #: (`compute` always sets it, possibly without rows; a ResultTable built by hand may not)
    inequality: pd.DataFrame | None = None
    #: further tables written beside the three above (multi-country: stacked, comparison, ...)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: flag code -> meaning, source policy and publication action (outputs.labels)
    legend: pd.DataFrame | None = None
    #: dimension, code, label of every code in the tables
    codelists: pd.DataFrame | None = None

    @property
    def dimensions(self) -> list[str]:
        known = set(ID_COLUMNS) | set(STAT_COLUMNS) | set(LABEL_COLUMNS)
        return [c for c in self.estimates.columns if c not in known]


def tidy(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Concatenate per-indicator frames; dimensions an indicator lacks are `_T` (total)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    data = pd.concat(frames, ignore_index=True, sort=False)
    dims = [c for c in data.columns if c not in columns]
    for dim in dims:
        data[dim] = data[dim].astype("object").where(data[dim].notna(), TOTAL).astype(str)
    for col in ("standardization", "flags", "status"):
        if col in columns:
            data[col] = data[col].fillna("") if col in data else ""
    lead = [c for c in columns if c in ID_COLUMNS or c == "dimension"]
    rest = [c for c in columns if c not in lead]
    return data[lead + sorted(dims) + rest]
