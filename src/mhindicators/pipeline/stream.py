"""Survey estimation over row batches: each batch harmonised, measured, encoded and reduced to
sufficient statistics on its own keys; the parts merged by key union; finalised once.

Peak memory is one batch (its raw and canonical columns) plus the statistics (cells x strata,
cells x PSUs, cells x replicates), whatever the number of rows. `survey_batch` is the whole
per-batch step and is what a Dask worker runs on each partition (pipeline/dask_run.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from mhindicators.core.design import ReplicateSpec, SurveyDesign
from mhindicators.core.replicate_columns import ReplicateColumns
from mhindicators.definitions import Indicator
from mhindicators.errors import DataError, EstimationError
from mhindicators.frame.domains import Cells, all_domains
from mhindicators.frame.measures import unknown_sums
from mhindicators.issues import define, issue, quote
from mhindicators.pipeline.keyed import GroupPart, merge_parts
from mhindicators.pipeline.profile_design import _columns, replicate_columns, sorted_codes
from mhindicators.profiles.harmonize import harmonize
from mhindicators.profiles.loader import LoadedProfile
from mhindicators.survey.indicators import (
    DISTRIBUTION,
    SurveyResult,
    accumulate_group,
    finish_column,
    survey_groups,
)
from mhindicators.vocabulary import Vocabulary

define(
    "MHI381",
    "needs-all-rows",
    "error",
    "An indicator's estimator (quantile, below a line relative to a quantile, Gini, quintile "
    "share ratio) needs every row at once, and the dataset is computed in row batches.",
    "Compute the dataset without row batches (`compute.batch_rows: 0`, no `--batch-rows`), "
    "or leave the indicator out of this run (`--indicator`, or the dataset's `indicators:`).",
)
define(
    "MHI382",
    "no-streaming-join",
    "error",
    "A profile that joins other files (`join:`) cannot be read in row batches.",
    "Compute the dataset without row batches, or join the files into one extract first.",
)

NEST_SEP = "\x1f"  # between the stratum label and the PSU id of a nested PSU key


@dataclass
class SurveyTask:
    """Everything a batch needs (picklable: Dask sends it to the workers once)."""

    loaded: LoadedProfile
    vocab: Vocabulary
    indicators: list[Indicator]
    wanted: set[str]
    columns: list[str]  # raw columns read
    text: list[str]  # raw columns read as text codes
    available: list[str]
    shifts: dict[tuple, np.ndarray] | None = None  # per group: the first batch's shifts


@dataclass
class Totals:
    """Per-dataset parts: statistics per cross-classification, rows and non-zero weights."""

    parts: dict[tuple, GroupPart]
    rows: int = 0
    nonzero_weights: int = 0


def check_streamable(task: SurveyTask, path: Path, files: Mapping[str, Path]) -> None:
    """MHI381 for indicators that need all rows (at their definition file, from `files`),
    MHI382 for joined profiles."""
    if task.loaded.profile.join:
        file, line, col = task.loaded.where("join")
        msg = f"{path.name}: a profile with `join:` cannot be read in row batches"
        raise DataError(msg, [issue("MHI382", msg, file, line, col)])
    refused = [i for i in task.indicators if i.estimator in DISTRIBUTION]
    if refused:
        problems = [
            issue(
                "MHI381",
                f"{quote(i.id)} ({i.estimator}) needs all rows of {path.name} at once; "
                "it cannot be computed in row batches",
                str(files.get(i.id, "")),
            )
            for i in refused
        ]
        raise EstimationError("indicators that need all rows, in row batches", problems)


def survey_batch(task: SurveyTask, raw: pd.DataFrame) -> Totals:
    """The statistics of one batch of raw rows (every group of indicators)."""
    frame = harmonize(raw, task.loaded, task.wanted, task.vocab)
    design, strata, psus = batch_design(raw, task.loaded, task.available)
    del raw
    parts = {}
    for key, inds in survey_groups(task.indicators).items():
        shifts = None if task.shifts is None else task.shifts[key]
        g = accumulate_group(frame, design, key[0], key[1], inds, task.vocab, shifts=shifts)
        counts = np.asarray(
            [
                (m.n_universe, m.n_missing_outcome, np.count_nonzero(m.keep & ~g.in_band))
                for m in g.measures
            ],
            dtype=np.int64,
        ).reshape(len(inds), 3)
        unknown = np.asarray(
            [
                unknown_sums(g.work, m.keep & g.in_band, ind, design.weights)
                for ind, m in zip(inds, g.measures, strict=True)
            ]
        ).reshape(len(inds), 2)
        parts[key] = GroupPart(
            g.stats, g.cells.levels, strata, psus, counts[:, 0], counts[:, 1], counts[:, 2], unknown
        )
    return Totals(parts, design.n, int(np.count_nonzero(design.weights)))


def merge_totals(a: Totals | None, b: Totals) -> Totals:
    """The totals of both (None: nothing yet)."""
    if a is None:
        return b
    parts = {k: merge_parts(a.parts[k], b.parts[k]) for k in a.parts}
    return Totals(parts, a.rows + b.rows, a.nonzero_weights + b.nonzero_weights)


def stream_totals(task: SurveyTask, batches: Iterable[pd.DataFrame]) -> Totals | None:
    """Merge the statistics of every batch (None when there were no rows); the first batch
    fixes the shifts of the later ones (`with_shifts`)."""
    total = None
    for raw in batches:
        part = survey_batch(task, raw)
        task = with_shifts(task, part)
        total = merge_totals(total, part)
    return total


def with_shifts(task: SurveyTask, first: Totals) -> SurveyTask:
    """`task` with the shifts of `first` batch's columns, unless it has shifts already: every
    batch centres its variance sums on the same values, so the sums add exactly."""
    if task.shifts is not None:
        return task
    return replace(task, shifts={k: p.stats.shift.copy() for k, p in first.parts.items()})


def finish_totals(
    task: SurveyTask,
    total: Totals,
    conf_level: float,
    default_ci: str,
    standards: Mapping[str, Path] | None = None,
) -> list[SurveyResult]:
    """Domain tables and contrasts of every indicator from the merged statistics."""
    results = []
    for (dims, _bands), inds in survey_groups(task.indicators).items():
        part = total.parts[(dims, _bands)]
        doms = all_domains(Cells(dims, part.levels, np.zeros(0, dtype=np.int64)))
        for j, ind in enumerate(inds):
            table, contrasts, ineq = finish_column(
                ind, j, part.stats, doms, conf_level, default_ci, standards
            )
            part_u, all_u = part.unknown[j]
            share = float(part_u / all_u) if all_u > 0 else float("nan")
            n = (int(part.n_universe[j]), int(part.n_missing[j]))
            results.append(
                SurveyResult(ind, table, contrasts, *n, share, int(part.n_excluded_age[j]), ineq)
            )
    return results


def batch_design(
    raw: pd.DataFrame, loaded: LoadedProfile, available: list[str]
) -> tuple[SurveyDesign, np.ndarray, np.ndarray]:
    """The design of one batch on its own codes, with the stratum label of each stratum code
    and the key of each PSU code (global across batches; `keyed.merge_parts` unions them)."""
    d = loaded.profile.design
    assert d is not None
    for column in (d.strata, d.psu):
        if column and (n_missing := int(raw[column].isna().sum())):
            msg = f"design column {column}: {n_missing} row(s) have no value"
            raise DataError(msg, [issue("MHI364", msg)])
    strata = None
    labels = np.asarray([""], dtype=object)
    if d.strata:
        strata, uniques = sorted_codes(raw[d.strata])
        labels = np.asarray([key_text(u) for u in uniques], dtype=object)
    psu, psus = None, np.zeros(0, dtype=object)
    if d.psu:
        codes, uniques = pd.factorize(raw[d.psu], sort=not (d.nest and strata is not None))
        ids = np.asarray([key_text(u) for u in uniques], dtype=object)
        if d.nest and strata is not None:
            psu, pairs = pd.factorize(strata.astype(np.int64) * len(uniques) + codes)
            psus = labels[pairs // len(uniques)] + NEST_SEP + ids[pairs % len(uniques)]
        else:
            psu, psus = codes, ids
    (weights,) = _columns(raw, [d.weight], f"weight column {quote(d.weight)}", "MHI360")
    fpc = _columns(raw, [d.fpc], "fpc", "MHI362")[0] if d.fpc else None
    replicates = None
    if d.replicates is not None:
        r = d.replicates
        names = replicate_columns(loaded.profile, available)
        rep = _columns(raw, names, "replicate weights", "MHI360")
        rscales = None if r.rscales is None else np.asarray(r.rscales)
        replicates = ReplicateSpec(
            ReplicateColumns(rep), r.type, r.scale, rscales, r.mse, r.rho, r.df
        )
    design = SurveyDesign(
        weights, strata, psu, fpc, d.lonely_psu, replicates, strata_labels=list(labels)
    )
    return design, labels, psus


def key_text(value: object) -> str:
    """A stratum or PSU id as text, the same whichever type a batch read it as (3, 3.0, '3')."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, np.generic):
        return str(value.item())
    return str(value)
