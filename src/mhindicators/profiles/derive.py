"""Built-in derivations of the migratory-status family, vectorised over categorical codes.

Definitions follow the UN Expert Group standard questions and UNECE census recommendations:
nativity from country of birth vs the reporting country; citizenship status; the SDG minimum
migratory status (nativity x citizenship); migrant generation from own and parents' country of
birth; years since arrival and duration groups.
"""

from __future__ import annotations

import itertools

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


def _cat(values: np.ndarray, codes: list[str]) -> pd.Categorical:
    return pd.Categorical(values, categories=codes)


def nativity(country_of_birth: pd.Series, reporting_country: str) -> pd.Categorical:
    """native_born / foreign_born / unknown."""
    cob = country_of_birth.astype("object")
    out = np.where(
        cob.isna(), "unknown", np.where(cob == reporting_country, "native_born", "foreign_born")
    )
    return _cat(out, ["native_born", "foreign_born", "unknown"])


def citizenship_status(citizenship: pd.Series, reporting_country: str) -> pd.Categorical:
    """citizen / foreign_citizen / stateless / unknown (XXA = stateless)."""
    cit = citizenship.astype("object")
    out = np.select(
        [cit.isna(), cit == reporting_country, cit == STATELESS],
        ["unknown", "citizen", "stateless"],
        default="foreign_citizen",
    )
    return _cat(out, ["citizen", "foreign_citizen", "stateless", "unknown"])


def migratory_status(nativity_: pd.Series, citizenship_status_: pd.Series) -> pd.Categorical:
    """SDG minimum: nativity x citizenship (stateless persons are non-citizens)."""
    nat = np.asarray(nativity_.astype("object"))
    cit = np.asarray(citizenship_status_.astype("object"))
    unknown = (nat == "unknown") | (cit == "unknown") | pd.isna(nat) | pd.isna(cit)
    part = np.where(cit == "citizen", "citizen", "noncitizen")
    out = np.where(unknown, "unknown", np.char.add(np.char.add(nat.astype(str), "_"), part))
    return _cat(
        out,
        [
            "native_born_citizen",
            "native_born_noncitizen",
            "foreign_born_citizen",
            "foreign_born_noncitizen",
            "unknown",
        ],
    )


def migrant_generation(
    nativity_: pd.Series, mother: pd.Series, father: pd.Series, reporting_country: str
) -> pd.Categorical:
    """first / second generation, mixed background, none, unknown."""
    nat = np.asarray(nativity_.astype("object"))
    m_known, f_known = mother.notna().to_numpy(), father.notna().to_numpy()
    m_foreign = m_known & (mother.astype("object") != reporting_country).to_numpy()
    f_foreign = f_known & (father.astype("object") != reporting_country).to_numpy()
    both_known = m_known & f_known
    out = np.select(
        [
            nat == "foreign_born",
            (nat != "native_born") | ~both_known,
            m_foreign & f_foreign,
            m_foreign | f_foreign,
        ],
        ["first_generation", "unknown", "second_generation", "mixed_background"],
        default="no_migrant_background",
    )
    return _cat(
        out,
        [
            "first_generation",
            "second_generation",
            "mixed_background",
            "no_migrant_background",
            "unknown",
        ],
    )


def years_since_arrival(year_of_arrival: pd.Series, reference_year: int) -> pd.Series:
    """Reference year minus year of arrival; negative values become missing."""
    years = reference_year - pd.to_numeric(year_of_arrival, errors="coerce").astype("float64")
    return years.where(years >= 0)


def duration_group(nativity_: pd.Series, years: pd.Series, thresholds: list[int]) -> pd.Categorical:
    """lt_A, A_to_(B-1), ..., ge_Z for the foreign-born; native_born; unknown."""
    edges = sorted(thresholds)
    labels = [f"lt_{edges[0]}"]
    labels += [f"{lo}_to_{hi - 1}" for lo, hi in itertools.pairwise(edges)]
    labels.append(f"ge_{edges[-1]}")
    y = years.to_numpy(dtype="float64")
    idx = np.searchsorted(np.asarray(edges, dtype="float64"), y, side="right")
    banded = np.asarray(labels, dtype=object)[np.clip(idx, 0, len(labels) - 1)]
    nat = np.asarray(nativity_.astype("object"))
    out = np.where(
        nat == "native_born",
        "native_born",
        np.where((nat == "foreign_born") & ~np.isnan(y), banded, "unknown"),
    )
    return _cat(out, [*labels, "native_born", "unknown"])
