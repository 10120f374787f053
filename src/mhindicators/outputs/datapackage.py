"""A Frictionless Data Package (`datapackage.json`) describing the CSV tables of a run.

Table Schema for every column, units, the licence and the same provenance as the Parquet
metadata, so that any Frictionless tool (frictionless-py, R `frictionless`, Open Data
Editor) can validate and read the CSV files. See docs/outputs.md.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd

from mhindicators.outputs.rounding import RATIO_COLUMNS, UNIT_COLUMNS

PROFILE = "tabular-data-package"
#: column -> description (the rest: `describe`)
DESCRIPTIONS = {
    "dataset": "Dataset id of the project file.",
    "country": "Reporting country, ISO 3166-1 alpha-3.",
    "year": "metadata.year of the dataset's profile (see reference_period).",
    "reference_period": "Single year, pooled years as a range, or survey fieldwork interval.",
    "period_type": "year, pooled_years or fieldwork.",
    "indicator_id": "Stable indicator id of the catalogue.",
    "indicator_version": "Version of the indicator definition.",
    "indicator_name": "Name of the indicator.",
    "unit": "Unit code of the estimate.",
    "unit_label": "Unit as text.",
    "flags": "';'-joined reliability and disclosure flag codes (flags_legend).",
    "action": "publish, publish_with_caution or suppress: the strongest action of the flags.",
    "events": "Registers: the counted events (numerator).",
    "denominator": "Registers: the denominator (see denominator_type).",
    "denominator_type": "Registers: population, live_births, workers or person_years.",
    "status": "Computational conditions (docs/project-file.md).",
    "conf_level": "Confidence level of the intervals.",
}

#: table -> column -> description, where a column means something else in that table
TABLE_DESCRIPTIONS = {
    "inequality": {
        "dimension": "The migratory dimension whose groups the measure compares.",
        "measure": "HEAT summary measure code (docs/inequality.md).",
        "estimate": "The measure, on its own scale (docs/inequality.md); CSV with 6 decimals.",
        "se": "Delta-method SE on the joint covariance of the group estimates.",
        "ci_lower": "Lower confidence limit (R: on the log scale).",
        "ci_upper": "Upper confidence limit (R: on the log scale).",
        "n_groups": "Groups with an estimate that the measure uses.",
        "reference_group": "The definition's reference group.",
        "compared_group": "D, R: group furthest from the reference; PAF, PAR, MDB*: the "
        "reference or best group.",
        "favourable": "higher or lower: the definition's favourable direction ('' if unset).",
        "status": "ok, clamped, no-interval or not-applicable.",
        "reason": "Why a measure is not applicable, clamped or without an interval.",
    }
}


def field(name: str, series: pd.Series, numeric_text: bool, table: str = "") -> dict:
    """The Table Schema field of one column."""
    if numeric_text or pd.api.types.is_float_dtype(series):
        kind = "number"
    elif pd.api.types.is_bool_dtype(series):
        kind = "boolean"
    elif pd.api.types.is_integer_dtype(series):
        kind = "integer"
    else:
        kind = "string"
    out = {"name": name, "type": kind}
    if name in TABLE_DESCRIPTIONS.get(table, {}):
        out["description"] = TABLE_DESCRIPTIONS[table][name]
    elif name in DESCRIPTIONS:
        out["description"] = DESCRIPTIONS[name]
    elif name in UNIT_COLUMNS:
        out["description"] = "In the row's unit (column unit); CSV rounded per unit."
    elif name in RATIO_COLUMNS:
        out["description"] = "A ratio; CSV rounded by the ratio rule."
    return out


def resource(name: str, frame: pd.DataFrame, data: bytes) -> dict:
    """A tabular data resource for `<name>.csv` whose bytes are `data`."""
    fields = [
        field(c, frame[c], c in UNIT_COLUMNS or c in RATIO_COLUMNS, name) for c in frame.columns
    ]
    return {
        "name": name.replace("_", "-"),
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
        "schema": {"fields": fields, "missingValues": [""]},
    }


def datapackage(
    frames: dict[str, pd.DataFrame],
    csv_bytes: dict[str, bytes],
    provenance: dict[str, str],
    *,
    title: str | None = None,
    license: str | None = None,
    rounding: dict[str, int] | None = None,
) -> bytes:
    """The `datapackage.json` text (UTF-8) for the CSV tables `frames` (name -> frame)."""
    package: dict = {
        "profile": PROFILE,
        "name": "mhi-results",
        "title": title or "Migrant-health indicators (mhi)",
        "resources": [resource(n, f, csv_bytes[n]) for n, f in frames.items()],
    }
    if license:
        package["licenses"] = [{"name": license, "path": f"https://spdx.org/licenses/{license}"}]
    package["mhi:provenance"] = dict(sorted(provenance.items()))
    if rounding is not None:
        package["mhi:csv_rounding"] = dict(sorted(rounding.items()))
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
