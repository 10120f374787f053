"""The multi-country tables: the stacked estimates keyed by country, period, reference
indicator and variant; the comparison of migrant-native gaps; cross-country gap differences."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from mhindicators.errors import ProfileError
from mhindicators.harmonization.basis import migratory_dimensions
from mhindicators.harmonization.comparability import (
    comparability,
    deviation_kinds,
    nature,
    reference_id,
)
from mhindicators.harmonization.projects import periods, project_location
from mhindicators.issues import define, issue
from mhindicators.results import CONTRAST_STATS, TOTAL

define(
    "MHI544",
    "unit-differs-across-countries",
    "error",
    "Countries give one reference indicator in different units without a declared `unit` "
    "deviation.",
    "Use the reference unit, or declare the difference in a national variant "
    "(`deviations: [{kind: unit, ...}]`).",
)

KEYS = ["country", "period", "reference_indicator_id", "variant_id"]


def _describe(catalog, ids) -> dict[str, dict]:
    """Per indicator id: reference id, variant id, kinds, codes, reasons, nature, dimension."""
    out = {}
    for ident in ids:
        ind = catalog.get(ident)
        ref_id = reference_id(ind)
        ref = catalog.indicators.get(ref_id, ind)
        codes, reasons = comparability(ind, ref)
        dims = migratory_dimensions(ind)
        out[ident] = {
            "reference_indicator_id": ref_id,
            "variant_id": "" if ref_id == ident else ident,
            "deviations": "+".join(deviation_kinds(ind)),
            "comparability": codes,
            "reasons": "; ".join(reasons),
            "nature": nature(ind),
            "migratory_dimension": dims[0] if dims else "",
            "reference_unit": ref.unit,
        }
    return out


def stacked_table(project, catalog, result) -> pd.DataFrame:
    """Every estimate of the project with its keys, comparability and nature codes."""
    est = result.estimates
    if not len(est):
        return pd.DataFrame(columns=[*KEYS, "comparability", "nature"])
    info = _describe(catalog, est["indicator_id"].unique())
    period = periods(project, est)
    out = est.assign(period=est["dataset"].map(period))
    for col in (
        "reference_indicator_id",
        "variant_id",
        "deviations",
        "comparability",
        "nature",
        "migratory_dimension",
    ):
        out[col] = out["indicator_id"].map({k: v[col] for k, v in info.items()})
    out["migratory_group"] = TOTAL
    for dim in out["migratory_dimension"].unique():
        if dim and dim in out.columns:
            rows = (out["migratory_dimension"] == dim).to_numpy()
            out.loc[rows, "migratory_group"] = out.loc[rows, dim]
    _check_units(project, out, info)
    lead = [*KEYS, "indicator_id", "migratory_dimension", "migratory_group"]
    rest = [c for c in out.columns if c not in lead]
    return out[lead + rest].sort_values(KEYS, kind="stable").reset_index(drop=True)


def _check_units(project, stacked: pd.DataFrame, info: dict) -> None:
    """One unit per reference indicator unless a variant declares a `unit` deviation (MHI544,
    located at the id of the dataset that gives the other unit)."""
    index = {s.id: i for i, s in enumerate(project.model.datasets)}
    problems = []
    rows = stacked.drop_duplicates(["indicator_id", "country"])
    for _ref, group in rows.groupby("reference_indicator_id"):
        if group["unit"].nunique() < 2:
            continue
        for row in group.to_dict("records"):
            meta = info[row["indicator_id"]]
            declared = "unit" in meta["deviations"].split("+")
            if row["unit"] == meta["reference_unit"] or declared:
                continue
            file, line, col = project_location(
                project, "datasets", index.get(row["dataset"], 0), "id"
            )
            msg = (
                f"{row['indicator_id']} ({row['country']}) is in {row['unit']}; "
                f"{row['reference_indicator_id']} is in {meta['reference_unit']}"
            )
            problems.append(issue("MHI544", msg, file, line, col))
    if problems:
        raise ProfileError("one indicator in different units across countries", problems)


COMPARISON_STATS = [c for c in CONTRAST_STATS if c != "method"]


def comparison_table(project, catalog, result) -> pd.DataFrame:
    """Per reference indicator and country: each migrant group vs the reference group (the
    national contrast, with its within-country covariance), at the totals of every other
    dimension, with the comparability codes and whether the row is comparable."""
    con = result.contrasts
    cols = [
        *KEYS,
        "indicator_id",
        "unit",
        "migratory_basis",
        "migratory_dimension",
        "group",
        "reference_group",
        *COMPARISON_STATS,
        "comparability",
        "comparable",
        "reasons",
    ]
    if not len(con):
        return pd.DataFrame(columns=cols)
    info = _describe(catalog, con["indicator_id"].unique())
    dims = [c for c in result.dimensions if c in con.columns]
    keep = np.ones(len(con), dtype=bool)
    for dim in dims:
        keep &= (con["dimension"] == dim).to_numpy() | (con[dim] == TOTAL).to_numpy()
    con = con[keep]
    con = con[
        [
            d == info[i]["migratory_dimension"]
            for i, d in zip(con["indicator_id"], con["dimension"], strict=True)
        ]
    ]
    period = periods(project, result.estimates)
    out = con.assign(
        period=con["dataset"].map(period),
        migratory_dimension=con["dimension"],
        reference_group=con["reference"],
    )
    for col in ("reference_indicator_id", "variant_id", "comparability", "reasons"):
        out[col] = out["indicator_id"].map({k: v[col] for k, v in info.items()})
    out["comparable"] = out["comparability"] == "R"
    return out[cols].sort_values([*KEYS, "group"], kind="stable").reset_index(drop=True)


def gap_differences(comparison: pd.DataFrame) -> pd.DataFrame:
    """Country A's gap minus country B's, for the same reference indicator, period, migrant
    group and reference group: independent national samples, so var = var_A + var_B; the
    interval uses t with min(df_A, df_B) when both are finite, the normal quantile otherwise."""
    rows = []
    by = ["reference_indicator_id", "period", "migratory_dimension", "group", "reference_group"]
    for key, group in comparison.groupby(by, sort=True):
        group = group.sort_values("country")
        recs = group.to_dict("records")
        for i, a in enumerate(recs):
            for b in recs[i + 1 :]:
                if a["country"] == b["country"] or a["unit"] != b["unit"]:
                    continue
                rows.append(_gap_pair(dict(zip(by, key, strict=True)), a, b))
    cols = [
        *by,
        "country_a",
        "variant_a",
        "country_b",
        "variant_b",
        "unit",
        "difference_a",
        "difference_b",
        "gap_difference",
        "gap_difference_se",
        "gap_difference_ci_lower",
        "gap_difference_ci_upper",
        "conf_level",
        "df",
        "comparable",
        "reasons",
    ]
    return pd.DataFrame(rows, columns=cols)


def _gap_pair(key: dict, a: dict, b: dict) -> dict:
    diff = a["difference"] - b["difference"]
    se = float(np.hypot(a["difference_se"], b["difference_se"]))
    finite = np.isfinite([a["df"], b["df"]]).all()
    df = min(a["df"], b["df"]) if finite else np.nan
    level = a["conf_level"]
    q = (
        stats.t.ppf(0.5 + level / 2, df)
        if np.isfinite(df) and df > 0
        else stats.norm.ppf(0.5 + level / 2)
    )
    reasons = [f"{r['country']}: {r['reasons']}" for r in (a, b) if not r["comparable"]]
    return {
        **key,
        "country_a": a["country"],
        "variant_a": a["variant_id"],
        "country_b": b["country"],
        "variant_b": b["variant_id"],
        "unit": a["unit"],
        "difference_a": a["difference"],
        "difference_b": b["difference"],
        "gap_difference": diff,
        "gap_difference_se": se,
        "gap_difference_ci_lower": diff - q * se,
        "gap_difference_ci_upper": diff + q * se,
        "conf_level": level,
        "df": df if np.isfinite(df) else np.nan,
        "comparable": bool(a["comparable"] and b["comparable"]),
        "reasons": "; ".join(reasons),
    }


def multi_country_tables(project, catalog, result) -> dict[str, pd.DataFrame]:
    """stacked, comparison, gap_differences and (when asked) aggregates of a project."""
    from mhindicators.harmonization.aggregate import aggregates

    stacked = stacked_table(project, catalog, result)
    comparison = comparison_table(project, catalog, result)
    tables = {
        "stacked": stacked,
        "comparison": comparison,
        "gap_differences": gap_differences(comparison),
    }
    if project.model.comparison.aggregate:
        dims = [d for d in result.dimensions if d in stacked.columns]
        tables["aggregates"] = aggregates(stacked, dims, project.model.comparison, comparison)
    return tables
