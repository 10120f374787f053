"""Survey design description on encoded integer arrays (the numeric side of R's `svydesign`).

The integration layer hands over already-encoded arrays: weights, stratum codes, PSU codes
(unique across strata; see `nest_psu`), an optional fpc and an optional replicate-weight spec.
Validation never prints row values, only counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NoReturn

import numpy as np
import pandas as pd

from mhindicators.core.replicate_columns import ReplicateColumns
from mhindicators.errors import DataError, EstimationError
from mhindicators.issues import define, issue

# weight levels worth counting by: above this many distinct weights the cell x y x level
# counts no longer beat binning the rows (`logit_moments`)
MAX_WEIGHT_LEVELS = 65_536

LonelyPSU = Literal["fail", "remove", "certainty", "adjust", "average"]
LONELY_POLICIES = ("fail", "remove", "certainty", "adjust", "average")
REPLICATE_TYPES = (
    "JK1",
    "JKn",
    "BRR",
    "Fay",
    "bootstrap",
    "ACS",
    "successive-difference",
    "other",
)

define(
    "MHI360",
    "survey-weights-invalid",
    "error",
    "Sampling or replicate weights are missing, non-numeric, infinite or negative.",
    "Check the weight column of the profile; rows with a missing weight cannot be estimated.",
)
define(
    "MHI361",
    "psu-not-nested",
    "error",
    "The same PSU id appears in more than one stratum.",
    "Nest PSU ids within strata (R: svydesign(nest = TRUE)) if ids restart in each stratum.",
)
define(
    "MHI362",
    "fpc-invalid",
    "error",
    "The finite population correction is invalid (varies within a stratum or is below the sample).",
    "Give one population size (or sampling fraction) per stratum, repeated on each of its rows.",
)
define(
    "MHI363",
    "replicate-spec-invalid",
    "error",
    "The replicate-weight specification is incomplete or inconsistent.",
    "See docs/profiles.md (design.replicates) for the keys each replicate type needs.",
)
define(
    "MHI460",
    "lonely-psu",
    "error",
    "A stratum has a single PSU and the lonely-PSU policy is 'fail'.",
    "Choose lonely_psu: remove | certainty | adjust | average in the profile, or collapse strata.",
)


def _fail(code: str, message: str, exc: type = DataError) -> NoReturn:
    raise exc(message, [issue(code, message)])


def check_weights(weights, what: str = "weights", allow_negative: bool = False):
    """Return `weights` (an array or `ReplicateColumns`) as float64, raising DataError (with
    counts over all values, never the values) if any is invalid.

    Replicate weights may be negative (e.g. ACS successive-difference), so `allow_negative`.
    """
    columns = weights.columns if isinstance(weights, ReplicateColumns) else [weights]
    arrays = []
    for column in columns:
        arr = np.asarray(column)
        if arr.dtype.kind not in "fiub":
            _fail("MHI360", f"{what} are not numeric (dtype {arr.dtype})")
        arrays.append(arr.astype(np.float64, copy=False))
    if all(_clean(a, allow_negative) for a in arrays):  # one or two fast passes per column
        return weights if isinstance(weights, ReplicateColumns) else arrays[0]
    n_nan = sum(int(np.isnan(a).sum()) for a in arrays)
    n_inf = sum(int(np.isinf(a).sum()) for a in arrays)
    n_neg = 0 if allow_negative else sum(int((a < 0).sum()) for a in arrays)
    size = sum(a.size for a in arrays)
    if n_nan or n_inf or n_neg:
        parts = [
            f"{k} {v}"
            for k, v in (("missing", n_nan), ("infinite", n_inf), ("negative", n_neg))
            if v
        ]
        _fail("MHI360", f"{what}: {', '.join(parts)} of {size} values invalid")
    return weights if isinstance(weights, ReplicateColumns) else arrays[0]


def _clean(a: np.ndarray, allow_negative: bool) -> bool:
    """True when `a` has no NaN, no infinity and (unless allowed) no negative value, decided
    without temporaries: a finite sum rules out NaN and infinities (an overflowing sum only
    sends the column to the counting path)."""
    with np.errstate(over="ignore", invalid="ignore"):
        if a.size and not np.isfinite(a.sum()):
            return False
    return allow_negative or a.size == 0 or a.min() >= 0


def _codes(a: np.ndarray | None, name: str, n: int) -> np.ndarray | None:
    if a is None:
        return None
    arr = np.asarray(a)
    if arr.shape != (n,):
        _fail("MHI363", f"{name} has shape {arr.shape}, expected ({n},)", EstimationError)
    if arr.dtype.kind not in "iu":
        _fail("MHI363", f"{name} must be integer codes (dtype {arr.dtype})", EstimationError)
    if n and arr.min() < 0:
        _fail("MHI363", f"{name} has {int((arr < 0).sum())} negative codes", EstimationError)
    return arr.astype(np.int64, copy=False)


def nest_psu(strata: np.ndarray, psu: np.ndarray) -> np.ndarray:
    """Relabel PSU codes so they are unique across strata (R: `svydesign(nest = TRUE)`)."""
    s = np.asarray(strata, dtype=np.int64)
    p = np.asarray(psu, dtype=np.int64)
    key = s * (int(p.max(initial=0)) + 1) + p
    _, codes = np.unique(key, return_inverse=True)
    return codes.astype(np.int64)


def check_psu_nested(strata: np.ndarray, psu: np.ndarray, labels=None) -> None:
    """Raise DataError if a PSU code occurs in more than one stratum (R's `check.strata`)."""
    s = np.asarray(strata, dtype=np.int64)
    p = np.asarray(psu, dtype=np.int64)
    if p.size == 0:
        return
    # one stratum per PSU code (the last row's wins); a PSU in two strata has rows that differ
    # from it. O(n), no sort of the (stratum, PSU) pairs.
    owner = np.empty(int(p.max()) + 1, dtype=np.int64)
    owner[p] = s
    mismatch = owner[p] != s
    if mismatch.any():
        bad = np.unique(p[mismatch])
        _fail(
            "MHI361",
            f"{bad.size} PSU ids occur in more than one stratum; "
            "PSU ids must be unique across strata or nested within them",
        )


@dataclass
class ReplicateSpec:
    """Replicate weights (n, R), analysis ("combined") weights as in `svrepdesign`; an (n, R)
    matrix is kept as `ReplicateColumns`, one array per replicate."""

    weights: ReplicateColumns
    type: str = "other"
    scale: float | None = None
    rscales: np.ndarray | None = None
    mse: bool | None = None
    rho: float | None = None
    df: float | None = None  # profile-given degrees of freedom; None = R's rank-based degf

    def __post_init__(self) -> None:
        if self.type not in REPLICATE_TYPES:
            _fail("MHI363", f"unknown replicate type {self.type!r}", EstimationError)
        shape = np.shape(self.weights)
        if len(shape) != 2 or shape[1] < 2:
            _fail("MHI363", f"replicate weights must be (n, R>=2), got {shape}", EstimationError)
        checked = check_weights(self.weights, "replicate weights", allow_negative=True)
        if not isinstance(checked, ReplicateColumns):  # an (n, R) matrix: one array per column
            self.weights = ReplicateColumns.from_matrix(checked)
        self.scale, self.rscales, self.mse = replicate_defaults(
            self.type, self.weights.shape[1], self.scale, self.rscales, self.mse, self.rho
        )

    @property
    def n_replicates(self) -> int:
        return int(self.weights.shape[1])


def replicate_defaults(
    rtype: str,
    n_rep: int,
    scale: float | None,
    rscales: np.ndarray | None,
    mse: bool | None,
    rho: float | None,
) -> tuple[float, np.ndarray, bool]:
    """scale, rscales and mse as R's `svrepdesign` (combined weights) sets them for `rtype`."""
    if rscales is not None:
        rscales = np.broadcast_to(np.asarray(rscales, dtype=np.float64), (n_rep,)).copy()
    if rtype == "BRR":
        scale = 1.0 / n_rep
    elif rtype == "Fay":
        if rho is None:
            _fail("MHI363", "replicate type 'Fay' needs rho", EstimationError)
        scale = 1.0 / (n_rep * (1.0 - rho) ** 2)
    elif rtype == "bootstrap":
        scale = 1.0 / (n_rep - 1) if scale is None else scale
    elif rtype == "JK1":
        scale = (n_rep - 1) / n_rep if scale is None else scale
    elif rtype == "JKn":
        if rscales is None:
            _fail("MHI363", "replicate type 'JKn' needs rscales ((n_h-1)/n_h)", EstimationError)
    elif rtype in ("ACS", "successive-difference"):
        scale, rscales = 4.0 / n_rep, np.ones(n_rep)
        mse = True if mse is None else mse  # survey >= 4.2 default; Census practice
    if rscales is None:
        rscales = np.ones(n_rep)
    scale = 1.0 if scale is None else float(scale)
    return scale, rscales, bool(mse) if mse is not None else False


@dataclass
class SurveyDesign:
    """Design arrays for n rows (all sample rows, not only the indicator's universe).

    weights: sampling weights; strata: int codes or None; psu: int codes unique across strata
    or None (each row its own PSU); fpc: per-row population size N_h, or sampling fraction if
    all values are <= 1 (or `fpc_type` says so), or None (with replacement).
    """

    weights: np.ndarray
    strata: np.ndarray | None = None
    psu: np.ndarray | None = None
    fpc: np.ndarray | None = None
    lonely_psu: LonelyPSU = "fail"
    replicates: ReplicateSpec | None = None
    fpc_type: Literal["auto", "popsize", "fraction"] = "auto"
    strata_labels: list[str] | None = None
    check_nesting: bool = True
    n: int = field(init=False)
    # (id of the weights array, weight_levels() for it)
    _levels: tuple[int, tuple[np.ndarray, np.ndarray] | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self.weights = check_weights(self.weights, "sampling weights")
        if self.weights.ndim != 1:
            _fail("MHI360", "sampling weights must be one-dimensional")
        self.n = n = self.weights.shape[0]
        if self.lonely_psu not in LONELY_POLICIES:
            _fail("MHI363", f"unknown lonely_psu policy {self.lonely_psu!r}", EstimationError)
        self.strata = _codes(self.strata, "strata", n)
        self.psu = _codes(self.psu, "psu", n)
        if self.psu is not None and self.strata is not None and self.check_nesting:
            check_psu_nested(self.strata, self.psu)
        if self.replicates is not None and self.replicates.weights.shape[0] != n:
            _fail(
                "MHI363", "replicate weights and sampling weights differ in rows", EstimationError
            )
        if self.fpc is not None:
            self.fpc = self._fraction_or_popsize(np.asarray(self.fpc, dtype=np.float64))

    def _fraction_or_popsize(self, fpc: np.ndarray) -> np.ndarray:
        if fpc.shape != (self.n,) or np.isnan(fpc).any() or (fpc <= 0).any():
            _fail("MHI362", "fpc must be positive and given for every row")
        kind = self.fpc_type
        if kind == "auto":
            kind = "fraction" if np.all(fpc <= 1) else "popsize"
        self.fpc_type = kind
        return fpc

    def weight_levels(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(level of each row, the distinct weights) when weights repeat (at most n/4 and at
        most `MAX_WEIGHT_LEVELS` distinct values, e.g. one weight per household or PSU), else
        None; computed once.

        Calibrated (continuous) weights are all distinct: a spread sample of rows with more
        distinct values than the cap proves it without factorising every weight."""
        key = id(self.weights)  # recomputed if the weights are replaced
        if self._levels is None or self._levels[0] != key:
            cap = min(max(self.n // 4, 1), MAX_WEIGHT_LEVELS)
            step = max(self.n // (4 * MAX_WEIGHT_LEVELS), 1)
            if pd.unique(self.weights[::step]).size > cap:  # a subset already has too many
                self._levels = (key, None)
                return None
            ids, values = pd.factorize(self.weights)
            few = values.size <= cap
            self._levels = (key, (ids, np.asarray(values, dtype=np.float64)) if few else None)
        return self._levels[1]

    @property
    def strata_codes(self) -> np.ndarray:
        """Stratum code per row (0 when the design is unstratified)."""
        return self.strata if self.strata is not None else np.zeros(self.n, dtype=np.int64)
