"""Write a ResultTable as Parquet (with provenance metadata) and/or CSV, as one set."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mhindicators.outputs.fileset import write_fileset
from mhindicators.results import ResultTable

FORMATS = ("parquet", "csv")
#: every file name mhi writes into an output folder
OUTPUT_NAMES = tuple(f"{n}.{f}" for f in FORMATS for n in ("estimates", "contrasts", "summary"))


def write_results(
    table: ResultTable, out_dir: Path | str, formats: list[str] | tuple[str, ...] = FORMATS
) -> list[Path]:
    """Write estimates, contrasts and the indicator summary; returns the paths written.

    The files replace the previous outputs of `out_dir` as one set (see `write_fileset`): a
    failure or a kill at any moment leaves the complete previous set or the complete new one.
    Outputs of an earlier run that this run does not write (CSV after a Parquet-only run) go.
    `out_dir` is the caller's choice and is not confined to a project.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown output format {unknown[0]!r}")
    parts = {"estimates": table.estimates, "contrasts": table.contrasts, "summary": table.summary}
    parts.update(table.tables)  # multi-country tables, when there are any
    files = {
        f"{name}.{fmt}": partial(_write, frame, fmt, table.provenance)
        for fmt in dict.fromkeys(formats)
        for name, frame in parts.items()
    }
    return write_fileset(out_dir, files, OUTPUT_NAMES)


def _write(frame: pd.DataFrame, fmt: str, provenance: dict[str, str], path: Path) -> None:
    if fmt == "parquet":
        _parquet(frame, path, provenance)
    else:
        frame.to_csv(path, index=False, float_format="%.17g")


def _parquet(frame: pd.DataFrame, path: Path, provenance: dict[str, str]) -> None:
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta[b"mhi.provenance"] = json.dumps(provenance, sort_keys=True).encode()
    pq.write_table(arrow.replace_schema_metadata(meta), path)


def read_provenance(path: Path | str) -> dict[str, str]:
    """The provenance dictionary stored in a Parquet file written by mhi."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta.get(b"mhi.provenance", b"{}"))
