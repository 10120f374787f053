"""SDMX-CSV 2.0 (`estimates.sdmx.csv`): one observation per row, the mapping in docs/outputs.md.

Dimensions: DATA_SOURCE, REF_AREA, TIME_PERIOD, INDICATOR, SEX, AGE, MIGRATORY_STATUS and the
other disaggregations; measure OBS_VALUE; attributes UNIT_MEASURE, UNIT_MULT, OBS_STATUS,
CONF_STATUS, LOWER_BOUND, UPPER_BOUND, NATURE, COMMENT_OBS. Suppressed cells carry no value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from mhindicators.errors import OutputError
from mhindicators.issues import define, issue, quote
from mhindicators.outputs.rounding import round_half_up

define(
    "MHI701",
    "sdmx-bad-id",
    "error",
    "`output.sdmx` gives an agency, dataflow id or version that SDMX does not allow.",
    "Agency: letters, digits, _ and - starting with a letter, dot-separated for sub-agencies "
    "(e.g. ESTAT, SDMX.UNSD); dataflow: letters, digits, _, @, $ and -; version: 1.0 or 1.0.0.",
)

_AGENCY = re.compile(r"[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z][A-Za-z0-9_-]*)*")
_ID = re.compile(r"[A-Za-z0-9_@$-]+")
_VERSION = re.compile(r"\d+(\.\d+){1,2}")

#: mhi column -> SDMX dimension, in this order; other dimensions follow, upper-cased
DIMENSIONS = {
    "dataset": "DATA_SOURCE",
    "country": "REF_AREA",
    "reference_period": "TIME_PERIOD",
    "indicator_id": "INDICATOR",
    "sex": "SEX",
    "age_group": "AGE",
    "migratory_status": "MIGRATORY_STATUS",
    "nativity": "NATIVITY",
    "citizenship_status": "CITIZENSHIP",
    "migrant_generation": "MIGRANT_GENERATION",
}
ATTRIBUTES = [
    "UNIT_MEASURE",
    "UNIT_MULT",
    "OBS_STATUS",
    "CONF_STATUS",
    "LOWER_BOUND",
    "UPPER_BOUND",
    "NATURE",
    "COMMENT_OBS",
]
#: unit -> UNIT_MEASURE (SDG codes where one exists)
UNIT_MEASURE = {
    "percent": "PT",
    "proportion": "PROPORTION",
    "per_1000": "PER_1000_POP",
    "per_10000": "PER_10000_POP",
    "per_100000": "PER_100000_POP",
    "per_100000_live_births": "PER_100000_LIVE_BIRTHS",
    "ratio": "RATIO",
    "number": "NUMBER",
    "currency": "CUR_LCU",
    "years": "YR",
}


@dataclass(frozen=True)
class SdmxOptions:
    """The dataflow the file is declared against (STRUCTURE_ID agency:id(version))."""

    agency: str = "MHI"
    dataflow: str = "DF_MIGRANT_HEALTH"
    version: str = "1.0.0"

    @property
    def structure_id(self) -> str:
        return f"{self.agency}:{self.dataflow}({self.version})"


def sdmx_options(values: dict[str, str] | None = None, where=None) -> SdmxOptions:
    """Checked options; OutputError (MHI701) naming the bad entry (`where(key)` locates it)."""
    opts = SdmxOptions(**(values or {}))
    problems = []
    for key, pattern in (("agency", _AGENCY), ("dataflow", _ID), ("version", _VERSION)):
        value = getattr(opts, key)
        if not pattern.fullmatch(value):
            file, line, col = where(key) if where else ("", 0, 0)
            msg = f"output.sdmx.{key} {quote(value, 40)} is not an SDMX {key}"
            problems.append(issue("MHI701", msg, file, line, col))
    if problems:
        raise OutputError(problems[0].message, problems)
    return opts


def time_period(period: str, kind: str) -> str:
    """SDMX TIME_PERIOD: a year, or a time range (start/duration) for pooled years."""
    if kind == "pooled_years" and re.fullmatch(r"\d{4}-\d{4}", period):
        first, last = (int(p) for p in period.split("-"))
        return f"{first}-01-01/P{last - first + 1}Y"
    if kind == "fieldwork" and (m := re.fullmatch(r"(\d{4})-(\d{2})/(\d{4})-(\d{2})", period)):
        y0, m0, y1, m1 = (int(g) for g in m.groups())
        return f"{y0}-{m0:02d}-01/P{(y1 - y0) * 12 + m1 - m0 + 1}M"
    return period


def sdmx_frame(
    estimates: pd.DataFrame,
    rule: dict[str, int],
    options: SdmxOptions,
    comments: dict[str, str] | None = None,
    legend: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The SDMX-CSV 2.0 table of the estimates (values rounded by `rule`)."""
    est = estimates.reset_index(drop=True)
    dims = [c for c in DIMENSIONS if c in est] + sorted(
        c for c in _other_dimensions(est) if c not in DIMENSIONS
    )
    out = pd.DataFrame(
        {"STRUCTURE": "dataflow", "STRUCTURE_ID": options.structure_id, "ACTION": "I"},
        index=est.index,
    )
    for col in dims:
        out[DIMENSIONS.get(col, col.upper())] = est[col].astype(str)
    if "period_type" in est:
        out["TIME_PERIOD"] = [
            time_period(p, k)
            for p, k in zip(est["reference_period"], est["period_type"], strict=True)
        ]
    if "standardization" in est:  # a standardised rate is another series than the crude one
        out["STANDARDIZATION"] = est["standardization"].replace("", "_Z")
    action = est["action"] if "action" in est else pd.Series("publish", index=est.index)
    hidden = (action == "suppress") | est["estimate"].isna()
    value, lower, upper = ([""] * len(est) for _ in range(3))
    for unit, idx in est.groupby("unit", sort=False).groups.items():
        d = rule.get(unit, 6)
        for target, col in ((value, "estimate"), (lower, "ci_lower"), (upper, "ci_upper")):
            for i, text in zip(idx, round_half_up(est.loc[idx, col], d), strict=True):
                target[i] = "" if hidden[i] else text
    out["OBS_VALUE"] = value
    out["UNIT_MEASURE"] = est["unit"].map(UNIT_MEASURE).fillna(est["unit"].str.upper())
    out["UNIT_MULT"] = "0"
    confidential = _confidential(est, legend)
    out["OBS_STATUS"] = [
        "M" if h else ("U" if a == "publish_with_caution" else "A")
        for h, a in zip(hidden, action, strict=True)
    ]
    out["CONF_STATUS"] = ["C" if c else "F" for c in confidential]
    out["LOWER_BOUND"] = lower
    out["UPPER_BOUND"] = upper
    out["NATURE"] = "C"
    notes = comments or {}
    out["COMMENT_OBS"] = est["indicator_id"].map(lambda i: notes.get(i, ""))
    return out


def _other_dimensions(est: pd.DataFrame) -> list[str]:
    from mhindicators.results import ID_COLUMNS, LABEL_COLUMNS, STAT_COLUMNS

    known = {*ID_COLUMNS, *STAT_COLUMNS, *LABEL_COLUMNS}
    return [c for c in est.columns if c not in known]


def _confidential(est: pd.DataFrame, legend: pd.DataFrame | None) -> list[bool]:
    """Rows with a flag whose policy action is `confidential` (small-counts `R`): CONF_STATUS C."""
    if "flags" not in est or legend is None:
        return [False] * len(est)
    codes = set(legend.loc[legend["policy_action"] == "confidential", "flag"])
    return [bool(codes & set(f.split(";"))) for f in est["flags"].fillna("").astype(str)]
