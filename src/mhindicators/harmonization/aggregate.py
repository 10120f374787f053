"""Multi-country aggregates: the population-weighted mean of national estimates, as Eurostat
builds EU aggregates, with variance summed over independent national samples."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from mhindicators.issues import define
from mhindicators.results import TOTAL

define(
    "MHI545",
    "aggregate-refused-not-comparable",
    "warning",
    "A multi-country aggregate is refused (left missing) because a member's estimate is not "
    "comparable (a national variant, another migratory basis, source type or unit).",
    "Compare the members in the comparison table; aggregate only reference-definition rows.",
)
define(
    "MHI546",
    "aggregate-member-missing",
    "warning",
    "A country listed in `comparison.members` has no estimate for this aggregate; it is "
    "computed over the members present and flagged.",
    "Add the country's dataset, or remove it from `comparison.members`.",
)

COLUMNS = [
    "aggregate",
    "reference_indicator_id",
    "period",
    "migratory_dimension",
    "migratory_group",
    "unit",
    "members",
    "missing_members",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "conf_level",
    "population",
    "flags",
    "status",
    "reasons",
]


def aggregates(stacked: pd.DataFrame, dims: list[str], settings) -> pd.DataFrame:
    """One aggregate per reference indicator, period and migratory group, over the countries'
    rows at the totals of every other dimension.

    Estimate: sum_c w_c x_c with w_c = N_c / sum_k N_k, N_c the national population of the
    group (the row's weighted denominator). Variance: sum_c w_c^2 se_c^2 (national samples are
    independent; the weights are treated as fixed, known population sizes). Interval: normal.
    A member without an estimate (no population, empty domain) counts as missing (MHI546).
    """
    if not len(stacked):
        return pd.DataFrame(columns=COLUMNS)
    rows = stacked
    for dim in dims:
        if dim in rows.columns:
            at_total = rows[dim] == TOTAL
            rows = rows[at_total | (rows["migratory_dimension"] == dim)]
    by = ["reference_indicator_id", "period", "migratory_dimension", "migratory_group"]
    out = []
    for key, group in rows.groupby(by, sort=True):
        members = _one_per_country(group)
        if members["estimate"].notna().any():  # a group no member estimates is left out
            out.append(_one(dict(zip(by, key, strict=True)), members, settings))
    return pd.DataFrame(out, columns=COLUMNS)


def _one_per_country(group: pd.DataFrame) -> pd.DataFrame:
    """A country's reference-definition row when it has one, else its variant's."""
    group = group.assign(_variant=group["variant_id"].ne(""))
    group = group.sort_values(["country", "_variant", "variant_id"], kind="stable")
    return group.drop_duplicates("country").drop(columns="_variant")


def _one(key: dict, members: pd.DataFrame, settings) -> dict:
    empty = members["estimate"].isna() | ~(members["weighted_denominator"] > 0)
    present = sorted(members.loc[~empty, "country"])
    expected = settings.members or sorted(members["country"])
    missing = [c for c in expected if c not in present]
    members = members[~empty]
    level = float(members["conf_level"].iloc[0]) if len(members) else np.nan
    unlike = members[members["comparability"] != "R"]
    pop = members["weighted_denominator"].to_numpy(dtype=float)
    row = {
        "aggregate": settings.name,
        **key,
        "unit": ";".join(sorted(set(members["unit"]))),
        "members": ";".join(present),
        "missing_members": ";".join(missing),
        "conf_level": level,
        "population": float(pop.sum()),
        "flags": "MHI546" if missing else "",
        "status": "",
        "reasons": "",
    }
    if len(unlike):  # refused even when only one member is unlike: never a silent mix
        row.update(estimate=np.nan, se=np.nan, ci_lower=np.nan, ci_upper=np.nan, status="MHI545")
        row["reasons"] = "; ".join(f"{r.country}: {r.comparability}" for r in unlike.itertuples())
        return row
    if not len(members):
        row.update(estimate=np.nan, se=np.nan, ci_lower=np.nan, ci_upper=np.nan)
        return row
    w = pop / pop.sum()
    est = float(np.sum(w * members["estimate"].to_numpy(dtype=float)))
    se = float(np.sqrt(np.sum(w**2 * members["se"].to_numpy(dtype=float) ** 2)))
    q = float(stats.norm.ppf(0.5 + level / 2))
    row.update(estimate=est, se=se, ci_lower=est - q * se, ci_upper=est + q * se)
    return row
