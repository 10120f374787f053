"""Write a ResultTable as Parquet (with provenance metadata) and/or CSV, atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mhindicators.outputs.atomic import write_with
from mhindicators.results import ResultTable

FORMATS = ("parquet", "csv")


def write_results(
    table: ResultTable, out_dir: Path | str, formats: list[str] | tuple[str, ...] = FORMATS
) -> list[Path]:
    """Write estimates, contrasts and the indicator summary; returns the paths written.

    Every file goes to a temporary name first and is renamed only when complete.
    """
    out = Path(out_dir)
    written: list[Path] = []
    parts = {"estimates": table.estimates, "contrasts": table.contrasts, "summary": table.summary}
    for fmt in formats:
        for name, frame in parts.items():
            target = out / f"{name}.{fmt}"
            if fmt == "parquet":
                write_with(target, lambda tmp, f=frame: _parquet(f, tmp, table.provenance))
            elif fmt == "csv":
                write_with(
                    target, lambda tmp, f=frame: f.to_csv(tmp, index=False, float_format="%.17g")
                )
            else:
                raise ValueError(f"unknown output format {fmt!r}")
            written.append(target)
    return written


def _parquet(frame: pd.DataFrame, path: Path, provenance: dict[str, str]) -> None:
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta[b"mhi.provenance"] = json.dumps(provenance, sort_keys=True).encode()
    pq.write_table(arrow.replace_schema_metadata(meta), path)


def read_provenance(path: Path | str) -> dict[str, str]:
    """The provenance dictionary stored in a Parquet file written by mhi."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta.get(b"mhi.provenance", b"{}"))
