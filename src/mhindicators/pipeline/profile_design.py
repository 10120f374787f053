"""A SurveyDesign from a profile's `design:` block and the raw design columns."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from mhindicators.core.design import ReplicateSpec, SurveyDesign
from mhindicators.core.int_codes import small_int_codes
from mhindicators.core.replicate_columns import ReplicateColumns
from mhindicators.errors import DataError, MhiError
from mhindicators.issues import Issue, define, issue, quote
from mhindicators.profiles.model import Profile

define(
    "MHI364",
    "design-value-missing",
    "error",
    "A stratum or PSU column has rows without a value.",
    "Every sample row needs its stratum and PSU; fix the extract or the column mapping.",
)
define(
    "MHI376",
    "weights-all-zero",
    "error",
    "Every sampling weight is 0: no estimate can be made.",
    "Check the weight column named in the profile's `design.weight` (e.g. a factor not yet "
    "filled in, or the wrong column).",
)
define(
    "MHI377",
    "replicate-pattern-no-match",
    "error",
    "The replicate-weight `pattern:` matches fewer than two columns of the data file.",
    "Fix the regular expression (it must match whole column names) or list the `columns:`.",
)


def replicate_columns(profile: Profile, available: list[str]) -> list[str]:
    """Replicate-weight columns: listed, or matched in full by the profile's pattern
    (DataError MHI377 when it matches fewer than two)."""
    d = profile.design
    if d is None or d.replicates is None:
        return []
    if d.replicates.columns:
        return list(d.replicates.columns)
    pattern = re.compile(d.replicates.pattern or "")
    matched = [c for c in available if pattern.fullmatch(c)]
    if len(matched) < 2:
        message = (
            f"replicate pattern {quote(d.replicates.pattern)} matches "
            f"{len(matched)} column(s) of the data file; replicate weights need at least 2"
        )
        raise DataError(message, [issue("MHI377", message)])
    return matched


def design_columns(profile: Profile, available: list[str]) -> list[str]:
    """Raw columns the design needs: weight, strata, PSU, fpc and replicate weights."""
    d = profile.design
    assert d is not None
    base = [c for c in (d.weight, d.strata, d.psu, d.fpc) if c]
    return base + replicate_columns(profile, available)


def build_design(
    raw: pd.DataFrame, profile: Profile, available: list[str], *, consume: bool = False
) -> SurveyDesign:
    """SurveyDesign from the raw design columns of a profile.

    Replicate weights stay the file's columns (`ReplicateColumns`), never copied into an
    (n, R) matrix. consume: drop them from `raw`, which then holds only the other columns.
    """
    d = profile.design
    assert d is not None
    strata = psu = None
    labels = None
    for column in (d.strata, d.psu):
        if column and (n_missing := int(raw[column].isna().sum())):
            msg = f"design column {column}: {n_missing} row(s) have no value"
            raise DataError(msg, [issue("MHI364", msg)])
    if d.strata:
        codes, uniques = sorted_codes(raw[d.strata])
        strata, labels = codes, [str(u) for u in uniques]
    if d.psu:
        if d.nest and strata is not None:
            psu = nested_psu_codes(strata, raw[d.psu])
        else:
            psu = sorted_codes(raw[d.psu])[0]
    (weights,) = _columns(raw, [d.weight], f"weight column {quote(d.weight)}", "MHI360")
    if len(weights) and not np.any(weights):  # NaN counts as non-zero: MHI360 reports it
        msg = f"weight column {quote(d.weight)}: all {len(weights):,} weights are 0"
        raise DataError(msg, [issue("MHI376", msg)])
    fpc = _columns(raw, [d.fpc], "fpc", "MHI362")[0] if d.fpc else None
    replicates = None
    if d.replicates is not None:
        rep_cols = replicate_columns(profile, available)
        r = d.replicates
        replicates = ReplicateSpec(
            ReplicateColumns(
                _columns(raw, rep_cols, "replicate weights", "MHI360", consume=consume)
            ),
            r.type,
            r.scale,
            None if r.rscales is None else np.asarray(r.rscales),
            r.mse,
            r.rho,
            r.df,
        )
    return SurveyDesign(weights, strata, psu, fpc, d.lonely_psu, replicates, strata_labels=labels)


def sorted_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray | pd.Index]:
    """`pd.factorize(column, sort=True)`: by a table over the range for small-integer ids
    (strata, PSU numbers; 3x faster at 10M rows), by hashing otherwise."""
    fast = small_int_codes(column.to_numpy()) if isinstance(column.dtype, np.dtype) else None
    if fast is not None:
        return fast[0], fast[1]
    return pd.factorize(column, sort=True)


def nested_psu_codes(strata: np.ndarray, psu: pd.Series) -> np.ndarray:
    """PSU codes unique across strata for PSU ids numbered within strata (`nest: true`).

    The same codes, in order of first appearance, as factorising the (stratum, PSU) pairs, but
    through one int64 key (stratum code x number of PSU ids + PSU id code): a MultiIndex of
    10M pairs takes ~3 s to factorise, the key ~0.3 s.
    """
    ids, uniques = pd.factorize(psu)
    key = np.asarray(strata, dtype=np.int64) * max(len(uniques), 1)
    key += ids
    return pd.factorize(key)[0]


def _columns(
    frame: pd.DataFrame, names: list[str], what: str, code: str, consume: bool = False
) -> list[np.ndarray]:
    """Design columns as float64 arrays: float columns as they are (no copy), others
    converted; text cells are counted, never quoted (they may be microdata). consume: drop
    the columns from `frame` (the arrays stay alive in the result)."""
    out: list[np.ndarray] = []
    text = 0
    infinite: dict[str, int] = {}
    for name in names:
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column.dtype):
            number = pd.to_numeric(column, errors="coerce")
            text += int((number.isna() & column.notna()).sum())
            column = number
        if column.dtype == np.float64:
            out.append(column.to_numpy())
        else:  # integers, nullable or Arrow-backed: missing becomes NaN (reported as invalid)
            out.append(column.to_numpy(dtype=np.float64, na_value=np.nan))
        with np.errstate(over="ignore", invalid="ignore"):
            finite = np.isfinite(out[-1].sum())  # one pass; NaN is counted later (MHI360)
        if not finite and (n_inf := int(np.isinf(out[-1]).sum())):
            infinite[name] = n_inf
    if infinite:
        if len(names) == 1:
            msg = f"{what}: {sum(infinite.values())} infinite value(s)"
        else:
            listed = ", ".join(f"{quote(c)} ({n})" for c, n in list(infinite.items())[:5])
            more = f" and {len(infinite) - 5} more" if len(infinite) > 5 else ""
            msg = f"{what}: infinite values in column(s) {listed}{more}"
        raise DataError(msg, [issue(code, msg)])
    if text:
        msg = f"{what}: {text} value(s) are not numbers"
        raise DataError(msg, [issue(code, msg)])
    if consume:  # after the checks: a failed run leaves the frame whole
        for name in dict.fromkeys(names):
            del frame[name]
    return out


# the `design:` key each design or estimation error is about (first one written wins)
_DESIGN_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "MHI360": (("weight",),),
    "MHI361": (("nest",), ("psu",)),
    "MHI362": (("fpc",),),
    "MHI363": (("replicates",),),
    "MHI364": (("strata",), ("psu",)),
    "MHI376": (("weight",),),
    "MHI377": (("replicates", "pattern"),),
    "MHI460": (("lonely_psu",), ("strata",)),
}


@contextmanager
def located_at_design(loaded, key: str, data_path: Path) -> Iterator[None]:
    """Design and estimation errors name the data file and point at the profile's `design:`
    key they are about (`lonely_psu:` for a lonely PSU, `nest:`/`psu:` for PSU ids...)."""
    try:
        yield
    except MhiError as exc:
        items = []
        for i in exc.issues:
            where = _design_key(loaded, key, i.code)
            located = i if i.file else Issue(i.code, "", *where)
            items.append(
                Issue(
                    i.code,
                    f"{data_path.name}: {i.message}",
                    located.file,
                    located.line,
                    located.col,
                    i.hint,
                    i.severity,
                    i.name,
                )
            )
        exc.issues = items
        raise


def _design_key(loaded, key: str, code: str) -> tuple[str, int, int]:
    for sub in _DESIGN_KEYS.get(code, ()):
        if (key, *sub) in loaded.doc.keys:
            return loaded.where(key, *sub)
    return loaded.where(key)
