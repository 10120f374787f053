"""Replace a set of output files as a whole: readers see the complete old set or the new one.

Layout of an output folder (POSIX; see docs/project-file.md, "Outputs"):

    out/estimates.csv -> .mhi/current/estimates.csv     (one symlink per output file)
    out/.mhi/current  -> runs/<id>                       (switched with one rename(2))
    out/.mhi/runs/<id>/estimates.csv ...                 (the files of the current run)

A run writes its files into `.mhi/tmp-<id>/`, fsyncs them, renames the folder to
`.mhi/runs/<id>/`, adds the links for new names (they dangle until the switch), then renames a
new `current` link over the old one: that single rename is the moment the whole set changes.
Links of names the run did not write then dangle and are removed, as is the previous run.
Leftovers of a killed run live only under `.mhi/` and are removed by the next run. Files in the
folder that mhi did not write are never touched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from mhindicators.errors import OutputError
from mhindicators.issues import define, issue
from mhindicators.outputs.atomic import fsync_dir, fsync_file, write_each

define(
    "MHI350",
    "output-dir-unusable",
    "error",
    "The output folder cannot be created or written: it is a file, it is not writable, "
    "or something is in the way of an output file.",
    "Choose another folder with --out (or output.dir), or fix the folder's permissions.",
)
define(
    "MHI351",
    "output-dir-busy",
    "error",
    "Another mhi run is writing to the same output folder.",
    "Wait for the other run to finish, or write to another folder with --out.",
)

STATE = ".mhi"
_CURRENT = "current"
_RUNS = "runs"
_LOCK = "lock"
_TMP = "tmp-"
#: test-only: SIGKILL this process after the given number of steps (see tests/outputs).
KILL_ENV = "MHI_TEST_KILL_AT_STEP"


def write_fileset(
    out_dir: Path | str, files: dict[str, Callable[[Path], None]], known: Iterable[str] = ()
) -> list[Path]:
    """Write `files` (name -> function writing that file) into `out_dir` as one set.

    `known` are names earlier versions of mhi wrote as plain files: they are adopted into the
    set layout (their content unchanged) before being replaced. Returns the paths written.
    """
    out = Path(out_dir)
    step = _Steps()
    with _guard(out), _locked(out) as state:
        step()
        if not _symlinks_work(state):
            return write_each(out, files, known)
        _clean(out, state)
        step()
        _adopt(out, state, [n for n in known if n not in files] + list(files), step)
        run_id = _new_id()
        build = state / f"{_TMP}{run_id}"
        build.mkdir()
        try:
            for name, write in files.items():
                write(build / name)
                fsync_file(build / name)
                step()
            fsync_dir(build)
        except BaseException:
            _remove(build)  # a failed write leaves nothing behind (a kill: the next run)
            raise
        (state / _RUNS).mkdir(exist_ok=True)
        os.rename(build, state / _RUNS / run_id)
        fsync_dir(state / _RUNS)
        step()
        for name in files:
            if _link_name(out / name) != name:
                _place_link(out, state, name, run_id)
                step()
        fsync_dir(out)
        _switch(state, run_id)
        step()
        with contextlib.suppress(OSError):  # the new set is in place; the next run retries
            _clean(out, state)
        step()
    return [out / name for name in files]


def current_run(out_dir: Path | str) -> Path | None:
    """The folder holding the current set of an output folder, or None if there is none.

    Only a link of mhi's own shape counts (`runs/<id>` to a real folder), so a link planted in
    a shared project cannot make mhi write or delete anywhere else.
    """
    state = Path(out_dir) / STATE
    try:
        target = os.readlink(state / _CURRENT)
    except OSError:
        return None
    head, _, run_id = target.partition("/")
    run = state / _RUNS / run_id
    if head != _RUNS or not run_id or "/" in run_id or run_id in (".", ".."):
        return None
    if _real_dir(state / _RUNS) and _real_dir(run):
        return run
    return None


def _real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


class _Steps:
    """Counts the steps of a write; SIGKILLs the process at step k when KILL_ENV=k (tests)."""

    def __init__(self) -> None:
        self.n = 0
        self.kill_at = int(os.environ.get(KILL_ENV, "0") or 0)

    def __call__(self) -> None:
        self.n += 1
        if self.n == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


@contextlib.contextmanager
def _guard(out: Path) -> Iterator[None]:
    """Turn the file-system errors of an unusable folder into a coded OutputError."""
    try:
        yield
    except OutputError:
        raise
    except (FileExistsError, NotADirectoryError) as exc:
        where = Path(exc.filename or out)
        what = "a folder where a file" if _real_dir(where) else "a file or symlink where a folder"
        raise _unusable(out, f"'{where}' is in the way ({what} must be)") from None
    except PermissionError as exc:
        raise _unusable(out, f"no permission to write '{exc.filename or out}'") from None
    except OSError as exc:
        raise _unusable(out, f"cannot write: {exc.strerror or type(exc).__name__}") from None


def _unusable(out: Path, why: str) -> OutputError:
    msg = f"output folder '{out}': {why}; the previous outputs are unchanged"
    return OutputError(msg, [issue("MHI350", msg, str(out))])


def check_output_dir(out_dir: Path | str) -> None:
    """Fail early (OutputError, MHI350) when `out_dir` cannot be created or written."""
    out = Path(out_dir)
    probe = out
    while not probe.exists():
        if probe.is_symlink():
            raise _unusable(out, f"'{probe}' is a symlink to nothing, not a folder")
        if probe.parent == probe:
            return
        probe = probe.parent
    if not probe.is_dir():
        raise _unusable(out, f"'{probe}' is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise _unusable(out, f"no permission to write '{probe}'")


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[Path]:
    out.mkdir(parents=True, exist_ok=True)
    state = out / STATE
    state.mkdir(exist_ok=True)
    for folder in (state, state / _RUNS):  # never follow a planted symlink out of the folder
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise FileExistsError(errno.EEXIST, "not a folder", str(folder))
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    with open(os.open(state / _LOCK, os.O_RDWR | os.O_CREAT | nofollow, 0o644), "r+b") as fh:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock
            yield state
            return
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            msg = f"output folder '{out}' is being written by another mhi run"
            raise OutputError(msg, [issue("MHI351", msg, str(out))]) from None
        yield state  # the lock ends with the file (also when the process is killed)


def _symlinks_work(state: Path) -> bool:
    probe = state / f"{_TMP}probe-{_new_id()}"
    try:
        os.symlink(_RUNS, probe)
    except (OSError, NotImplementedError):
        return False
    probe.unlink()
    return True


def _new_id() -> str:
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"


def _link_target(name: str) -> str:
    return f"{STATE}/{_CURRENT}/{name}"


def _link_name(path: Path) -> str | None:
    """The output name if `path` is one of mhi's links into the current set, else None."""
    try:
        target = os.readlink(path)
    except OSError:
        return None
    prefix = f"{STATE}/{_CURRENT}/"
    return target[len(prefix) :] if target.startswith(prefix) else None


def _place_link(out: Path, state: Path, name: str, run_id: str) -> None:
    """Put mhi's link at out/name with one rename (replacing a dangling or foreign link)."""
    tmp = state / f"{_TMP}link-{run_id}-{name}"
    os.symlink(_link_target(name), tmp)
    if (out / name).is_dir() and not (out / name).is_symlink():
        tmp.unlink()
        raise FileExistsError(errno.EEXIST, "in the way", str(out / name))
    os.replace(tmp, out / name)


def _switch(state: Path, run_id: str) -> None:
    tmp = state / f"{_TMP}current-{run_id}"
    os.symlink(f"{_RUNS}/{run_id}", tmp)
    os.replace(tmp, state / _CURRENT)
    fsync_dir(state)


def _adopt(out: Path, state: Path, names: list[str], step: Callable[[], None]) -> None:
    """Bring plain output files (older mhi, or put there by hand) into the set, unchanged.

    Symlinks are not adopted: their target may lie outside the folder (a link of the user's
    at an output name is replaced when this run writes that name, and left alone otherwise).
    """
    plain = [n for n in dict.fromkeys(names) if _real_file(out / n)]
    if not plain:
        return
    run = current_run(out)
    run_id = _new_id()
    if run is None:
        build = state / f"{_TMP}{run_id}"
        build.mkdir()
        for name in plain:
            _link_or_copy(out / name, build / name)
        fsync_dir(build)
        (state / _RUNS).mkdir(exist_ok=True)
        os.rename(build, state / _RUNS / run_id)
        _switch(state, run_id)
        step()
    else:
        for name in plain:  # what the user sees now replaces the hidden copy
            tmp = state / f"{_TMP}adopt-{run_id}-{name}"
            _link_or_copy(out / name, tmp)
            os.replace(tmp, run / name)
        fsync_dir(run)
        step()
    for name in plain:  # each link shows the same content as the file it replaces
        _place_link(out, state, name, run_id)
        step()
    fsync_dir(out)


def _real_file(path: Path) -> bool:
    """A regular file, not a symlink (whose target may lie anywhere)."""
    return path.is_file() and not path.is_symlink()


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
        fsync_file(dst)


def _clean(out: Path, state: Path) -> None:
    """Remove leftovers: temporary entries, earlier runs, links to names not in the set."""
    run = current_run(out)
    for entry in state.iterdir():
        if entry.name.startswith(_TMP):
            _remove(entry)
    runs = state / _RUNS
    if runs.is_dir():
        for entry in runs.iterdir():
            if run is None or entry.name != run.name:
                _remove(entry)
    for entry in out.iterdir():
        name = _link_name(entry)
        if name is not None and not entry.exists():
            entry.unlink()
        elif _is_old_tmp(entry):
            entry.unlink()  # a temporary file of an earlier mhi, killed mid-write
    fsync_dir(out)


def _is_old_tmp(entry: Path) -> bool:
    """`.estimates.csv.<random>.tmp`, as written by mhi before output sets."""
    parts = entry.name.split(".")
    return (
        len(parts) == 5
        and parts[0] == ""
        and parts[1] in {"estimates", "contrasts", "summary"}
        and parts[2] in {"csv", "parquet"}
        and parts[4] == "tmp"
        and _real_file(entry)
    )


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
