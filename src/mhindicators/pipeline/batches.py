"""Read a data file in row batches: only the needed columns, at most `rows` rows at a time.

Parquet files and hive-partitioned Parquet folders come as Arrow record batches; CSV through
pyarrow's streaming reader (types fixed from the first block, integers read as floats so a
later block cannot change them); Stata and SPSS through pyreadstat's row offsets; SAS
transport through pandas' chunked reader. Each batch is a pandas frame typed like the one
`readers.read_table` gives for the whole file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from mhindicators.errors import DataError
from mhindicators.issues import define, issue, quote
from mhindicators.profiles.model import FileFormat
from mhindicators.readers import file_type, unreadable

define(
    "MHI380",
    "csv-block-type-changed",
    "error",
    "A CSV column read in row batches holds values in a later block that do not fit the type "
    "read from the first block (e.g. text in a column whose first rows are all true/false).",
    "Map the column as a categorical code in the profile (read as text), clean the column, "
    "or compute without row batches (`compute.batch_rows: 0`).",
)


def parquet_parts(path: Path) -> list[Path]:
    """The Parquet files of a file or of a (hive-partitioned) folder, in a stable order."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*.parquet") if p.is_file())
    return [path]


def row_batches(
    path: Path, fmt: FileFormat, columns: list[str], text: list[str], rows: int
) -> Iterator[pd.DataFrame]:
    """The `columns` of the file, `rows` rows (at most) at a time, typed as `read_table`."""
    kind = "parquet" if path.is_dir() else file_type(path, fmt)
    try:
        if kind == "parquet":
            yield from _parquet(path, columns, text, rows)
        elif kind == "csv":
            yield from _csv(path, fmt, columns, text, rows)
        elif kind == "sas":
            with pd.read_sas(path, format="xport", chunksize=rows) as reader:
                for chunk in reader:
                    yield chunk[columns]
        else:
            yield from _readstat(path, fmt, kind, columns, rows)
    except DataError:
        raise
    except Exception as exc:
        raise unreadable(path, exc) from None


def _parquet(path: Path, columns: list[str], text: list[str], rows: int):
    import pyarrow.dataset as ds

    dataset = ds.dataset(path, format="parquet", partitioning="hive" if path.is_dir() else None)
    # no read-ahead: a scanner reading ahead of a slower consumer holds up to 16 batches
    for batch in dataset.to_batches(
        columns=columns, batch_size=rows, batch_readahead=0, fragment_readahead=0
    ):
        if batch.num_rows:
            yield arrow_frame(batch, text)


def arrow_frame(batch, text: list[str]) -> pd.DataFrame:
    """Text code columns dictionary-encoded (pandas categoricals), as `read_table` reads them."""
    import pyarrow as pa

    arrays = []
    for name, array in zip(batch.schema.names, batch.columns, strict=True):
        string = pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
        arrays.append(array.dictionary_encode() if name in text and string else array)
    table = pa.Table.from_arrays(arrays, names=batch.schema.names)
    return table.to_pandas(split_blocks=True, self_destruct=True)


def csv_batch_types(path: Path, fmt: FileFormat, columns: list[str], text: list[str]) -> dict:
    """Column types for the whole file: text codes as text, integers as floats (a later block
    may hold decimals or blanks), other types as the first block reads them."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    first = pcsv.open_csv(path, **_csv_options(fmt, columns, {c: pa.string() for c in text}))
    schema = first.schema
    first.close()
    types = {}
    for field in schema:
        if field.name in text:
            types[field.name] = pa.string()
        elif pa.types.is_integer(field.type) or pa.types.is_null(field.type):
            types[field.name] = pa.float64()
        else:
            types[field.name] = field.type
    return types


def _csv_options(fmt: FileFormat, columns: list[str], types: dict) -> dict:
    import pyarrow.csv as pcsv

    return {
        "read_options": pcsv.ReadOptions(encoding=fmt.encoding, block_size=1 << 24),
        "parse_options": pcsv.ParseOptions(delimiter=fmt.delimiter),
        "convert_options": pcsv.ConvertOptions(
            include_columns=columns,
            column_types=types,
            null_values=NA_VALUES,
            strings_can_be_null=True,
        ),
    }


# what pandas reads as missing (its default `na_values`), so batches read as `read_table` does
NA_VALUES = sorted(
    ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN"]
    + ["<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
)


def _csv(path: Path, fmt: FileFormat, columns: list[str], text: list[str], rows: int):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    types = csv_batch_types(path, fmt, columns, text)
    reader = pcsv.open_csv(path, **_csv_options(fmt, columns, types))
    pending, held = [], 0
    try:
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise _type_changed(path, str(exc)) from None
            pending.append(batch)
            held += batch.num_rows
            while held >= rows:
                table = pa.Table.from_batches(pending)
                yield _csv_frame(table.slice(0, rows), text)
                rest = table.slice(rows)
                pending, held = rest.to_batches(), rest.num_rows
        if held:
            yield _csv_frame(pa.Table.from_batches(pending, schema=reader.schema), text)
    finally:
        reader.close()


def _csv_frame(table, text: list[str]) -> pd.DataFrame:
    return table.to_pandas(split_blocks=True)


def _type_changed(path: Path, detail: str) -> DataError:
    column = detail.split("column ", 1)[-1].split(":", 1)[0] if "column " in detail else "?"
    message = (
        f"{path.name}: column {quote(column)} has values in a later block that do not fit the "
        "type read from the first rows"
    )
    return DataError(message, [issue("MHI380", message, str(path))])


def _readstat(path: Path, fmt: FileFormat, kind: str, columns: list[str], rows: int):
    import pyreadstat

    reader = pyreadstat.read_dta if kind == "stata" else pyreadstat.read_sav
    chunks = pyreadstat.read_file_in_chunks(
        reader,
        str(path),
        chunksize=rows,
        usecols=columns,
        apply_value_formats=fmt.value_labels,
    )
    for frame, _meta in chunks:
        yield frame
