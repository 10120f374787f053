"""Migratory-status derivations, case by case (UN EGM / UNECE definitions, docs/profiles.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mhindicators.profiles import derive

S = pd.Series


def test_nativity_and_citizenship() -> None:
    nat = derive.nativity(S(["ESP", "MAR", None]), "ESP")
    assert list(nat) == ["native_born", "foreign_born", "unknown"]
    cit = derive.citizenship_status(S(["ESP", "MAR", "XXA", None]), "ESP")
    assert list(cit) == ["citizen", "foreign_citizen", "stateless", "unknown"]


def test_migratory_status_treats_stateless_as_noncitizens() -> None:
    nat = S(
        ["native_born", "native_born", "foreign_born", "foreign_born", "unknown", "foreign_born"]
    )
    cit = S(["citizen", "stateless", "citizen", "foreign_citizen", "citizen", "unknown"])
    assert list(derive.migratory_status(nat, cit)) == [
        "native_born_citizen",
        "native_born_noncitizen",
        "foreign_born_citizen",
        "foreign_born_noncitizen",
        "unknown",
        "unknown",
    ]


def test_migrant_generation() -> None:
    nat = S(["foreign_born", "native_born", "native_born", "native_born", "native_born", "unknown"])
    mum = S(["ESP", "MAR", "MAR", "ESP", None, "ESP"])
    dad = S(["ESP", "ROU", "ESP", "ESP", "ESP", "ESP"])
    assert list(derive.migrant_generation(nat, mum, dad, "ESP")) == [
        "first_generation",
        "second_generation",
        "mixed_background",
        "no_migrant_background",
        "unknown",
        "unknown",
    ]


def test_duration_groups() -> None:
    nat = S(["foreign_born"] * 4 + ["native_born", "foreign_born", "unknown"])
    years = S([0.0, 4.0, 5.0, 12.0, np.nan, np.nan, 3.0])
    out = derive.duration_group(nat, years, [5, 10])
    assert list(out) == ["lt_5", "lt_5", "5_to_9", "ge_10", "native_born", "unknown", "unknown"]
    assert list(derive.years_since_arrival(S([2020, 2030, None]), 2024).fillna(-1)) == [4, -1, -1]


def test_derivations_work_on_categorical_input_without_row_loops() -> None:
    cob = pd.Categorical(["ESP", "MAR"] * 50_000)
    assert derive.nativity(S(cob), "ESP").value_counts().to_dict()["foreign_born"] == 50_000
