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
    "reference_group",
    "difference",
    "difference_se",
    "difference_ci_lower",
    "difference_ci_upper",
]


def aggregates(
    stacked: pd.DataFrame, dims: list[str], settings, comparison: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One aggregate per reference indicator, period and migratory group, over the countries'
    rows at the totals of every other dimension.

    Estimate: sum_c w_c x_c with w_c = N_c / sum_k N_k, N_c the national population of the
    group (the row's weighted denominator). Variance: sum_c w_c^2 se_c^2 (national samples are
    independent; the weights are treated as fixed, known population sizes). Interval: normal.
    A member without an estimate (no population, empty domain) counts as missing (MHI546).
    With the comparison table, each group's row also gets the aggregate gap to the reference
    group (`_gap`).
    """
    if not len(stacked):
        return pd.DataFrame(columns=COLUMNS)
    rows = stacked
    for dim in dims:
        if dim in rows.columns:
            at_total = rows[dim] == TOTAL
            rows = rows[at_total | (rows["migratory_dimension"] == dim)]
    by = ["reference_indicator_id", "period", "migratory_dimension", "migratory_group"]
    out, used = [], {}
    for key, group in rows.groupby(by, sort=True):
        members = _one_per_country(group)
        if members["estimate"].notna().any():  # a group no member estimates is left out
            row = _one(dict(zip(by, key, strict=True)), members, settings)
            out.append(row)
            used[key] = (row, members)
    if comparison is not None and len(comparison):
        for key, (row, members) in used.items():
            row.update(_gap(key, row, members, used, comparison))
    return pd.DataFrame(out, columns=COLUMNS)


def _gap(key, row: dict, members: pd.DataFrame, used: dict, comparison: pd.DataFrame) -> dict:
    """Aggregate gap of a group to its reference group: D = sum_c a_c x_cg - sum_c b_c x_cr,
    Var(D) = sum_c (a_c^2 v_cg + b_c^2 v_cr - 2 a_c b_c cov_c), with the within-country
    covariance cov_c = (v_cg + v_cr - v_c(gap)) / 2 from the country's own contrast."""
    ref_ind, period, dim, group = key
    con = comparison[
        (comparison["reference_indicator_id"] == ref_ind)
        & (comparison["period"] == period)
        & (comparison["migratory_dimension"] == dim)
        & (comparison["group"] == group)
    ]
    con = con.assign(_variant=con["variant_id"].ne("")).sort_values(["country", "_variant"])
    con = con.drop_duplicates("country").set_index("country")
    if not len(con) or np.isnan(row["estimate"]):
        return {}
    reference = con["reference_group"].iloc[0]
    ref_row, ref_members = used.get((ref_ind, period, dim, reference), (None, None))
    out = {"reference_group": reference}
    countries = sorted(members.loc[members["estimate"].notna(), "country"])
    if (
        ref_row is None
        or np.isnan(ref_row["estimate"])
        or countries != ref_row["members"].split(";")
        or not set(countries) <= set(con.index)
    ):
        return {**out, "difference": np.nan}
    g = members.set_index("country").loc[countries]
    r = ref_members.set_index("country").loc[countries]
    a = g["weighted_denominator"].to_numpy(float)
    b = r["weighted_denominator"].to_numpy(float)
    a, b = a / a.sum(), b / b.sum()
    vg, vr = g["se"].to_numpy(float) ** 2, r["se"].to_numpy(float) ** 2
    vd = con.loc[countries, "difference_se"].to_numpy(float) ** 2
    cov = (vg + vr - vd) / 2
    diff = row["estimate"] - ref_row["estimate"]
    se = float(np.sqrt(np.sum(a**2 * vg + b**2 * vr - 2 * a * b * cov)))
    q = float(stats.norm.ppf(0.5 + row["conf_level"] / 2))
    return {
        **out,
        "difference": diff,
        "difference_se": se,
        "difference_ci_lower": diff - q * se,
        "difference_ci_upper": diff + q * se,
    }


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
