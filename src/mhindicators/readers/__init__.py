"""Read only the needed columns of CSV, Parquet, Stata, SPSS and SAS transport (.xpt) files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mhindicators.errors import DataError
from mhindicators.issues import define, issue
from mhindicators.profiles.model import FileFormat
from mhindicators.readers.sniff import csv_header, decode_error

define(
    "MHI310",
    "unreadable-data",
    "error",
    "The data file cannot be read (missing, truncated or corrupt).",
    "Check the path and that the file is complete; re-export it if needed.",
)
define(
    "MHI311",
    "missing-column",
    "error",
    "A column named in the profile is not in the data file.",
    "Fix the raw column name in the profile's `columns:` (names are case-sensitive).",
)
define(
    "MHI312",
    "unknown-format",
    "error",
    "The data file type cannot be inferred from its suffix.",
    "Set `format: {type: csv|parquet|stata|spss}` in the profile.",
)

_SUFFIX = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".gz": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".dta": "stata",
    ".sav": "spss",
    ".zsav": "spss",
}


def file_type(path: Path, fmt: FileFormat) -> str:
    """The reader to use: the profile's `format.type`, else the file suffix."""
    if fmt.type:
        return fmt.type
    if path.is_dir():  # a (hive-partitioned) Parquet folder
        return "parquet"
    kind = _SUFFIX.get(path.suffix.lower())
    if kind is None:
        raise DataError(
            "unknown file type",
            [issue("MHI312", f"cannot tell the type of {path.name}", str(path))],
        )
    return kind


def read_columns(path: Path, fmt: FileFormat) -> list[str]:
    """The column names in the file as written (duplicates kept), from its header or schema."""
    kind = file_type(path, fmt)
    try:
        if kind == "csv":
            return csv_header(path, fmt)
        if kind == "parquet":
            return list(_parquet_schema(path).names)
        if kind == "sas":
            with pd.read_sas(path, format="xport", chunksize=1) as reader:
                return list(next(iter(reader)).columns)
        import pyreadstat

        reader = pyreadstat.read_dta if kind == "stata" else pyreadstat.read_sav
        _, meta = reader(str(path), metadataonly=True)
        return list(meta.column_names)
    except DataError:
        raise
    except Exception as exc:
        raise unreadable(path, exc) from None


def read_table(
    path: Path, fmt: FileFormat, columns: list[str], text_columns: list[str] | None = None
) -> pd.DataFrame:
    """Read just `columns` (which must exist; see `read_columns`).

    `text_columns` are read from CSV as text, so codes keep their form ('01' stays '01').
    """
    kind = file_type(path, fmt)
    try:
        if kind == "csv":
            return _read_csv(path, fmt, columns, text_columns or [])
        if kind == "parquet":
            return _read_parquet(path, columns, text_columns or [])
        if kind == "sas":
            return pd.read_sas(path, format="xport")[columns]
        import pyreadstat

        reader = pyreadstat.read_dta if kind == "stata" else pyreadstat.read_sav
        frame, _ = reader(str(path), usecols=columns, apply_value_formats=fmt.value_labels)
        return frame
    except DataError:
        raise
    except UnicodeDecodeError as exc:
        if b"\x00" in exc.object:  # NUL bytes: a corrupt or truncated file, not an encoding
            raise unreadable(path, exc) from None
        raise decode_error(path, fmt.encoding) from None
    except Exception as exc:
        raise unreadable(path, exc) from None


def _read_parquet(path: Path, columns: list[str], text: list[str]) -> pd.DataFrame:
    """Only `columns`; text code columns arrive dictionary-encoded (pandas categoricals), so
    recoding works on the few distinct values instead of millions of strings."""
    import pyarrow.parquet as pq

    schema = _parquet_schema(path)
    strings = [
        c for c in text if c in columns and str(schema.field(c).type) in ("string", "large_string")
    ]
    if path.is_dir():  # partition keys (hive `name=value` folders) become columns
        table = _parquet_dataset(path).to_table(columns=columns)
    else:
        table = pq.read_table(path, columns=columns, read_dictionary=strings)
    # one block per column and the Arrow buffers released as they convert: no consolidation
    # copy of many numeric columns (80 replicate weights) and a lower peak
    return table.to_pandas(split_blocks=True, self_destruct=True)


def _parquet_dataset(path: Path):
    import pyarrow.dataset as ds

    return ds.dataset(path, format="parquet", partitioning="hive")


def _parquet_schema(path: Path):
    """Schema of a Parquet file, or of a hive-partitioned folder with its partition keys."""
    if path.is_dir():
        return _parquet_dataset(path).schema
    import pyarrow.parquet as pq

    return pq.read_schema(path)


def _read_csv(path: Path, fmt: FileFormat, columns: list[str], text: list[str]) -> pd.DataFrame:
    # Code columns are read as text so that '01' and '1' stay different codes; the pyarrow
    # engine is fast and strict, the C engine the fallback for what it refuses.
    options = {
        "sep": fmt.delimiter,
        "encoding": fmt.encoding,
        "usecols": columns,
        "dtype": {c: str for c in text if c in columns},
    }
    try:
        return pd.read_csv(path, engine="pyarrow", **options)
    except ValueError as exc:
        if "columns, got" in str(exc):  # a row with the wrong number of fields: truncated or
            raise unreadable(path, exc) from None  # corrupt; the C engine would pad it
        return pd.read_csv(path, low_memory=False, **options)


def unreadable(path: Path, exc: Exception) -> DataError:
    """MHI310 naming the file and the kind of failure (never the reader's message)."""
    # Reader messages can quote cell values (microdata): report only the kind of failure.
    message = f"cannot read {path.name}: {type(exc).__name__}"
    return DataError(message, [issue("MHI310", message, str(path))])
