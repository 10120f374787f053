"""The harmonization matrix: reference indicators x countries, each cell computed as the
reference definition, as a national variant (with its deviation kinds), or not computable
(with the missing variable or basis). Planned from the profiles alone; no data is read."""

from __future__ import annotations

import pandas as pd

from mhindicators.definitions import load_catalog
from mhindicators.harmonization import projects
from mhindicators.harmonization.basis import profile_bases
from mhindicators.harmonization.comparability import deviation_kinds, reference_id
from mhindicators.pipeline.datasets import check_kind
from mhindicators.pipeline.plan import plan_survey, within_bases
from mhindicators.pipeline.register_plan import plan_register
from mhindicators.profiles.harmonize import available_variables
from mhindicators.profiles.loader import load_profile

COLUMNS = [
    "reference_indicator_id",
    "country",
    "status",
    "dataset",
    "variant_id",
    "deviations",
    "reason",
]
_RANK = {"reference": 0, "variant": 1, "not_computable": 2}


def _plan(project, spec, index, catalog, vocab):
    """The dataset's plan (as `compute` makes it) and its country."""
    if spec.kind == "survey":
        loaded = load_profile(project.resolve(spec.profile, "datasets", index, "profile"), vocab)
        check_kind(loaded, ("survey",), f"survey dataset '{spec.id}'")
        country = projects.dataset_country(project, spec, index, loaded)
        only = projects.for_country(
            catalog, country, spec.indicators and set(spec.indicators), spec.indicators
        )
        plan = plan_survey(catalog, spec.id, available_variables(loaded, vocab), only)
        return within_bases(plan, catalog, profile_bases(loaded)), country
    ev = load_profile(
        project.resolve(spec.events.profile, "datasets", index, "events", "profile"), vocab
    )
    check_kind(ev, ("events",), f"events of registry '{spec.id}'")
    country = projects.dataset_country(project, spec, index, ev)
    den = None
    if spec.denominator is not None:
        den = load_profile(
            project.resolve(spec.denominator.profile, "datasets", index, "denominator", "profile"),
            vocab,
        )
    only = projects.for_country(
        catalog, country, spec.indicators and set(spec.indicators), spec.indicators
    )
    return plan_register(catalog, spec.id, ev, den, vocab, only).plan, country


def harmonization_matrix(project, indicators: set[str] | None = None, *, every: bool = False):
    """Long table (COLUMNS): per reference indicator x country of the project, one row per
    definition computed there (the reference, national variants), or one `not_computable`
    row with the reasons.

    By default only reference indicators computable (as reference or variant) in at least one
    country are listed; `every=True` lists the whole catalogue.
    """
    vocab = project.vocabulary()
    catalog = load_catalog(
        [project.resolve(p, "definitions", i) for i, p in enumerate(project.model.definitions)],
        vocab,
        project.standards(),
    )
    cells: dict[tuple[str, str], list[dict]] = {}
    countries: list[str] = []

    def put(ref: str, country: str, cell: dict) -> None:
        """Every definition computed for a country is listed; reasons only when none is."""
        have = cells.setdefault((ref, country), [])
        if cell["status"] != "not_computable":
            have[:] = [c for c in have if c["status"] != "not_computable"]
            if cell not in have:
                have.append(cell)
        elif not have:
            have.append(cell)
        elif have[0]["status"] == "not_computable" and cell["reason"] not in have[0]["reason"]:
            have[0]["reason"] += "; " + cell["reason"]

    for i, spec in enumerate(project.model.datasets):
        plan, country = _plan(project, spec, i, catalog, vocab)
        if country not in countries:
            countries.append(country)
        for item in plan.items:
            ind = item.indicator
            ref = reference_id(ind)
            if ref == ind.id:
                put(ref, country, _cell("reference", dataset=spec.id))
            else:
                kinds = "+".join(deviation_kinds(ind))
                put(ref, country, _cell("variant", ind.id, kinds, dataset=spec.id))
        for skip in plan.skipped:
            ind = catalog.get(skip.indicator_id)
            if reference_id(ind) == ind.id:  # a variant's skip is not news on its own
                put(ind.id, country, _cell("not_computable", reason=skip.reason, dataset=spec.id))
    refs = sorted({reference_id(i) for i in catalog})
    if indicators:
        refs = [r for r in refs if r in indicators]
    rows = []
    for ref in refs:
        row_cells = [cells.get((ref, c), []) for c in countries]
        computable = any(c["status"] != "not_computable" for cs in row_cells for c in cs)
        if not every and not indicators and not computable:
            continue
        source = catalog.get(ref).source
        for country, country_cells in zip(countries, row_cells, strict=True):
            for cell in country_cells or [_cell("not_computable", reason=f"no {source} dataset")]:
                rows.append({"reference_indicator_id": ref, "country": country, **cell})
    return pd.DataFrame(rows, columns=COLUMNS)


def _cell(status: str, variant="", kinds="", reason="", dataset="") -> dict:
    return {
        "status": status,
        "dataset": dataset,
        "variant_id": variant,
        "deviations": kinds,
        "reason": reason,
    }
