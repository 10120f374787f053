"""Write a ResultTable as Parquet (with provenance metadata) and/or CSV, as one set."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mhindicators.errors import UsageError
from mhindicators.issues import issue, quote
from mhindicators.outputs.datapackage import datapackage
from mhindicators.outputs.fileset import write_fileset
from mhindicators.outputs.rounding import round_half_up, rounded_frame, rounding_rule
from mhindicators.outputs.sdmx_csv import SdmxOptions, sdmx_frame
from mhindicators.outputs.xlsx import require_openpyxl, write_xlsx
from mhindicators.results import ResultTable

FORMATS = ("parquet", "csv", "sdmx-csv", "xlsx")
DEFAULT_FORMATS = ("parquet", "csv")
#: the tables of a run, in the order they are written
TABLES = ("estimates", "contrasts", "inequality", "summary", "flags_legend", "codelists")
#: decimals of the inequality measures in CSV (Parquet keeps full precision)
INEQUALITY_DECIMALS = 6
#: files written beside the tables of a format
SIDECARS = {"csv": ("datapackage.json",)}
#: every file name mhi writes into an output folder
OUTPUT_NAMES = (
    tuple(f"{n}.{f}" for f in ("parquet", "csv") for n in TABLES)
    + tuple(n for names in SIDECARS.values() for n in names)
    + ("estimates.sdmx.csv", "results.xlsx")
)


def check_formats(formats) -> None:
    """UsageError (MHI903) naming the first unknown format."""
    for f in formats:
        if f not in FORMATS:
            msg = f"unknown output format {quote(str(f), 40)}; use one of {', '.join(FORMATS)}"
            raise UsageError(msg, [issue("MHI903", msg)])


def write_results(
    table: ResultTable,
    out_dir: Path | str,
    formats: Sequence[str] = DEFAULT_FORMATS,
    *,
    rounding: dict[str, int] | None = None,
    title: str | None = None,
    license: str | None = "CC-BY-4.0",
    sdmx: SdmxOptions | None = None,
) -> list[Path]:
    """Write estimates, contrasts, inequality measures, the indicator summary, the flags legend
    and the code lists.

    CSV values in an indicator's unit are rounded by `rounding` (decimals per unit, merged
    with `rounding.DEFAULT_DECIMALS`); Parquet keeps full precision. The files replace the
    previous outputs of `out_dir` as one set (see `write_fileset`): a failure or a kill at any
    moment leaves the complete previous set or the complete new one. Outputs of an earlier
    run that this run does not write (CSV after a Parquet-only run) go. `out_dir` is the
    caller's choice and is not confined to a project. CSV tables come with a Frictionless
    `datapackage.json` (schemas, licence, provenance; `title` and `license` go into it).
    `sdmx-csv` writes the estimates as SDMX-CSV 2.0 against the dataflow of `sdmx`; `xlsx` a
    workbook with suppressed cells shown as suppressed.
    """
    check_formats(formats)
    rule = rounding_rule(rounding)
    parts = tables(table)
    files: dict = {}
    for fmt in dict.fromkeys(formats):
        if fmt == "csv":
            data = {name: _csv_bytes(frame, rule, name) for name, frame in parts.items()}
            files.update({f"{n}.csv": partial(_write_bytes, b) for n, b in data.items()})
            package = datapackage(
                parts, data, table.provenance, title=title, license=license, rounding=rule
            )
            files["datapackage.json"] = partial(_write_bytes, package)
        elif fmt == "sdmx-csv":
            frame = sdmx_frame(
                table.estimates, rule, sdmx or SdmxOptions(), _comments(table), table.legend
            )
            data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
            files["estimates.sdmx.csv"] = partial(_write_bytes, data)
        elif fmt == "xlsx":
            require_openpyxl()
            files["results.xlsx"] = partial(
                write_xlsx,
                parts=parts,
                provenance=table.provenance,
                rule=rule,
                legend=table.legend,
            )
        else:
            files.update(
                {
                    f"{n}.{fmt}": partial(_parquet, f, provenance=table.provenance)
                    for n, f in parts.items()
                }
            )
    return write_fileset(out_dir, files, OUTPUT_NAMES)


def tables(table: ResultTable) -> dict[str, pd.DataFrame]:
    """The tables of a result by output name (inequality measures, legend and code lists when
    the result has them: `compute` adds them; a ResultTable built by hand may not)."""
    parts = {"estimates": table.estimates, "contrasts": table.contrasts}
    if table.inequality is not None:
        parts["inequality"] = table.inequality
    parts["summary"] = table.summary
    if table.legend is not None:
        parts["flags_legend"] = table.legend
    if table.codelists is not None:
        parts["codelists"] = table.codelists
    parts.update(table.tables)  # multi-country tables, when there are any
    return parts


def _comments(table: ResultTable) -> dict[str, str]:
    """Indicator id -> its national deviations (COMMENT_OBS), from the provenance."""
    prefix, suffix = "definition.", ".deviations"
    return {
        k[len(prefix) : -len(suffix)]: v
        for k, v in table.provenance.items()
        if k.startswith(prefix) and k.endswith(suffix)
    }


def _csv_bytes(frame: pd.DataFrame, rule: dict[str, int], name: str = "") -> bytes:
    if name == "inequality":  # the measures have their own scales, not the indicator's unit
        shown = frame.copy()
        for col in ("estimate", "se", "ci_lower", "ci_upper"):
            if col in shown and pd.api.types.is_numeric_dtype(shown[col]):
                shown[col] = round_half_up(shown[col], INEQUALITY_DECIMALS)
    else:
        shown = rounded_frame(frame, rule)
    return shown.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _write_bytes(data: bytes, path: Path) -> None:
    path.write_bytes(data)


def _parquet(frame: pd.DataFrame, path: Path, provenance: dict[str, str]) -> None:
    """Parquet with the provenance in the schema metadata (`mhi.provenance`)."""
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta[b"mhi.provenance"] = json.dumps(provenance, sort_keys=True).encode()
    pq.write_table(arrow.replace_schema_metadata(meta), path)


def read_provenance(path: Path | str) -> dict[str, str]:
    """The provenance dictionary stored in a Parquet file written by mhi."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta.get(b"mhi.provenance", b"{}"))
