"""Write a ResultTable as Parquet (with provenance metadata) and/or CSV, atomically."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mhindicators.outputs.atomic import atomic_path
from mhindicators.results import ResultTable

FORMATS = ("parquet", "csv")


def write_results(
    table: ResultTable, out_dir: Path | str, formats: list[str] | tuple[str, ...] = FORMATS
) -> list[Path]:
    """Write estimates, contrasts and the indicator summary; returns the paths written.

    Every file is first written under a temporary name; only when all of them are complete
    are they renamed into place, so a failure leaves the previous outputs untouched.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown output format {unknown[0]!r}")
    out = Path(out_dir)
    parts = {"estimates": table.estimates, "contrasts": table.contrasts, "summary": table.summary}
    parts.update(table.tables)
    written: list[Path] = []
    with ExitStack() as stack:
        for fmt in formats:
            for name, frame in parts.items():
                target = out / f"{name}.{fmt}"
                tmp = stack.enter_context(atomic_path(target))
                if fmt == "parquet":
                    _parquet(frame, tmp, table.provenance)
                else:
                    frame.to_csv(tmp, index=False, float_format="%.17g")
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
