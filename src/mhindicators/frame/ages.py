"""The definition's age groups for every row, from single ages or from the data's band codes.

A row whose age is known but falls outside every band is outside the indicator (it is
counted and reported); a row whose age is missing stays in, under the level `_U`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mhindicators.definitions import Indicator
from mhindicators.errors import DataError
from mhindicators.issues import define, issue
from mhindicators.vocabulary.age import Band, band_ages, band_code, regroup_bands

define(
    "MHI340",
    "age-bands-do-not-nest",
    "error",
    "The data's age bands cannot be regrouped into the definition's age groups.",
    "Use data bands that nest in the definition's age_groups (e.g. 5-year bands).",
)


@dataclass(frozen=True)
class AgeGroups:
    """Band per row (missing where the age is unknown or outside) and the outside mask."""

    groups: pd.Categorical
    outside: np.ndarray


def definition_age_groups(frame: pd.DataFrame, ind: Indicator, where: str) -> AgeGroups:
    """Band every row into `ind.age_groups`; data band codes are regrouped (MHI340 if they
    straddle a boundary). Without `age_groups`, the data's own bands are used as they are."""
    bands: list[Band] = [(lo, hi) for lo, hi in ind.age_groups or []]
    if "age_group" in frame.columns:
        raw = frame["age_group"].astype("object")
        if not bands:
            return AgeGroups(pd.Categorical(raw), np.zeros(len(frame), dtype=bool))
        codes = [str(c) for c in pd.unique(raw.dropna())]
        mapping = regroup_bands(codes, bands)
        if isinstance(mapping, list):
            raise DataError(
                f"age bands of {where} do not nest",
                [issue("MHI340", f"{where}: {p}", where) for p in mapping],
            )
        mapped = raw.map(mapping)
        groups = pd.Categorical(mapped, categories=[band_code(lo, hi) for lo, hi in bands])
        return AgeGroups(groups, (raw.notna() & mapped.isna()).to_numpy())
    groups = band_ages(frame["age"], bands)
    outside = frame["age"].notna().to_numpy() & (np.asarray(groups.codes) < 0)
    return AgeGroups(groups, outside)
