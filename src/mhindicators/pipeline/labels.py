"""Human labels for the machine columns: indicator names, unit text, reference periods, the
flags legend with its publication action, and the code lists of the dimensions."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from mhindicators.pipeline.quality import ACTION_RANK, Policy

TOTAL_LABEL = "Total"
MISSING_LABEL = "Not stated"

#: unit code -> text for a table heading
UNIT_LABELS: dict[str, str] = {
    "percent": "Percent (%)",
    "proportion": "Proportion (0-1)",
    "per_1000": "Per 1 000",
    "per_10000": "Per 10 000",
    "per_100000": "Per 100 000",
    "per_100000_live_births": "Per 100 000 live births",
    "ratio": "Ratio",
    "number": "Number",
    "currency": "Currency units",
    "years": "Years",
}

#: a policy's action -> what a publication does with the cell
PUBLICATION = {
    "": "publish",
    "caution": "publish_with_caution",
    "review": "publish_with_caution",
    "suppress": "suppress",
    "confidential": "suppress",
}
LEGEND_COLUMNS = ["flag", "meaning", "policy", "policy_title", "source", "policy_action", "action"]
CODELIST_COLUMNS = ["dimension", "code", "label"]


def flags_legend(policies: Iterable[Policy]) -> pd.DataFrame:
    """One row per flag code of the policies: meaning, source rule, and publication action."""
    rows: dict[str, dict[str, str]] = {}
    for pol in policies:
        for flag, spec in pol.flags.items():
            rows.setdefault(
                flag,
                {
                    "flag": flag,
                    "meaning": spec.meaning,
                    "policy": pol.policy,
                    "policy_title": pol.title,
                    "source": pol.source,
                    "policy_action": spec.action,
                    "action": PUBLICATION[spec.action],
                },
            )
    return pd.DataFrame(list(rows.values()), columns=LEGEND_COLUMNS)


def publication_action(flags: pd.Series, legend: pd.DataFrame) -> np.ndarray:
    """The strongest publication action among each row's ';'-joined flag codes."""
    pairs = zip(legend["flag"], legend["policy_action"], strict=True)
    rank = {code: ACTION_RANK[a] for code, a in pairs}
    action = dict(zip(legend["flag"], legend["action"], strict=True))
    values = flags.fillna("").astype(str).to_numpy()
    uniq, inv = np.unique(values, return_inverse=True)
    best = []
    for u in uniq:
        codes = [c for c in u.split(";") if c]
        top = max(codes, key=lambda c: rank.get(c, 0), default="")
        best.append(action.get(top, "publish"))
    return np.asarray(best, dtype=object)[inv.ravel()]


def codelists(frames: Iterable[pd.DataFrame], dims: Iterable[str], vocab) -> pd.DataFrame:
    """Every code used in the dimension columns with its label from the vocabulary."""
    from mhindicators.vocabulary import code_list

    rows = []
    for dim in sorted(set(dims)):
        used: set[str] = set()
        for f in frames:
            if dim in f.columns:
                used |= set(f[dim].dropna().astype(str))
        var = vocab.get(dim) if vocab is not None else None
        known: dict[str, str] = {}
        if var is not None:
            known = {**(var.codes or {}), **var.extra_codes}
            if var.code_list:
                known = {**code_list(var.code_list), **known}
        for code in sorted(used):
            rows.append({"dimension": dim, "code": code, "label": _label(dim, code, known)})
    return pd.DataFrame(rows, columns=CODELIST_COLUMNS)


def _label(dim: str, code: str, known: dict[str, str]) -> str:
    if code == "_T":
        return TOTAL_LABEL
    if code == "_U":
        return MISSING_LABEL
    if code in known:
        return known[code]
    if dim == "age_group":
        return _age_label(code)
    return code


def _age_label(code: str) -> str:
    """SDMX age codes: Y15T19 -> 15-19 years, Y_GE65 -> 65 years and over, Y_LT1 -> under 1."""
    body = code[1:] if code.startswith("Y") else code
    if body.startswith("_GE"):
        return f"{body[3:]} years and over"
    if body.startswith("_LT"):
        return f"Under {body[3:]} years"
    lo, sep, hi = body.partition("T")
    if sep and lo.isdigit() and hi.isdigit():
        return f"{lo}-{hi} years"
    return code


def reference_period(first: int | None, last: int, fieldwork: str | None = None) -> tuple[str, str]:
    """(reference_period, period_type): one year, pooled years as a range, or fieldwork."""
    if fieldwork:
        return fieldwork, "fieldwork"
    if first is None or first == last:
        return str(last), "year"
    return f"{first}-{last}", "pooled_years"


#: columns added for readers: (column, placed after)
LABEL_PLACES = [
    ("reference_period", "year"),
    ("period_type", "reference_period"),
    ("indicator_name", "indicator_version"),
    ("unit_label", "unit"),
    ("action", "flags"),
    ("events", "action"),
    ("denominator", "events"),
    ("denominator_type", "denominator"),
]


def label_table(
    frame: pd.DataFrame,
    names: dict[str, str],
    provenance: dict[str, str],
    legend: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """`frame` with the label columns of LABEL_PLACES inserted where their anchors are.

    Registry rows get honest names for their counts: `events` (the numerator) and
    `denominator` (population, live births, person-years: `denominator_type`); the survey
    columns `weighted_numerator` / `weighted_denominator` keep their values for both.
    """
    out = frame.copy()
    ds = out["dataset"].astype(str) if "dataset" in out else pd.Series("", index=out.index)

    def per_dataset(key: str, default: str = "") -> pd.Series:
        return ds.map(lambda d: provenance.get(f"dataset.{d}.{key}", default))

    new: dict[str, pd.Series | np.ndarray] = {}
    if "year" in out:
        new["reference_period"] = per_dataset("reference_period").where(
            lambda s: s != "", out["year"].astype(str)
        )
        new["period_type"] = per_dataset("period_type", "year")
    if "indicator_id" in out:
        new["indicator_name"] = out["indicator_id"].map(names).fillna("")
    if "unit" in out:
        new["unit_label"] = out["unit"].map(UNIT_LABELS).fillna(out["unit"])
    if "flags" in out and legend is not None:
        new["action"] = publication_action(out["flags"], legend)
    if "weighted_numerator" in out and "source" in out:
        registry = out["source"] == "registry"
        new["events"] = out["weighted_numerator"].where(registry)
        if "weighted_denominator" in out:
            new["denominator"] = out["weighted_denominator"].where(registry)
            dtype = per_dataset("denominator_type")
            new["denominator_type"] = dtype.where(registry & (dtype != ""), "")
    for col, anchor in LABEL_PLACES:
        if col in new and col not in out:
            at = out.columns.get_loc(anchor) + 1 if anchor in out else len(out.columns)
            out.insert(at, col, new[col])
    return out


def record_period(provenance: dict, dataset: str, metadata, years: pd.Series | None = None) -> None:
    """Record a dataset's reference period in the provenance (`dataset.<id>.reference_period`).

    Registers: the range of the events' `year` (pooled years when it spans several); surveys:
    `metadata.fieldwork` when the profile gives it, else `metadata.year`.
    """
    first = last = metadata.year
    if years is not None and years.notna().any():
        first, last = int(years.min()), int(years.max())
    period, kind = reference_period(first, last, getattr(metadata, "fieldwork", None))
    provenance[f"dataset.{dataset}.reference_period"] = period
    provenance[f"dataset.{dataset}.period_type"] = kind


def labelled(result, catalog, vocab, policies: Iterable[Policy]):
    """The ResultTable with label columns, the flags legend and the code lists added."""
    from dataclasses import replace

    from mhindicators.results import CONTRAST_STATS, ID_COLUMNS, LABEL_COLUMNS, STAT_COLUMNS

    names = {ind.id: ind.name for ind in catalog}
    provenance = dict(result.provenance)
    for ind in catalog:
        if ind.extends is not None:
            provenance[f"definition.{ind.id}.extends"] = f"{ind.extends.id}@{ind.extends.version}"
        if ind.deviations:
            notes = "; ".join(f"{d.kind}: {d.note}" for d in ind.deviations)
            provenance[f"definition.{ind.id}.deviations"] = notes
    legend = flags_legend(policies)
    est = label_table(result.estimates, names, provenance, legend)
    con = label_table(result.contrasts, names, provenance)
    known = {*ID_COLUMNS, *STAT_COLUMNS, *LABEL_COLUMNS, *CONTRAST_STATS}
    dims = [c for c in est.columns if c not in known]
    dims += [c for c in con.columns if c not in known and c not in dims]
    dims = [d for d in dims if d not in ("dimension", "group", "reference")]
    lists = codelists([est, con], dims, vocab)
    return replace(
        result,
        estimates=est,
        contrasts=con,
        legend=legend,
        codelists=lists,
        provenance=provenance,
    )
