"""`compute`: the datasets of a project x the catalogue -> one ResultTable (library entry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from mhindicators.definitions import Catalog, load_catalog
from mhindicators.errors import ProfileError, UsageError
from mhindicators.harmonization import projects
from mhindicators.harmonization.basis import indicator_basis, profile_bases
from mhindicators.issues import define, issue
from mhindicators.pipeline.datasets import check_kind, check_same_derivation, load_data
from mhindicators.pipeline.flags import flag_table, named_policy
from mhindicators.pipeline.labels import labelled, record_period
from mhindicators.pipeline.memory import out_of_memory
from mhindicators.pipeline.plan import Plan, plan_survey, within_bases
from mhindicators.pipeline.profile_design import build_design, design_columns, located_at_design
from mhindicators.pipeline.register_plan import plan_register
from mhindicators.pipeline.report import (
    SCALED,
    SCALED_CONTRAST,
    computed_row,
    finish,
    hash_in_background,
    meta_columns,
    record_inputs,
    record_warnings,
    skips,
    summary_table,
)
from mhindicators.pipeline.report import provenance as report_provenance
from mhindicators.pipeline.run_warnings import indicator_warnings, no_events
from mhindicators.pipeline.secondary import apply_secondary
from mhindicators.policy import table as policy_table
from mhindicators.profiles.harmonize import available_variables
from mhindicators.profiles.join import available_columns, record_joined
from mhindicators.profiles.loader import load_profile
from mhindicators.profiles.records import (
    check_event_types,
    recode_event_types,
)
from mhindicators.project import DatasetSpec, Project
from mhindicators.registry.indicators import RegistryInputs, compute_registry_indicator
from mhindicators.results import (
    CONTRAST_STATS,
    ID_COLUMNS,
    INEQUALITY_COLUMNS,
    STAT_COLUMNS,
    ResultTable,
    tidy,
)
from mhindicators.survey.indicators import compute_survey
from mhindicators.survey.inequality_table import registry_rows

Progress = Callable[[str], None]

define(
    "MHI336",
    "indicator-not-for-register",
    "error",
    "A dataset's `indicators:` list names an indicator its register cannot mean: the records "
    "are other events, or the denominator table counts something else.",
    "Remove the id from the dataset's `indicators:`, or point the dataset at the register "
    "(and denominator table) the indicator counts.",
)


def compute(
    project: Project,
    *,
    indicators: set[str] | None = None,
    progress: Progress | None = None,
    batch_rows: int | None = None,
    scheduler: str | None = None,
) -> ResultTable:
    """Every applicable indicator of the project's catalogue on each of its datasets.

    batch_rows, scheduler: override the project file's `compute:` settings (survey data read
    in row batches; partitions run on a Dask scheduler, or 'local'; docs/scale.md).
    Raises MhiError (with located issues) on invalid definitions, profiles or data; nothing
    is written here (see `write_results`).
    """
    say = progress or (lambda _msg: None)
    project = _with_settings(project, batch_rows, scheduler)
    model = project.model
    vocab = project.vocabulary()
    standards = project.standards()
    catalog = load_catalog(
        [project.resolve(p, "definitions", i) for i, p in enumerate(model.definitions)],
        vocab,
        standards,
    )
    if indicators and (unknown := sorted(indicators - set(catalog.indicators))):
        msg = "; ".join(_unknown_indicator(catalog, ident) for ident in unknown)
        raise UsageError(msg, [issue("MHI902", msg, hint="Run `mhi list` for the ids.")])
    check_dataset_indicators(project, catalog)
    projects.check_variant_countries(project, catalog)
    estimates, contrasts, summary, warnings, inequality = [], [], [], [], []
    provenance = report_provenance(project, catalog, standards)
    for i, spec in enumerate(model.datasets):
        say(f"dataset {spec.id}")
        run = _run_survey if spec.kind == "survey" else _run_registry
        only = _restrict(indicators, spec.indicators)
        est, con, summ, warn, ineq = run(
            project, spec, i, catalog, vocab, standards, only, provenance, say
        )
        inequality += ineq
        estimates += est
        contrasts += con
        summary += summ
        warnings += warn
    record_warnings(provenance, warnings)
    result = ResultTable(
        estimates=tidy(estimates, ID_COLUMNS + STAT_COLUMNS),
        contrasts=tidy(
            contrasts, ID_COLUMNS + ["dimension", "group", "reference"] + CONTRAST_STATS
        ),
        summary=summary_table(summary, catalog, indicators),
        provenance=provenance,
        warnings=warnings,
        inequality=tidy(inequality, INEQUALITY_COLUMNS),
    )
    result = labelled(result, catalog, vocab, _policies_used(project, catalog))
    rule = project.model.disclosure
    if rule.secondary == "milp" and result.legend is not None and len(result.estimates):
        say("secondary suppression")
        doc = project.doc
        line, col = doc.locate(("disclosure", "secondary")) if doc else (0, 0)
        est, legend, _report = apply_secondary(
            result.estimates,
            result.legend,
            rule.protection,
            rule.time_limit,
            (doc.path if doc else "", line, col),
        )
        result = replace(result, estimates=est, legend=legend)
    projects.check_unique_keys(project, result)
    if projects.is_multi_country(project, result):
        from mhindicators.harmonization.tables import multi_country_tables

        result.tables.update(multi_country_tables(project, catalog, result))
    return result


def _policies_used(project: Project, catalog: Catalog) -> list:
    """Every policy whose flags can appear: the project's defaults and the definitions' own."""
    rel = project.model.reliability
    names = [*rel.survey, *rel.registry, *(i.reliability for i in catalog if i.reliability)]
    return [named_policy(n) for n in dict.fromkeys(names)]


def _unknown_indicator(catalog: Catalog, ident: str) -> str:
    try:
        catalog.get(ident)
    except KeyError as exc:
        return str(exc.args[0])
    return ident


def check_dataset_indicators(project: Project, catalog: Catalog) -> None:
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


def _refuse_listed(project: Project, index: int, spec: DatasetSpec, plan: Plan) -> None:
    """A listed indicator the register cannot mean is a located project error (MHI336)."""
    listed = spec.indicators or []
    problems = []
    for skip in plan.skipped:
        if skip.mismatch and skip.indicator_id in listed:
            j = listed.index(skip.indicator_id)
            where = ("datasets", index, "indicators", j)
            line, col = project.doc.locate(where) if project.doc else (0, 0)
            file = project.doc.path if project.doc else ""
            msg = f"dataset {spec.id}: {skip.indicator_id} cannot run here: {skip.reason}"
            problems.append(issue("MHI336", msg, file, line, col))
    if problems:
        raise ProfileError("indicators listed on a register that cannot mean them", problems)


def _restrict(requested: set[str] | None, listed: list[str] | None) -> set[str] | None:
    """Indicators to run on one dataset: the request, within the dataset's own list."""
    if listed is None:
        return requested
    return set(listed) if requested is None else requested & set(listed)


def _run_survey(
    project, spec: DatasetSpec, index, catalog, vocab, standards, only, provenance, say
):
    loaded = load_profile(project.resolve(spec.profile, "datasets", index, "profile"), vocab)
    check_kind(loaded, ("survey",), f"survey dataset '{spec.id}'")
    country = projects.dataset_country(project, spec, index, loaded)
    only = projects.for_country(catalog, country, only, spec.indicators)
    plan = plan_survey(catalog, spec.id, available_variables(loaded, vocab), only)
    plan = within_bases(plan, catalog, profile_bases(loaded))
    summary = skips(plan)
    if not plan.items:
        return [], [], summary, [], []
    path = project.resolve(spec.path, "datasets", index, "path")
    digest = hash_in_background(path)
    results = _survey_results(project, spec, loaded, path, plan, vocab, standards, catalog, say)
    record_inputs(provenance, spec.id, path, loaded.path, digest)
    record_joined(provenance, spec.id, loaded, project.root)
    record_period(provenance, spec.id, loaded.profile.metadata)
    tables = _survey_tables(project, spec, loaded, path, results, summary)
    estimates, contrasts, warnings, inequality = tables
    return estimates, contrasts, summary, warnings, inequality


def _survey_results(project, spec, loaded, path, plan, vocab, standards, catalog, say):
    """Every planned indicator's SurveyResult: all rows at once, in row batches, or on Dask."""
    settings = _settings(project)
    inds = [it.indicator for it in plan.items]
    wanted = set().union(*(item.variables for item in plan.items))
    available = available_columns(path, loaded, project.root)
    with located_at_design(loaded, "design", path):
        needed = design_columns(loaded.profile, available)
    level, default_ci = project.model.confidence_level, project.model.ci_method
    tell = lambda msg: say(f"{spec.id}: {msg}")  # noqa: E731
    try:
        if settings.scheduler or settings.batch_rows:
            from mhindicators.pipeline.run import survey_in_batches

            with located_at_design(loaded, "design", path):
                return survey_in_batches(
                    loaded, vocab, inds, wanted, needed, available, path, settings,
                    catalog.paths, (level, default_ci, standards), tell,
                )  # fmt: skip
        data = load_data(path, loaded, wanted, vocab, needed, root=project.root)
        say(f"{spec.id}: {len(data.frame):,} rows, {len(plan.items)} indicators")
        with located_at_design(loaded, "design", path):
            design = build_design(data.raw, loaded.profile, available, consume=True)
            frame = data.frame
            del data
            return compute_survey(
                inds, frame, design, vocab, level, default_ci, standards, progress=tell
            )
    except MemoryError:
        raise out_of_memory(path, loaded, len(wanted) + len(needed)) from None


def _settings(project):
    """The run's compute settings (the project file's, with the call's overrides)."""
    return project.model.compute


def _with_settings(project: Project, batch_rows: int | None, scheduler: str | None) -> Project:
    """`project` with `compute:` settings given by the caller (None: the file's)."""
    updates = {"batch_rows": batch_rows, "scheduler": scheduler}
    updates = {k: v for k, v in updates.items() if v is not None}
    if not updates:
        return project
    settings = project.model.compute.model_copy(update=updates)
    return replace(project, model=project.model.model_copy(update={"compute": settings}))


def _survey_tables(project, spec, loaded, path, results, summary):
    """Flagged estimate and contrast tables of a survey dataset, and its warnings; adds each
    computed indicator's row to `summary`."""
    meta = meta_columns(spec.id, loaded.profile.metadata)
    estimates, contrasts, warnings, inequality = [], [], [], []
    for res in results:
        ind = res.indicator
        found = indicator_warnings(
            ind, spec.id, path, res.n_universe, res.n_missing_outcome, res.table
        )
        warnings += found
        meta["migratory_basis"] = indicator_basis(ind)
        table = flag_table(res.table, ind, project.model.reliability.survey)
        table["unknown_migratory_share"] = res.unknown_share
        estimates.append(finish(table, ind, meta))
        if len(res.contrasts):
            contrasts.append(finish(res.contrasts, ind, meta, scale_cols=SCALED_CONTRAST))
        if len(res.inequality):  # already in the indicator's unit
            inequality.append(finish(res.inequality, ind, meta, scale_cols=()))
        summary.append(
            computed_row(
                ind,
                spec.id,
                res.n_universe,
                res.n_missing_outcome,
                res.unknown_share,
                res.n_excluded_age,
                found,
            )
        )
    return estimates, contrasts, warnings, inequality


def _run_registry(
    project, spec: DatasetSpec, index, catalog, vocab, standards, only, provenance, say
):
    assert spec.events is not None  # the project model requires events for a registry
    ev_prof = load_profile(
        project.resolve(spec.events.profile, "datasets", index, "events", "profile"), vocab
    )
    check_kind(ev_prof, ("events",), f"events of registry '{spec.id}'")
    country = projects.dataset_country(project, spec, index, ev_prof)
    only = projects.for_country(catalog, country, only, spec.indicators)
    den_prof = None
    if spec.denominator is not None:
        den_prof = load_profile(
            project.resolve(spec.denominator.profile, "datasets", index, "denominator", "profile"),
            vocab,
        )
        check_kind(den_prof, ("denominator",), f"denominator of registry '{spec.id}'")
    planned = plan_register(catalog, spec.id, ev_prof, den_prof, vocab, only)
    plan, types = planned.plan, planned.types
    ev_vars, den_vars = planned.events_variables, planned.denominator_variables
    _refuse_listed(project, index, spec, plan)
    summary = skips(plan)
    if not plan.items:
        return [], [], summary, [], []
    ev_path = project.resolve(spec.events.path, "datasets", index, "events", "path")
    ev_digest = hash_in_background(ev_path)
    ev_wanted = set().union(*(it.variables & ev_vars for it in plan.items))
    mapped = "event_type" in ev_prof.profile.columns
    if mapped and recode_event_types(ev_prof.profile) is None:
        ev_wanted.add("event_type")  # raw codes: check them against the declaration
    if "year" in ev_vars:
        ev_wanted.add("year")  # the years the events cover: the table's reference period
    if spec.kind == "policy":  # one record per country and period, checked before counting
        ev_wanted |= {k for k in policy_table.KEY_VARIABLES if k in ev_prof.profile.columns}
    events = load_data(ev_path, ev_prof, ev_wanted, vocab, root=project.root, allow_empty=True)
    events = events.frame
    if spec.kind == "policy":
        policy_table.check_unique_countries(events, str(ev_path), ev_prof.profile.columns)
    empty = [no_events(spec.id, ev_path)] if len(events) == 0 else []
    years = pd.to_numeric(events["year"], errors="coerce") if "year" in events else None
    record_period(provenance, spec.id, ev_prof.profile.metadata, years)
    if den_prof is not None:
        provenance[f"dataset.{spec.id}.denominator_type"] = planned.denominator_type or ""
    if mapped and "event_type" in events:
        check_event_types(events["event_type"], ev_prof, ev_path.name)
    elif "event_type" in ev_wanted:
        zeros = np.zeros(len(events), dtype=np.int8)
        events["event_type"] = pd.Categorical.from_codes(zeros, categories=sorted(types))
    record_inputs(provenance, spec.id + ".events", ev_path, ev_prof.path, ev_digest)
    record_joined(provenance, spec.id + ".events", ev_prof, project.root)
    den, den_path = pd.DataFrame(), None
    if den_prof is not None and spec.denominator is not None:
        den_path = project.resolve(spec.denominator.path, "datasets", index, "denominator", "path")
        den_wanted = set().union(*(it.variables & den_vars for it in plan.items))
        check_same_derivation(ev_prof, den_prof, den_wanted & ev_wanted)
        den = load_data(den_path, den_prof, den_wanted, vocab, root=project.root).frame
        record_inputs(provenance, spec.id + ".denominator", den_path, den_prof.path)
        record_joined(provenance, spec.id + ".denominator", den_prof, project.root)
    say(f"{spec.id}: {len(events):,} events, {len(plan.items)} indicators")
    inputs = RegistryInputs(events, den, ev_prof.path, den_prof.path if den_prof else "", standards)
    meta = meta_columns(spec.id, ev_prof.profile.metadata)
    estimates, contrasts, warnings, inequality = [], [], list(empty), []
    for i, item in enumerate(plan.items, start=1):
        ind = item.indicator
        meta["migratory_basis"] = indicator_basis(ind)
        say(f"{spec.id}: indicator {i} of {len(plan.items)}: {ind.id}")
        on = inputs
        if item.event_types is not None:  # a register of several types: the counted ones
            keep = events["event_type"].isin(sorted(item.event_types)).to_numpy()
            on = replace(inputs, events=events[keep].reset_index(drop=True))
        res = compute_registry_indicator(ind, on, vocab, project.model.confidence_level)
        found = empty + indicator_warnings(
            ind,
            spec.id,
            ev_path,
            res.n_universe,
            res.n_missing_outcome,
            res.table,
            registry=True,
            denominator_path=den_path,
        )
        warnings += found[len(empty) :]
        if spec.kind == "policy":
            table = policy_table.census_counts(res.table).assign(flags="")
        else:
            table = flag_table(res.table, ind, project.model.reliability.registry)
        table["unknown_migratory_share"] = res.unknown_share
        scaled = SCALED if ind.estimator == "proportion" else ()  # rates come scaled
        estimates.append(finish(table, ind, meta, scale_cols=scaled))
        if spec.kind != "policy" and ind.estimator != "count":
            scale = ind.effective_multiplier if scaled else 1.0
            ineq = registry_rows(ind, res.table, project.model.confidence_level, scale)
            if len(ineq):
                inequality.append(finish(ineq, ind, meta, scale_cols=()))
        if len(res.contrasts):
            con_scaled = SCALED_CONTRAST if ind.estimator == "proportion" else ()
            contrasts.append(finish(res.contrasts, ind, meta, scale_cols=con_scaled))
        summary.append(
            computed_row(
                ind,
                spec.id,
                res.n_universe,
                res.n_missing_outcome,
                res.unknown_share,
                res.n_excluded_age,
                found,
            )
        )
    return estimates, contrasts, summary, warnings, inequality
