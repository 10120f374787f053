"""The rows each plot of the report draws, taken from a run's tables (vectorised selections;
the tables do not grow with the microdata: one row per published cell)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mhindicators.harmonization.basis import DIMENSION_BASES
from mhindicators.results import ID_COLUMNS, LABEL_COLUMNS, STAT_COLUMNS, TOTAL

MIGRATORY = tuple(DIMENSION_BASES)
_RANK = {"publish": 0, "publish_with_caution": 1, "suppress": 2}
_ACTIONS = {v: k for k, v in _RANK.items()}


class Labels:
    """Code -> label from the run's code lists (the code itself when it has none)."""

    def __init__(self, codelists: pd.DataFrame | None) -> None:
        self.map: dict[tuple[str, str], str] = {}
        if codelists is not None and len(codelists):
            keys = zip(
                codelists["dimension"].astype(str), codelists["code"].astype(str), strict=True
            )
            self.map = dict(zip(keys, codelists["label"].astype(str), strict=False))

    def __call__(self, dim: str, code: str) -> str:
        if code == TOTAL:
            return "Total"
        return self.map.get((dim, code), code)


def dimensions(frame: pd.DataFrame) -> list[str]:
    """Dimension columns of an estimates or contrasts frame."""
    known = {*ID_COLUMNS, *STAT_COLUMNS, *LABEL_COLUMNS, "dimension", "group", "reference"}
    known |= {"indicator_name", "unit_label", "action", "method", "reference_estimate"}
    return [
        c for c in frame.columns if c not in known and not c.startswith(("difference", "ratio"))
    ]


def actions(est: pd.DataFrame) -> pd.Series:
    """Publication action per row; from the flags when the table has no `action` column."""
    if "action" in est:
        return est["action"].fillna("publish").replace("", "publish").astype(str)
    flags = est["flags"].fillna("").astype(str)
    return pd.Series(np.where(flags != "", "publish_with_caution", "publish"), index=est.index)


def migratory_dimension(est: pd.DataFrame, contrasts: pd.DataFrame) -> str | None:
    """The indicator's migratory dimension: its contrasts', else the one with groups."""
    if len(contrasts):
        return str(contrasts["dimension"].iloc[0])
    for dim in MIGRATORY:
        if dim in est and (est[dim] != TOTAL).any():
            return dim
    return None


def reference_group(contrasts: pd.DataFrame) -> str | None:
    refs = contrasts["reference"].dropna().astype(str).unique() if len(contrasts) else []
    return str(refs[0]) if len(refs) else None


def forest_rows(
    est: pd.DataFrame, mig: str | None, ref: str | None, by: list[str], labels: Labels
) -> pd.DataFrame:
    """One indicator's rows by migratory group (and by the `by` dimensions), reference first
    and the total last, with the plot's styling columns (plots.ROW_COLUMNS) and `flags`."""
    dims = dimensions(est)
    fixed = [d for d in dims if d not in by and d != mig]
    rows = est[(est[fixed] == TOTAL).all(axis=1)] if fixed else est
    rows = rows.assign(_action=actions(rows))
    group = rows[mig] if mig else pd.Series(TOTAL, index=rows.index)
    order = np.where(group == ref, 0, np.where(group == TOTAL, 2, 1))
    blocks = [b for b in by if b in rows]
    detail = (rows[blocks] != TOTAL).sum(axis=1) if blocks else 0
    rows = rows.assign(_group=group, _order=order, _detail=detail)
    sort = ["_detail", *blocks, "dataset", "standardization", "_order", "_group"]
    rows = rows.sort_values([c for c in sort if c in rows], kind="stable")
    many = [c for c in ("dataset", "standardization") if c in rows and rows[c].nunique() > 1]
    parts = [rows[c].astype(str) for c in many]
    parts += [rows[b].map(lambda v, b=b: labels(b, v)) for b in blocks]
    glabel = rows["_group"].map(lambda v: labels(mig or "", v))
    label = glabel
    if parts:
        prefix = parts[0].str.cat(parts[1:], sep=" · ") if len(parts) > 1 else parts[0]
        label = prefix.str.replace("Total", "All", regex=False) + " · " + glabel
    key = np.where(rows["_group"] == ref, glabel + " (reference)", glabel)
    return _styled(rows, label, key)


def _styled(rows: pd.DataFrame, label: pd.Series, key) -> pd.DataFrame:
    act = rows["_action"].to_numpy()
    flags = rows["flags"].fillna("").astype(str).to_numpy()
    est = rows["estimate"].to_numpy(float)
    status = rows["status"].fillna("").astype(str).to_numpy() if "status" in rows else ""
    hidden = (act == "suppress") | ~np.isfinite(est)
    note = np.where(
        act == "suppress",
        "suppressed (" + flags + ")",
        np.where(~np.isfinite(est), "no estimate " + status, flags),
    )
    out = pd.DataFrame(
        {
            "label": label.to_numpy(),
            "estimate": est,
            "lower": rows["ci_lower"].to_numpy(float),
            "upper": rows["ci_upper"].to_numpy(float),
            "key": np.asarray(key),
            "hollow": act == "publish_with_caution",
            "hidden": hidden,
            "note": np.char.strip(note.astype(str)),
            "flags": flags,
            "action": act,
        }
    )
    return out


def gap_rows(run, labels: Labels, only: list[str]) -> pd.DataFrame:
    """Headline gaps (migrant group minus reference, all other dimensions total) with the
    worse publication action of the two cells; columns of forest rows plus `unit_label`."""
    con = run.contrasts[run.contrasts["indicator_id"].isin(only)]
    dims = [d for d in dimensions(con) if d in con]
    if dims:
        con = con[(con[dims] == TOTAL).all(axis=1)]
    if not len(con):
        return pd.DataFrame()
    est = run.estimates[run.estimates["indicator_id"].isin(only)]
    edims = dimensions(est)
    est = est.assign(_rank=actions(est).map(_RANK).fillna(0))
    cells = []
    for mig, part in est.groupby(est[[d for d in MIGRATORY if d in est]].ne(TOTAL).idxmax(axis=1)):
        others = [d for d in edims if d != mig]
        sel = part[(part[others] == TOTAL).all(axis=1)]
        cells.append(sel.assign(_cell=sel[mig]))
    cell = pd.concat(cells).groupby(["indicator_id", "dataset", "_cell"])["_rank"].max()
    keys = ["indicator_id", "dataset"]
    g = cell.reindex(pd.MultiIndex.from_frame(con[[*keys, "group"]])).to_numpy()
    r = cell.reindex(pd.MultiIndex.from_frame(con[[*keys, "reference"]])).to_numpy()
    rank = np.fmax(np.nan_to_num(g), np.nan_to_num(r)).astype(int)
    con = con.assign(
        _action=[_ACTIONS[k] for k in rank],
        flags="",
        estimate=con["difference"],
        ci_lower=con["difference_ci_lower"],
        ci_upper=con["difference_ci_upper"],
    )
    con = con.sort_values(["unit", "indicator_id", "dataset", "group"], kind="stable")
    glabel = [labels(d, v) for d, v in zip(con["dimension"], con["group"], strict=True)]
    multi = con.groupby("indicator_id")["dataset"].transform("nunique") > 1
    name = con["indicator_id"].where(~multi, con["indicator_id"] + " (" + con["dataset"] + ")")
    label = name + " · " + pd.Series(glabel, index=con.index)
    out = _styled(con.assign(status=""), label, np.asarray(glabel))
    out["note"] = np.where(out["action"] == "suppress", "suppressed", out["note"])
    unit = con["unit_label"] if "unit_label" in con else con["unit"]
    out["unit_label"] = unit.astype(str).to_numpy()
    out["reference"] = [
        labels(d, v) for d, v in zip(con["dimension"], con["reference"], strict=True)
    ]
    return out


def country_rows(comparison: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """Per reference indicator and migratory group, each country's gap; not comparable rows
    hollow with the comparability code and reasons as their note."""
    comp = comparison.sort_values(["unit", "reference_indicator_id", "group", "country"])
    comparable = comp["comparable"].astype(str).str.lower().isin(["true", "1"]).to_numpy()
    glabel = [labels(d, v) for d, v in zip(comp["migratory_dimension"], comp["group"], strict=True)]
    est = comp["difference"].to_numpy(float)
    note = np.where(comparable, "", "not comparable: " + comp["comparability"].astype(str))
    return pd.DataFrame(
        {
            "label": (
                comp["reference_indicator_id"]
                + " · "
                + pd.Series(glabel, index=comp.index)
                + " · "
                + comp["country"]
            ).to_numpy(),
            "estimate": est,
            "lower": comp["difference_ci_lower"].to_numpy(float),
            "upper": comp["difference_ci_upper"].to_numpy(float),
            "key": comp["country"].astype(str).to_numpy(),
            "hollow": ~comparable,
            "hidden": ~np.isfinite(est),
            "note": np.where(np.isfinite(est), note, "no estimate"),
            "unit": comp["unit"].astype(str).to_numpy(),
            "reasons": comp["reasons"].fillna("").astype(str).to_numpy(),
        }
    )
