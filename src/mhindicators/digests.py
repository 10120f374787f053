"""SHA-256 of input files, on a background thread started as soon as a path is known.

Provenance records the SHA-256 of every data file. Hashing a large file takes about as long as
reading the few columns an indicator needs (1.2 s for a 690 MB extract with 80 replicate
weights), so it runs on another thread (hashlib releases the GIL). `start` lets the command
line begin it before the estimation modules are even imported; the run then `take`s that hash
instead of starting a second one. Light on purpose: no numpy or pandas here.
"""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path

_POOL: ThreadPoolExecutor | None = None
_PENDING: dict[str, tuple[tuple, Future[str]]] = {}
_LOCK = threading.Lock()


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes; of a (partitioned Parquet) folder, of each file's
    relative path and bytes in sorted order."""
    path = Path(path)
    if not path.is_dir():
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with open(file, "rb") as fh:
            for block in iter(partial(fh.read, 1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _identity(path: Path | str) -> tuple[str, tuple]:
    """The resolved path, and what says the file is the same one (size, times, inode)."""
    resolved = str(Path(path).resolve())
    try:
        st = os.stat(resolved)
    except OSError:
        return resolved, ()
    return resolved, (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _submit(path: Path | str) -> Future[str]:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mhi-sha256")
    return _POOL.submit(sha256_file, path)


def start(path: Path | str) -> None:
    """Begin hashing `path` now, for a later `take` (replaces any earlier unclaimed start)."""
    key, ident = _identity(path)
    with _LOCK:
        _PENDING[key] = (ident, _submit(path))


def take(path: Path | str) -> Future[str]:
    """The hash of `path`: the one `start`ed for this very file if any (claimed once, so a
    later run hashes again), else a new one on the background thread."""
    key, ident = _identity(path)
    with _LOCK:
        pending = _PENDING.pop(key, None)
    if pending is not None and ident and pending[0] == ident:
        return pending[1]
    return _submit(path)
