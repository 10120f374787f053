"""A run that does not fit in memory: a coded message with the cause and the remedy."""

from __future__ import annotations

from pathlib import Path

from mhindicators.errors import DataError
from mhindicators.issues import define, issue

define(
    "MHI910",
    "out-of-memory",
    "error",
    "The dataset's rows x needed columns do not fit in this machine's memory when held at "
    "once (the default: every row is read before the statistics are summed).",
    "Read it in row batches: `compute: {batch_rows: 1000000}` in the project file or "
    "`mhi compute --batch-rows 1000000` (memory then grows with the batch, not the file); "
    "or run it on a Dask cluster (`--scheduler`). See docs/scale.md.",
)


def out_of_memory(path: Path, loaded, n_columns: int) -> DataError:
    """MHI910 naming the file, its size in rows (when the format says) x columns, and the fix."""
    rows = _row_count(path)
    size = f"{rows:,} rows x {n_columns} columns" if rows else f"{n_columns} columns"
    message = (
        f"{path.name}: out of memory holding {size} at once; read the file in row batches "
        "(`compute.batch_rows` in the project file or `--batch-rows`)"
    )
    file, line, col = loaded.where("design") if loaded is not None else (str(path), 0, 0)
    return DataError(message, [issue("MHI910", message, file, line, col)])


def _row_count(path: Path) -> int | None:
    """Rows of a Parquet file or folder from its metadata (no data read); None otherwise."""
    try:
        import pyarrow.dataset as ds

        if path.is_dir() or path.suffix.lower() in (".parquet", ".pq"):
            hive = "hive" if path.is_dir() else None
            return int(ds.dataset(path, format="parquet", partitioning=hive).count_rows())
    except Exception:
        return None
    return None
