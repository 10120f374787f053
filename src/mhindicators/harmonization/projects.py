"""Multi-country projects: each dataset's country and period, variants applied to their own
country, plans limited to the data's migratory bases, one result per country, period and
indicator."""

from __future__ import annotations

from mhindicators.errors import ProfileError
from mhindicators.issues import define, issue

define(
    "MHI541",
    "duplicate-country-period-indicator",
    "error",
    "Two datasets of the project give the same indicator for the same country and period.",
    "Give each dataset its own `period:`, restrict one with `indicators:`, or remove one; "
    "see docs/multi-country.md.",
)
define(
    "MHI542",
    "dataset-country-mismatch",
    "error",
    "A dataset's `country:` differs from the metadata.country of its profile.",
    "The profile's country derives nativity and citizenship status; fix whichever is wrong.",
)
define(
    "MHI543",
    "variant-of-another-country",
    "error",
    "A dataset's `indicators:` lists a national variant made for another country.",
    "List the variant of this dataset's country, or the reference definition.",
)


def project_location(project, *path) -> tuple[str, int, int]:
    """file, line, col of a key of the project file (empty when it has no file)."""
    if project.doc is None:
        return "", 0, 0
    line, col = project.doc.locate(tuple(path))
    return project.doc.path, line, col


def dataset_country(project, spec, index: int, loaded) -> str:
    """The dataset's ISO3 country: its `country:` or its profile's metadata.country (MHI542)."""
    meta = loaded.profile.metadata.country
    if spec.country is not None and spec.country != meta:
        file, line, col = project_location(project, "datasets", index, "country")
        raise ProfileError(
            f"dataset {spec.id}: country {spec.country} but its profile says {meta}",
            [
                issue(
                    "MHI542",
                    f"dataset {spec.id}: country {spec.country} differs from metadata.country "
                    f"{meta} of {loaded.path}",
                    file,
                    line,
                    col,
                )
            ],
        )
    return meta


def dataset_period(spec, year: int) -> str:
    """The dataset's reference period as text: its `period:` or the profile's year."""
    return str(spec.period) if spec.period is not None else str(year)


def for_country(
    catalog, country: str, only: set[str] | None, listed: list[str] | None = None
) -> set[str] | None:
    """Indicators that may run on a dataset of `country`: national variants only on their own
    country's datasets, unless the dataset lists the variant by id under `indicators:` (a
    dataset that declares another `country:` may not, MHI543)."""
    explicit = set(listed or ())
    foreign = {
        i.id
        for i in catalog
        if getattr(i, "country", None) not in (None, country) and i.id not in explicit
    }
    if not foreign:
        return only
    allowed = {i.id for i in catalog} - foreign
    return allowed if only is None else only & allowed


def check_variant_countries(project, catalog) -> None:
    """A dataset may list only variants of its own declared country (MHI543)."""
    problems = []
    for i, spec in enumerate(project.model.datasets):
        if spec.country is None:
            continue
        for j, ident in enumerate(spec.indicators or []):
            ind = catalog.indicators.get(ident)
            other = getattr(ind, "country", None)
            if other not in (None, spec.country):
                file, line, col = project_location(project, "datasets", i, "indicators", j)
                msg = f"dataset {spec.id} ({spec.country}): {ident} is a variant for {other}"
                problems.append(issue("MHI543", msg, file, line, col))
    if problems:
        raise ProfileError("variants listed for another country", problems)


def periods(project, estimates) -> dict[str, str]:
    """dataset id -> period, for the datasets that produced estimates."""
    years = estimates.drop_duplicates("dataset").set_index("dataset")["year"].to_dict()
    return {
        s.id: dataset_period(s, int(years[s.id])) for s in project.model.datasets if s.id in years
    }


def check_unique_keys(project, result) -> None:
    """No two datasets may give one indicator for the same country and period (MHI541)."""
    est = result.estimates
    if not len(est):
        return
    period = periods(project, est)
    index = {s.id: i for i, s in enumerate(project.model.datasets)}
    keys = est[["dataset", "country", "indicator_id"]].drop_duplicates()
    keys = keys.assign(period=keys["dataset"].map(period))
    problems = []
    for (country, per, ident), group in keys.groupby(["country", "period", "indicator_id"]):
        ids = sorted(group["dataset"], key=lambda d: index.get(d, 0))
        for later in ids[1:]:
            file, line, col = project_location(project, "datasets", index.get(later, 0), "id")
            msg = (
                f"datasets {ids[0]} and {later} both give {ident} for {country} {per}; "
                "the stacked table would hold two values for one key"
            )
            problems.append(issue("MHI541", msg, file, line, col))
    if problems:
        raise ProfileError("two datasets for one country, period and indicator", problems)


def is_multi_country(project, result) -> bool:
    """Multi-country tables are written when the results span two or more countries or a
    dataset declares its `country:`."""
    est = result.estimates
    # a policy table lists many countries under one compiler code: it makes no project multi-country
    policy = {s.id for s in project.model.datasets if s.kind == "policy"}
    if len(est) and policy:
        est = est[~est["dataset"].isin(policy)]
    countries = set(est["country"]) if len(est) else set()
    return len(countries) > 1 or any(s.country for s in project.model.datasets)
