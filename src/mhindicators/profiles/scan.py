"""Summaries of a data file's columns from its schema and a bounded stream of rows.

Used to draft a profile: names, types, variable and value labels (Stata/SPSS), and the
frequency of each value. Never loads a big file whole: CSV is read in chunks, Parquet in record
batches, Stata/SPSS with a row limit, all stopping at `max_rows`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mhindicators.errors import DataError
from mhindicators.issues import issue
from mhindicators.profiles.model import FileFormat
from mhindicators.readers import file_type

CHUNK_ROWS = 50_000


@dataclass
class ColumnScan:
    """What the draft says about one raw column."""

    name: str
    label: str = ""
    value_labels: dict[object, str] = field(default_factory=dict)
    counts: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    n_missing: int = 0

    @property
    def kind(self) -> str:
        """integer, number or text, from the distinct values read."""
        values = self.counts.index
        if len(values) == 0:
            return "empty"
        numbers = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce")
        if numbers.isna().any():
            return "text"
        return "integer" if bool((numbers == numbers.round()).all()) else "number"

    def top(self, n: int = 8) -> list[tuple[object, int]]:
        """The n most frequent values with their counts (ties in value order)."""
        order = self.counts.sort_values(ascending=False, kind="stable").head(n)
        return [(v, int(c)) for v, c in order.items()]


@dataclass
class FileScan:
    path: Path
    kind: str
    columns: list[ColumnScan]
    rows_read: int
    complete: bool  # every row was read (else a sample of the first `rows_read`)
    format: FileFormat = field(default_factory=FileFormat)


def scan_file(path: Path, fmt: FileFormat | None = None, max_rows: int = 200_000) -> FileScan:
    """Column summaries from at most `max_rows` rows of `path`."""
    fmt = fmt or FileFormat()
    kind = file_type(path, fmt)
    if kind == "csv":
        fmt = fmt.model_copy(update={"delimiter": sniff_delimiter(path, fmt)})
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[object, str]] = {}
    try:
        if kind in ("stata", "spss"):
            labels, value_labels = _labels(path, kind)
        scans: dict[str, ColumnScan] = {}
        rows, exhausted = 0, True
        for chunk in _chunks(path, kind, fmt, max_rows):
            take = chunk.iloc[: max_rows - rows]
            rows += len(take)
            for name in take.columns:
                scan = scans.setdefault(str(name), ColumnScan(str(name)))
                column = take[name]
                scan.n_missing += int(column.isna().sum())
                counts = column.dropna().value_counts()
                scan.counts = scan.counts.add(counts, fill_value=0).astype("int64")
            if rows >= max_rows:
                exhausted = False
                break
    except DataError:
        raise
    except Exception as exc:  # reader messages may quote cells: name only the failure's kind
        message = f"cannot read {path.name}: {type(exc).__name__}"
        hint = ""
        if isinstance(exc, UnicodeDecodeError):
            hint = f"The file is not {fmt.encoding}: give its encoding (e.g. --encoding latin-1)."
        raise DataError(message, [issue("MHI310", message, str(path), hint=hint)]) from None
    for name, scan in scans.items():
        scan.label = labels.get(name, "")
        scan.value_labels = value_labels.get(name, {})
    return FileScan(path, kind, list(scans.values()), rows, exhausted, fmt)


def sniff_delimiter(path: Path, fmt: FileFormat) -> str:
    """The most frequent of , ; tab | in the header line (`fmt.delimiter` when none is)."""
    import gzip

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rt", encoding=fmt.encoding, errors="replace") as fh:
            header = fh.readline(65_536)
    except OSError:
        return fmt.delimiter
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > header.count(fmt.delimiter) else fmt.delimiter


def _labels(path: Path, kind: str) -> tuple[dict[str, str], dict[str, dict[Any, str]]]:
    import pyreadstat

    reader = pyreadstat.read_dta if kind == "stata" else pyreadstat.read_sav
    _, meta = reader(str(path), metadataonly=True)
    labels = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    return labels, dict(meta.variable_value_labels or {})


def _chunks(path: Path, kind: str, fmt: FileFormat, max_rows: int) -> Iterator[pd.DataFrame]:
    if kind == "csv":
        # text, so codes keep their form ('01'); only an empty cell is missing ('NA' is Namibia)
        yield from pd.read_csv(
            path,
            sep=fmt.delimiter,
            encoding=fmt.encoding,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            chunksize=CHUNK_ROWS,
            nrows=max_rows,
        )
    elif kind == "parquet":
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=CHUNK_ROWS):
            yield batch.to_pandas()
    elif kind == "sas":
        with pd.read_sas(path, format="xport", chunksize=CHUNK_ROWS) as reader:
            yield from reader
    else:
        import pyreadstat

        reader = pyreadstat.read_dta if kind == "stata" else pyreadstat.read_sav
        frame, _ = reader(str(path), row_limit=max_rows)
        yield frame
