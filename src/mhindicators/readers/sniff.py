"""The raw header of a text data file, after a look at its first bytes.

One small read at the start of the file (the header line; the data are read later by
pandas) tells a compressed file, a UTF-16 file or a file that is not in the profile's
`format.encoding` apart from a truncated one, and keeps duplicate column names, which
pandas would silently rename (`age`, `age.1`).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from pathlib import Path

from mhindicators.errors import DataError
from mhindicators.issues import define, issue
from mhindicators.profiles.model import FileFormat

define(
    "MHI371",
    "wrong-encoding",
    "error",
    "The data file is not text in the profile's `format.encoding` (e.g. UTF-16 or latin-1).",
    "Set `format: {encoding: ...}` in the profile to the file's encoding (docs/profiles.md).",
)
define(
    "MHI372",
    "compressed-file",
    "error",
    "The data file is compressed but its name does not say so.",
    "Decompress it, or name it with its compression suffix (e.g. `.csv.gz`).",
)
define(
    "MHI375",
    "no-data-rows",
    "error",
    "The data file holds no rows (a header only, or nothing at all).",
    "Check the export; an empty survey or denominator file gives no estimate.",
)

_MAGIC = {
    b"\x1f\x8b": ("gzip", ".gz"),
    b"BZh": ("bzip2", ".bz2"),
    b"\xfd7zXZ\x00": ("xz", ".xz"),
    b"\x28\xb5\x2f\xfd": ("zstd", ".zst"),
    b"PK\x03\x04": ("zip", ".zip"),
}
_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BLOCK = 1 << 16
_MAX_HEADER = 1 << 26  # 64 MiB: a header line longer than this is not a header


def csv_header(path: Path, fmt: FileFormat) -> list[str]:
    """Column names of a delimited text file as written (duplicates kept, in order)."""
    head = _head(path)
    encoding = codecs.lookup(fmt.encoding).name
    for bom, family in _BOMS:
        if head.startswith(bom) and not encoding.startswith(family):
            message = f"{path.name} starts with a {family.upper()} byte-order mark"
            raise _wrong(path, message, family)
    # UTF-16 without a mark: a NUL in every other byte of ASCII text (a few NULs: corruption)
    if encoding in ("utf-8", "ascii") and head.count(b"\x00") > len(head) // 4:
        raise _wrong(path, f"{path.name} holds NUL bytes: UTF-16 text without a mark?", "utf-16")
    # only the header line must decode here: bytes in rows are the reader's business (it
    # decodes the columns it reads); UTF-16/32 newlines are not one byte, so decode the block
    if not encoding.startswith(("utf-16", "utf-32")):
        head = head.split(b"\n", 1)[0]
    try:
        text = head.decode(fmt.encoding)
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4 and len(head) >= _BLOCK:
            text = head[: exc.start].decode(fmt.encoding)  # a character cut by the block end
        else:
            raise _undecodable(path, fmt.encoding, head, exc.start) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise no_rows(path, "is empty (no header, no rows)")
    return next(csv.reader(io.StringIO(text), delimiter=fmt.delimiter), [])


def no_rows(path: Path, what: str = "has no data rows") -> DataError:
    """MHI375: a data file without rows (the caller decides; an events file may be empty)."""
    message = f"{path.name} {what}"
    return DataError(message, [issue("MHI375", message, str(path))])


def decode_error(path: Path, encoding: str) -> DataError:
    """MHI371 for bytes past the header that are not in `encoding`, found while reading.

    Only on this error path the file is decoded once more, to give the line and column."""
    guess = "latin-1" if codecs.lookup(encoding).name == "utf-8" else "utf-8"
    found = _first_bad_byte(path, encoding)
    if found is None:
        message = f"{path.name} has bytes that are not valid {encoding} after the header"
        return _wrong(path, message, guess)
    line, col, byte = found
    return _wrong(path, f"byte 0x{byte:02x} is not valid {encoding}", guess, line, col)


def _first_bad_byte(path: Path, encoding: str) -> tuple[int, int, int] | None:
    """Line, column (in bytes) and value of the first byte `encoding` cannot decode."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line, line_start, offset = 1, 0, 0  # line_start: absolute offset of the line's first byte
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                pending = decoder.getstate()[0]
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    data = pending + chunk
                    base = offset - len(pending)
                    pos = exc.start
                    line += data.count(b"\n", 0, pos)
                    newline = data.rfind(b"\n", 0, pos)
                    if newline >= 0:
                        line_start = base + newline + 1
                    return line, base + pos - line_start + 1, data[pos]
                line += chunk.count(b"\n")
                if (newline := chunk.rfind(b"\n")) >= 0:
                    line_start = offset + newline + 1
                offset += len(chunk)
    except (OSError, EOFError):
        return None
    return None


def _head(path: Path) -> bytes:
    """The first block of the file, extended to the end of its first line; .gz files are
    opened through gzip as pandas will read them."""
    with open(path, "rb") as fh:
        magic = fh.read(8)
    gz = path.suffix.lower() == ".gz"
    for mark, (kind, suffix) in _MAGIC.items():
        if magic.startswith(mark) and not (gz and kind == "gzip"):
            message = f"{path.name} is {kind}-compressed but its name does not end in {suffix}"
            raise DataError(message, [issue("MHI372", message, str(path))])
    opener = gzip.open if gz else open
    with opener(path, "rb") as fh:
        head = fh.read(_BLOCK)
        while b"\n" not in head and len(head) < _MAX_HEADER:
            more = fh.read(_BLOCK)
            if not more:
                break
            head += more
    return head


def _undecodable(path: Path, encoding: str, head: bytes, start: int) -> DataError:
    line = head.count(b"\n", 0, start) + 1
    col = start - (head.rfind(b"\n", 0, start) + 1) + 1
    guess = "latin-1" if codecs.lookup(encoding).name == "utf-8" else "utf-8"
    message = f"byte 0x{head[start]:02x} is not valid {encoding}"
    return _wrong(path, message, guess, line, col)


def _wrong(path: Path, message: str, encoding: str, line: int = 0, col: int = 0) -> DataError:
    hint = (
        f"Set `format: {{encoding: {encoding}}}` in the profile "
        f"(for Windows files often cp1252), or re-export the file as UTF-8."
        if encoding == "latin-1"
        else f"Set `format: {{encoding: {encoding}}}` in the profile, or re-export it as UTF-8."
    )
    return DataError(message, [issue("MHI371", message, str(path), line, col, hint)])
