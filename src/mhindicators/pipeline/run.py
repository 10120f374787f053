"""Survey datasets in row batches, in this process or on Dask: from files to SurveyResults."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from mhindicators.errors import DataError
from mhindicators.issues import issue, quote
from mhindicators.pipeline.batches import row_batches
from mhindicators.pipeline.datasets import needed_columns
from mhindicators.pipeline.stream import (
    SurveyTask,
    Totals,
    check_streamable,
    finish_totals,
    merge_totals,
    survey_batch,
    with_shifts,
)
from mhindicators.readers.sniff import no_rows
from mhindicators.survey.indicators import SurveyResult

DEFAULT_BATCH_ROWS = 1_000_000  # on Dask without `batch_rows`: rows per batch on a worker


def survey_in_batches(
    loaded,
    vocab,
    inds,
    wanted: set[str],
    design_raw: list[str],
    available: list[str],
    path: Path,
    settings,
    files: Mapping[str, Path],
    finish: tuple,
    say: Callable[[str], None],
) -> list[SurveyResult]:
    """Every indicator of `inds` on `path` read in `settings.batch_rows`-row batches, or on
    the Dask cluster `settings.scheduler`; `finish` = (confidence level, default CI method,
    standard populations)."""
    columns, text = needed_columns(path, loaded, wanted, vocab, design_raw, available)
    task = SurveyTask(loaded, vocab, list(inds), set(wanted), columns, text, list(available))
    check_streamable(task, path, files)
    rows = settings.batch_rows or DEFAULT_BATCH_ROWS
    if settings.scheduler:
        from mhindicators.pipeline.dask_run import dask_totals

        say(f"{len(inds)} indicators on Dask ({settings.scheduler})")
        total = dask_totals(task, path, rows, settings.scheduler)
    else:
        total = None
        for raw in row_batches(path, loaded.profile.format, columns, text, rows):
            part = survey_batch(task, raw)
            task = with_shifts(task, part)
            total = merge_totals(total, part)
            say(f"{total.rows:,} rows, {len(inds)} indicators")
    check_totals(total, path, loaded)
    assert total is not None
    return finish_totals(task, total, *finish)


def check_totals(total: Totals | None, path: Path, loaded) -> None:
    """MHI375 for a file without rows, MHI376 when every weight is 0."""
    if total is None or total.rows == 0:
        raise no_rows(path)
    if total.nonzero_weights == 0:
        weight = loaded.profile.design.weight
        msg = f"weight column {quote(weight)}: all {total.rows:,} weights are 0"
        raise DataError(msg, [issue("MHI376", msg)])


__all__ = ["check_totals", "survey_in_batches"]
