"""`compute`: the datasets of a project x the catalogue -> one ResultTable (library entry)."""

from __future__ import annotations

import platform
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

import mhindicators
from mhindicators.definitions import Catalog, Indicator, load_catalog
from mhindicators.engine.datasets import check_kind, check_same_derivation, load_data
from mhindicators.engine.flags import flag_table
from mhindicators.engine.plan import Plan, plan_registry, plan_survey
from mhindicators.engine.registry import RegistryInputs, compute_registry_indicator
from mhindicators.engine.survey import build_design, compute_survey, design_columns
from mhindicators.errors import MhiError, ProfileError
from mhindicators.issues import Issue, issue, with_location
from mhindicators.profiles.harmonize import available_variables
from mhindicators.profiles.loader import load_profile
from mhindicators.project import DatasetSpec, Project
from mhindicators.results import (
    CONTRAST_STATS,
    ID_COLUMNS,
    STAT_COLUMNS,
    ResultTable,
    sha256_file,
    tidy,
)
from mhindicators.vocabulary import Vocabulary, default_vocabulary

Progress = Callable[[str], None]


def compute(
    project: Project,
    *,
    indicators: set[str] | None = None,
    progress: Progress | None = None,
) -> ResultTable:
    """Every applicable indicator of the project's catalogue on each of its datasets.

    Raises MhiError (with located issues) on invalid definitions, profiles or data; nothing
    is written here (see `write_results`).
    """
    say = progress or (lambda _msg: None)
    model = project.model
    vocab = _vocabulary(project)
    catalog = load_catalog(
        [project.resolve(p, "definitions", i) for i, p in enumerate(model.definitions)], vocab
    )
    if indicators:
        unknown = sorted(indicators - set(catalog.indicators))
        if unknown:
            catalog.get(unknown[0])  # raises KeyError with did-you-mean
    _check_dataset_indicators(project, catalog)
    estimates, contrasts, summary = [], [], []
    provenance = _provenance(project, catalog)
    for i, spec in enumerate(model.datasets):
        say(f"dataset {spec.id}")
        run = _run_survey if spec.kind == "survey" else _run_registry
        only = _restrict(indicators, spec.indicators)
        est, con, summ = run(project, spec, i, catalog, vocab, only, provenance, say)
        estimates += est
        contrasts += con
        summary += summ
    return ResultTable(
        estimates=tidy(estimates, ID_COLUMNS + STAT_COLUMNS),
        contrasts=tidy(
            contrasts, ID_COLUMNS + ["dimension", "group", "reference"] + CONTRAST_STATS
        ),
        summary=_summary(summary, catalog, indicators),
        provenance=provenance,
    )


def _check_dataset_indicators(project: Project, catalog: Catalog) -> None:
    """Every id listed under a dataset's `indicators:` must be in the catalogue (MHI326)."""
    problems = []
    for i, spec in enumerate(project.model.datasets):
        for j, ident in enumerate(spec.indicators or []):
            if ident not in catalog:
                line, col = (
                    project.doc.locate(("datasets", i, "indicators", j)) if project.doc else (0, 0)
                )
                file = project.doc.path if project.doc else ""
                problems.append(
                    issue(
                        "MHI326",
                        f"dataset {spec.id}: no indicator '{ident}' in the catalogue",
                        file,
                        line,
                        col,
                    )
                )
    if problems:
        raise ProfileError("unknown indicators in the project file", problems)


@contextmanager
def _located_at(loaded, key: str, data_path: Path) -> Iterator[None]:
    """Design and estimation errors name the data file and point at the profile's `design:`."""
    try:
        yield
    except MhiError as exc:
        file, line, col = loaded.where(key)
        items = [
            Issue(
                i.code,
                f"{data_path.name}: {i.message}",
                i.file,
                i.line,
                i.col,
                i.hint,
                i.severity,
                i.name,
            )
            for i in exc.issues
        ]
        exc.issues = with_location(items, file, line, col)
        raise


def _restrict(requested: set[str] | None, listed: list[str] | None) -> set[str] | None:
    """Indicators to run on one dataset: the request, within the dataset's own list."""
    if listed is None:
        return requested
    return set(listed) if requested is None else requested & set(listed)


def _vocabulary(project: Project) -> Vocabulary:
    vocab = default_vocabulary()
    for i, extra in enumerate(project.model.vocabulary):
        vocab = vocab.extended(project.resolve(extra, "vocabulary", i))
    return vocab


def _run_survey(project, spec: DatasetSpec, index, catalog, vocab, only, provenance, say):
    loaded = load_profile(project.resolve(spec.profile, "datasets", index, "profile"), vocab)
    check_kind(loaded, ("survey",), f"survey dataset '{spec.id}'")
    plan = plan_survey(catalog, spec.id, available_variables(loaded, vocab), only)
    summary = _skips(plan)
    if not plan.items:
        return [], [], summary
    path = project.resolve(spec.path, "datasets", index, "path")
    wanted = set().union(*(item.variables for item in plan.items))
    from mhindicators.readers import read_columns

    available = read_columns(path, loaded.profile.format)
    data = load_data(path, loaded, wanted, vocab, design_columns(loaded.profile, available))
    _record_inputs(provenance, spec.id, path, loaded.path)
    say(f"{spec.id}: {len(data.frame):,} rows, {len(plan.items)} indicators")
    with _located_at(loaded, "design", path):
        design = build_design(data.raw, loaded.profile, available)
    with _located_at(loaded, "design", path):
        results = compute_survey(
            [it.indicator for it in plan.items],
            data.frame,
            design,
            vocab,
            project.model.confidence_level,
            project.model.ci_method,
        )
    meta = _meta(spec.id, loaded.profile.metadata)
    estimates, contrasts = [], []
    for res in results:
        ind = res.indicator
        table = flag_table(res.table, ind, project.model.reliability.survey)
        table["unknown_migratory_share"] = res.unknown_share
        estimates.append(_finish(table, ind, meta))
        if len(res.contrasts):
            contrasts.append(_finish(res.contrasts, ind, meta, scale_cols=_SCALED_CONTRAST))
        summary.append(
            _computed(
                ind,
                spec.id,
                res.measure.n_universe,
                res.measure.n_missing_outcome,
                res.unknown_share,
            )
        )
    return estimates, contrasts, summary


def _run_registry(project, spec: DatasetSpec, index, catalog, vocab, only, provenance, say):
    ev_prof = load_profile(
        project.resolve(spec.events.profile, "datasets", index, "events", "profile"), vocab
    )
    check_kind(ev_prof, ("events",), f"events of registry '{spec.id}'")
    ev_vars = available_variables(ev_prof, vocab)
    den_prof, den_vars = None, set()
    if spec.denominator is not None:
        den_prof = load_profile(
            project.resolve(spec.denominator.profile, "datasets", index, "denominator", "profile"),
            vocab,
        )
        check_kind(den_prof, ("denominator",), f"denominator of registry '{spec.id}'")
        den_vars = available_variables(den_prof, vocab)
    plan = plan_registry(
        catalog, spec.id, ev_vars, den_vars, only, has_denominator=den_prof is not None
    )
    summary = _skips(plan)
    if not plan.items:
        return [], [], summary
    ev_path = project.resolve(spec.events.path, "datasets", index, "events", "path")
    ev_wanted = set().union(*(it.variables & ev_vars for it in plan.items))
    events = load_data(ev_path, ev_prof, ev_wanted, vocab).frame
    _record_inputs(provenance, spec.id + ".events", ev_path, ev_prof.path)
    den = pd.DataFrame()
    if den_prof is not None and spec.denominator is not None:
        den_path = project.resolve(spec.denominator.path, "datasets", index, "denominator", "path")
        den_wanted = set().union(*(it.variables & den_vars for it in plan.items))
        check_same_derivation(ev_prof, den_prof, den_wanted & ev_wanted)
        den = load_data(den_path, den_prof, den_wanted, vocab).frame
        _record_inputs(provenance, spec.id + ".denominator", den_path, den_prof.path)
    say(f"{spec.id}: {len(events):,} events, {len(plan.items)} indicators")
    inputs = RegistryInputs(events, den, ev_prof.path, den_prof.path if den_prof else "")
    meta = _meta(spec.id, ev_prof.profile.metadata)
    estimates, contrasts = [], []
    for item in plan.items:
        ind = item.indicator
        table, con = compute_registry_indicator(ind, inputs, vocab, project.model.confidence_level)
        table = flag_table(table, ind, project.model.reliability.registry)
        table["unknown_migratory_share"] = _registry_unknown(events, ind)
        scaled = _SCALED if ind.estimator == "proportion" else ()  # rates come scaled
        estimates.append(_finish(table, ind, meta, scale_cols=scaled))
        if len(con):
            contrasts.append(_finish(con, ind, meta, scale_cols=()))
        summary.append(_computed(ind, spec.id, len(events), 0, float("nan")))
    return estimates, contrasts, summary


_SCALED = ("estimate", "se", "ci_lower", "ci_upper")
_SCALED_CONTRAST = (
    "estimate",
    "reference_estimate",
    "difference",
    "difference_se",
    "difference_ci_lower",
    "difference_ci_upper",
)


def _finish(table: pd.DataFrame, ind: Indicator, meta: dict, scale_cols=_SCALED) -> pd.DataFrame:
    """Add identification columns and express estimates in the indicator's unit."""
    out = table.copy()
    mult = ind.effective_multiplier
    for col in scale_cols:
        if col in out.columns:
            out[col] = out[col] * mult
    ident = {
        **meta,
        "indicator_id": ind.id,
        "indicator_version": ind.version,
        "source": ind.source,
        "estimator": ind.estimator,
        "unit": ind.unit,
    }
    return out.assign(**ident)


def _meta(dataset_id: str, metadata) -> dict:
    return {"dataset": dataset_id, "country": metadata.country, "year": metadata.year}


def _registry_unknown(events: pd.DataFrame, ind: Indicator) -> float:
    dim = next(
        (d for d in ind.disaggregate_by if d in events.columns and d != "sex" and d != "age_group"),
        None,
    )
    if dim is None:
        return float("nan")
    return (
        float((events[dim].astype("object") == "unknown").mean()) if len(events) else float("nan")
    )


def _skips(plan: Plan) -> list[dict]:
    return [
        {
            "indicator_id": s.indicator_id,
            "dataset": s.dataset_id,
            "status": "skipped",
            "reason": s.reason,
        }
        for s in plan.skipped
    ]


def _computed(ind: Indicator, dataset: str, n_universe: int, n_missing: int, share: float) -> dict:
    return {
        "indicator_id": ind.id,
        "dataset": dataset,
        "status": "computed",
        "reason": "",
        "n_universe": n_universe,
        "n_missing_outcome": n_missing,
        "unknown_migratory_share": share,
    }


def _summary(rows: list[dict], catalog: Catalog, only: set[str] | None) -> pd.DataFrame:
    computed = {r["indicator_id"] for r in rows if r["status"] == "computed"}
    listed = {r["indicator_id"] for r in rows}
    for ind in catalog:
        if ind.id not in listed and (only is None or ind.id in only):
            rows.append(
                {
                    "indicator_id": ind.id,
                    "dataset": "",
                    "status": "skipped",
                    "reason": f"no {ind.source} dataset of the project provides it",
                }
            )
    frame = pd.DataFrame(
        rows,
        columns=[
            "indicator_id",
            "dataset",
            "status",
            "reason",
            "n_universe",
            "n_missing_outcome",
            "unknown_migratory_share",
        ],
    )
    # a skip is only news when no dataset computed the indicator
    keep = (frame["status"] == "computed") | ~frame["indicator_id"].isin(computed)
    return frame[keep].sort_values(["status", "indicator_id", "dataset"]).reset_index(drop=True)


def _record_inputs(provenance: dict, key: str, data_path: Path, profile_path: str) -> None:
    provenance[f"input.{key}.sha256"] = sha256_file(data_path)
    provenance[f"input.{key}.file"] = data_path.name
    provenance[f"profile.{key}.sha256"] = sha256_file(profile_path)


def _provenance(project: Project, catalog: Catalog) -> dict[str, str]:
    out = {
        "tool": "mhi",
        "tool_version": mhindicators.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "confidence_level": str(project.model.confidence_level),
    }
    if project.doc is not None:
        out["project.sha256"] = sha256_file(project.doc.path)
    for ident, path in sorted(catalog.paths.items()):
        out[f"definition.{ident}.sha256"] = sha256_file(path)
    return out
