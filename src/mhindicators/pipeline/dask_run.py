"""A survey dataset's partitions on a Dask cluster: statistics on the workers, merged here.

Partitions are Parquet row groups (runs of them of about `rows` rows, one file at a time) of a
file or of a hive-partitioned folder; other formats are one partition. Each worker reads its
partition in row batches and returns the merged `Totals` of its rows (cells x strata sums,
cells x PSU sums, cells x replicate sums: no rows); the client merges them as they arrive.
Workers open the same path the client resolved, so it must be reachable from every worker
(a shared file system); see docs/scale.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mhindicators.errors import UsageError
from mhindicators.issues import define, issue, quote
from mhindicators.pipeline.batches import arrow_frame, parquet_parts, row_batches
from mhindicators.pipeline.stream import (
    SurveyTask,
    Totals,
    merge_totals,
    survey_batch,
    with_shifts,
)

if TYPE_CHECKING:  # an optional extra: imported when a run asks for Dask
    from distributed import Client, LocalCluster

define(
    "MHI911",
    "dask-not-installed",
    "error",
    "`compute.scheduler` (or `--scheduler`) asks for Dask, which is not installed.",
    "Install the extra: pip install 'mhindicators[dask]'; or remove the scheduler setting.",
)
define(
    "MHI912",
    "dask-scheduler-unreachable",
    "error",
    "The Dask scheduler at the given address cannot be reached.",
    "Check the address (tcp://host:8786) and that the scheduler runs; or use 'local'.",
)


CONNECT_TIMEOUT = "10s"  # to reach a scheduler given by address


@dataclass(frozen=True)
class Partition:
    """A file (of a folder) and the row groups of it one worker reads (None: all rows)."""

    file: str
    row_groups: tuple[int, ...] | None = None


def partitions(path: Path, rows: int) -> list[Partition]:
    """Parquet: runs of row groups of at least `rows` rows, within each file; else one."""
    if not (path.is_dir() or path.suffix.lower() in (".parquet", ".pq")):
        return [Partition(str(path))]
    import pyarrow.parquet as pq

    out = []
    for file in parquet_parts(path):
        meta = pq.ParquetFile(file).metadata
        run, held = [], 0
        for g in range(meta.num_row_groups):
            run.append(g)
            held += meta.row_group(g).num_rows
            if held >= rows:
                out.append(Partition(str(file), tuple(run)))
                run, held = [], 0
        if run:
            out.append(Partition(str(file), tuple(run)))
    return out


def partition_totals(task: SurveyTask, path: str, part: Partition, rows: int) -> Totals | None:
    """The merged statistics of one partition's rows (runs on a worker)."""
    total = None
    for raw in partition_batches(Path(path), part, task, rows):
        total = merge_totals(total, survey_batch(task, raw))
    return total


def partition_batches(path: Path, part: Partition, task: SurveyTask, rows: int):
    """Row batches of one partition, typed as `batches.row_batches` gives them."""
    if part.row_groups is None:
        yield from row_batches(path, task.loaded.profile.format, task.columns, task.text, rows)
        return
    import pyarrow.dataset as ds

    hive = "hive" if path.is_dir() else None
    full = ds.dataset(path, format="parquet", partitioning=hive)
    frag = next(f for f in full.get_fragments() if f.path == part.file)
    sub = frag.subset(row_group_ids=list(part.row_groups))
    one = ds.FileSystemDataset([sub], full.schema, full.format, full.filesystem)
    for batch in one.to_batches(
        columns=task.columns, batch_size=rows, batch_readahead=0, fragment_readahead=0
    ):
        if batch.num_rows:
            yield arrow_frame(batch, task.text)


def dask_totals(task: SurveyTask, path: Path, rows: int, scheduler: str) -> Totals | None:
    """Every partition's statistics computed on the cluster `scheduler` ('local': a local
    cluster of worker processes for this run), merged on the client as they arrive."""
    parts = partitions(path, rows)
    first = next(iter(partition_batches(path, parts[0], task, rows)), None) if parts else None
    if first is None:
        return None
    task = with_shifts(task, survey_batch(task, first))  # every worker centres on these
    del first
    with _client(scheduler) as client:
        from distributed import as_completed

        shared = client.scatter(task, broadcast=True)
        futures = [client.submit(partition_totals, shared, str(path), p, rows) for p in parts]
        total = None
        for future in as_completed(futures):
            got = future.result()
            if got is not None:
                total = merge_totals(total, got)
            future.release()
    return total


class _client:
    """A Dask client for the run (and the local cluster it starts, if any), closed after."""

    def __init__(self, scheduler: str) -> None:
        self.scheduler = scheduler
        self.cluster: LocalCluster | None = None
        self.client: Client | None = None

    def __enter__(self):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            msg = "Dask is not installed (needed by the scheduler setting)"
            raise UsageError(msg, [issue("MHI911", msg)]) from None
        if self.scheduler == "local":
            self.cluster = LocalCluster(processes=True, dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(self.scheduler, timeout=CONNECT_TIMEOUT)
            except OSError as exc:
                msg = f"cannot reach the Dask scheduler {quote(self.scheduler)}"
                raise UsageError(msg, [issue("MHI912", f"{msg}: {type(exc).__name__}")]) from None
        return self.client

    def __exit__(self, *exc) -> None:
        assert self.client is not None  # __enter__ set it: __exit__ runs only when it returned
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
