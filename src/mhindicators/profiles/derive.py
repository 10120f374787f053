"""Built-in derivations of the migratory-status family, vectorised over categorical codes.

Definitions follow the UN Expert Group standard questions and UNECE census recommendations:
nativity from country of birth vs the reporting country; citizenship status; the SDG minimum
migratory status (nativity x citizenship); migrant generation from own and parents' country of
birth; years since arrival and duration groups.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pandas as pd

STATELESS = "XXA"

#: derived variable -> canonical variables it needs.
SOURCES: dict[str, tuple[str, ...]] = {
    "nativity": ("country_of_birth",),
    "citizenship_status": ("citizenship",),
    "migratory_status": ("nativity", "citizenship_status"),
    "migrant_generation": ("nativity", "mother_country_of_birth", "father_country_of_birth"),
    "years_since_arrival": ("year_of_arrival",),
    "duration_group": ("nativity", "years_since_arrival"),
}


def _codes(series: pd.Series) -> tuple[np.ndarray, list]:
    """Category codes (-1 = missing) and the category labels of a column."""
    cat = series.array if isinstance(series.dtype, pd.CategoricalDtype) else pd.Categorical(series)
    return np.asarray(cat.codes), list(cat.categories)


def _map(columns: list[pd.Series], rule: Callable[..., str], out: list[str]) -> pd.Categorical:
    """Apply `rule` to every combination of input categories (None = missing), then index.

    The rule runs once per combination of categories, never per row: the rows only take a
    vectorised lookup through their category codes.
    """
    codes, labels = zip(*(_codes(c) for c in columns), strict=True)
    sizes = [len(lv) + 1 for lv in labels]  # last slot = missing
    position = {name: i for i, name in enumerate(out)}
    table = np.empty(sizes, dtype=np.int8 if len(out) < 127 else np.int64)
    for combo in itertools.product(*(range(n) for n in sizes)):
        args = [lv[k] if k < len(lv) else None for lv, k in zip(labels, combo, strict=True)]
        table[combo] = position[rule(*args)]
    flat = np.zeros(len(codes[0]), dtype=np.intp)  # row-major position in `table`
    for c, n in zip(codes, sizes, strict=True):
        flat *= n
        flat += c
        flat[c < 0] += n  # missing (-1) -> the last slot, n - 1
    return pd.Categorical.from_codes(table.ravel()[flat], categories=out)


NATIVITY = ["native_born", "foreign_born", "unknown"]
CITIZENSHIP = ["citizen", "foreign_citizen", "stateless", "unknown"]
MIGRATORY = [
    "native_born_citizen",
    "native_born_noncitizen",
    "foreign_born_citizen",
    "foreign_born_noncitizen",
    "unknown",
]
GENERATION = [
    "first_generation",
    "second_generation",
    "mixed_background",
    "no_migrant_background",
    "unknown",
]


def nativity(country_of_birth: pd.Series, reporting_country: str) -> pd.Categorical:
    """native_born / foreign_born / unknown."""

    def rule(cob: str | None) -> str:
        if cob is None:
            return "unknown"
        return "native_born" if cob == reporting_country else "foreign_born"

    return _map([country_of_birth], rule, NATIVITY)


def citizenship_status(citizenship: pd.Series, reporting_country: str) -> pd.Categorical:
    """citizen / foreign_citizen / stateless / unknown (XXA = stateless)."""

    def rule(cit: str | None) -> str:
        if cit is None:
            return "unknown"
        if cit == reporting_country:
            return "citizen"
        return "stateless" if cit == STATELESS else "foreign_citizen"

    return _map([citizenship], rule, CITIZENSHIP)


def migratory_status(nativity_: pd.Series, citizenship_status_: pd.Series) -> pd.Categorical:
    """SDG minimum: nativity x citizenship (stateless persons are non-citizens)."""

    def rule(nat: str | None, cit: str | None) -> str:
        if nat in (None, "unknown") or cit in (None, "unknown"):
            return "unknown"
        return f"{nat}_{'citizen' if cit == 'citizen' else 'noncitizen'}"

    return _map([nativity_, citizenship_status_], rule, MIGRATORY)


def migrant_generation(
    nativity_: pd.Series, mother: pd.Series, father: pd.Series, reporting_country: str
) -> pd.Categorical:
    """first / second generation, mixed background, none, unknown."""
    parents = [nativity(mother, reporting_country), nativity(father, reporting_country)]

    def rule(nat: str | None, mum: str | None, dad: str | None) -> str:
        if nat == "foreign_born":
            return "first_generation"
        if nat != "native_born" or "unknown" in (mum, dad):
            return "unknown"
        foreign = (mum == "foreign_born") + (dad == "foreign_born")
        return ("no_migrant_background", "mixed_background", "second_generation")[foreign]

    return _map([nativity_, pd.Series(parents[0]), pd.Series(parents[1])], rule, GENERATION)


def years_since_arrival(year_of_arrival: pd.Series, reference_year: int) -> pd.Series:
    """Reference year minus year of arrival; negative values become missing."""
    years = reference_year - pd.to_numeric(year_of_arrival, errors="coerce").astype("float64")
    return years.where(years >= 0)


def duration_labels(thresholds: list[int]) -> list[str]:
    """Codes of the foreign-born duration groups: lt_A, A_to_(B-1), ..., ge_Z."""
    edges = sorted(thresholds)
    labels = [f"lt_{edges[0]}"]
    labels += [f"{lo}_to_{hi - 1}" for lo, hi in itertools.pairwise(edges)]
    labels.append(f"ge_{edges[-1]}")
    return labels


def duration_group(nativity_: pd.Series, years: pd.Series, thresholds: list[int]) -> pd.Categorical:
    """lt_A, A_to_(B-1), ..., ge_Z for the foreign-born; native_born; unknown."""
    edges = sorted(thresholds)
    labels = duration_labels(edges)
    y = years.to_numpy(dtype="float64")
    band = np.clip(
        np.searchsorted(np.asarray(edges, dtype="float64"), y, side="right"), 0, len(labels) - 1
    )
    native, unknown = len(labels), len(labels) + 1
    nat_codes, nat_labels = _codes(nativity_)
    nat_kind = np.asarray(
        [{"native_born": 0, "foreign_born": 1}.get(v, 2) for v in nat_labels] + [2]
    )
    kind = nat_kind[np.where(nat_codes < 0, len(nat_labels), nat_codes)]
    codes = np.where(kind == 0, native, np.where((kind == 1) & ~np.isnan(y), band, unknown))
    return pd.Categorical.from_codes(codes, categories=[*labels, "native_born", "unknown"])
