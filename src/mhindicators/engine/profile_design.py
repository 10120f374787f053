"""A SurveyDesign from a profile's `design:` block and the raw design columns."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from mhindicators.engine.design import ReplicateSpec, SurveyDesign
from mhindicators.errors import DataError
from mhindicators.issues import define, issue
from mhindicators.profiles.model import Profile

define(
    "MHI364",
    "design-value-missing",
    "error",
    "A stratum or PSU column has rows without a value.",
    "Every sample row needs its stratum and PSU; fix the extract or the column mapping.",
)


def replicate_columns(profile: Profile, available: list[str]) -> list[str]:
    """Replicate-weight columns: listed, or matched in full by the profile's pattern."""
    d = profile.design
    if d is None or d.replicates is None:
        return []
    if d.replicates.columns:
        return list(d.replicates.columns)
    pattern = re.compile(d.replicates.pattern or "")
    return [c for c in available if pattern.fullmatch(c)]


def design_columns(profile: Profile, available: list[str]) -> list[str]:
    """Raw columns the design needs: weight, strata, PSU, fpc and replicate weights."""
    d = profile.design
    assert d is not None
    base = [c for c in (d.weight, d.strata, d.psu, d.fpc) if c]
    return base + replicate_columns(profile, available)


def build_design(raw: pd.DataFrame, profile: Profile, available: list[str]) -> SurveyDesign:
    """SurveyDesign from the raw design columns of a profile."""
    d = profile.design
    assert d is not None
    strata = psu = None
    labels = None
    for column in (d.strata, d.psu):
        if column and (n_missing := int(raw[column].isna().sum())):
            msg = f"design column {column}: {n_missing} row(s) have no value"
            raise DataError(msg, [issue("MHI364", msg)])
    if d.strata:
        codes, uniques = pd.factorize(raw[d.strata], sort=True)
        strata, labels = codes, [str(u) for u in uniques]
    if d.psu:
        if d.nest and strata is not None:
            psu = pd.factorize(pd.MultiIndex.from_arrays([strata, raw[d.psu]]))[0]
        else:
            psu = pd.factorize(raw[d.psu], sort=True)[0]
    fpc = _numbers(raw[[d.fpc]], "fpc", "MHI362")[:, 0] if d.fpc else None
    replicates = None
    if d.replicates is not None:
        rep_cols = replicate_columns(profile, available)
        r = d.replicates
        replicates = ReplicateSpec(
            _numbers(raw[rep_cols], "replicate weights", "MHI360"),
            r.type,
            r.scale,
            None if r.rscales is None else np.asarray(r.rscales),
            r.mse,
            r.rho,
            r.df,
        )
    weights = _numbers(raw[[d.weight]], f"weight column {d.weight}", "MHI360")[:, 0]
    return SurveyDesign(weights, strata, psu, fpc, d.lonely_psu, replicates, strata_labels=labels)


def _numbers(columns: pd.DataFrame, what: str, code: str) -> np.ndarray:
    """Design columns as floats; text cells are counted, never quoted (they may be microdata)."""
    # column-major (n, k): each column is copied once, contiguously; numeric columns skip
    # the text check
    out = np.empty((len(columns), columns.shape[1]), dtype=np.float64, order="F")
    text = 0
    for i, name in enumerate(columns.columns):
        column = columns[name]
        if not pd.api.types.is_numeric_dtype(column.dtype):
            number = pd.to_numeric(column, errors="coerce")
            text += int((number.isna() & column.notna()).sum())
            column = number
        if isinstance(column.dtype, np.dtype):  # plain numpy column: a view, copied once
            out[:, i] = column.to_numpy()
        else:  # nullable or Arrow-backed: missing becomes NaN (then reported as invalid)
            out[:, i] = column.to_numpy(dtype=np.float64, na_value=np.nan)
    if text:
        msg = f"{what}: {text} value(s) are not numbers"
        raise DataError(msg, [issue(code, msg)])
    return out
