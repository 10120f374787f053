"""Inequality summary measures over groups (WHO HEAT) with delta-method SEs on a joint covariance.

Pure numpy. Each row s of the inputs is one set of groups (one margin of the other dimensions):
`y` (S, G) group estimates on the reported scale (NaN = no estimate), `cov` (S, G, G) their joint
covariance, `pop` (S, G) population sizes (the shares p = pop / sum pop over the groups with an
estimate are treated as fixed), `listed` (S, G) the groups that exist in the set, `ref` (S,) the
reference group's column or -1. The SE of a measure f(y) is sqrt(g' V g) with g its gradient in
y (formulas and conventions: docs/inequality.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from mhindicators.core.intervals import t_quantile
from mhindicators.core.linearization import variance_root

MEASURES = (
    "D", "R", "PAF", "PAR", "BGV", "BGSD", "COV", "IDISU", "IDISW",
    "MDBU", "MDBW", "MDRU", "MDRW", "MDMU", "MDMW", "TI", "MLD",
)  # fmt: skip
#: measures HEAT computes for non-ordered dimensions with more than 2 groups only
COMPLEX = frozenset(MEASURES[4:])
#: measures that need the indicator's direction
DIRECTED = frozenset({"PAF", "PAR", "MDBU", "MDBW"})
#: measures relative to the population-weighted mean (undefined when it is not positive)
RELATIVE = frozenset({"PAF", "COV", "IDISU", "IDISW", "TI", "MLD"})
MIN_SHARE = 0.85  # HEAT test_under85_pct

OK, CLAMPED, NO_INTERVAL, NOT_APPLICABLE = "ok", "clamped", "no-interval", "not-applicable"


@dataclass(frozen=True)
class GroupSets:
    """Inputs of `inequality_measures` (see the module docstring)."""

    y: np.ndarray
    cov: np.ndarray
    pop: np.ndarray
    listed: np.ndarray
    ref: np.ndarray


@dataclass(frozen=True)
class Measure:
    """One measure over every set: arrays of length S."""

    name: str
    estimate: np.ndarray
    se: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    status: np.ndarray  # object: ok | clamped | no-interval | not-applicable
    reason: np.ndarray  # object: why not applicable, clamped or without an interval
    group: np.ndarray  # int: the group compared (D, R, PAF, PAR, MDB*), else -1


def _sign(x):
    return np.sign(np.nan_to_num(x))


def _values(name, y, p, present, mu, ref, best, far):
    """(value (S,), gradient (S, G)) of one measure; rows where it is undefined may be NaN."""
    S, G = y.shape
    rows = np.arange(S)
    yz = np.where(present, y, 0.0)
    e = np.eye(G)
    n = present.sum(axis=1).astype(float)
    dev = np.where(present, yz - mu[:, None], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if name in ("D", "R"):
            yg, yr = yz[rows, far], yz[rows, ref]
            if name == "D":
                return yg - yr, e[far] - e[ref]
            return yg / yr, e[far] / yr[:, None] - (yg / yr**2)[:, None] * e[ref]
        if name in ("PAR", "PAF"):
            yr = yz[rows, best]
            if name == "PAR":
                return yr - mu, e[best] - p
            val = 100 * (yr / mu - 1)
            return val, 100 * (e[best] / mu[:, None] - (yr / mu**2)[:, None] * p)
        if name in ("BGV", "BGSD", "COV"):
            bgv = np.sum(p * dev**2, axis=1)
            g = 2 * p * dev
            if name == "BGV":
                return bgv, g
            sd = np.sqrt(bgv)
            gsd = g / (2 * sd[:, None])
            if name == "BGSD":
                return sd, gsd
            return 100 * sd / mu, 100 * (gsd / mu[:, None] - (sd / mu**2)[:, None] * p)
        if name in ("MDMU", "IDISU", "MDMW", "IDISW"):
            s = np.where(present, _sign(dev), 0.0)
            if name.endswith("U"):
                val = np.sum(np.abs(dev), axis=1) / n
                grad = (s - p * s.sum(axis=1, keepdims=True)) / n[:, None]
            else:
                val = np.sum(p * np.abs(dev), axis=1)
                grad = p * s - p * np.sum(p * s, axis=1, keepdims=True)
            if name.startswith("MDM"):
                return val, grad
            return 100 * val / mu, 100 * (grad / mu[:, None] - (val / mu**2)[:, None] * p)
        if name[:3] in ("MDB", "MDR"):
            k = best if name[:3] == "MDB" else ref
            gap = yz[rows, k][:, None] - yz
            t = np.where(present, _sign(gap), 0.0)
            w = np.where(present, 1.0, 0.0) / n[:, None] if name.endswith("U") else p
            val = np.sum(w * np.abs(np.where(present, gap, 0.0)), axis=1)
            return val, -w * t + e[k] * np.sum(w * t, axis=1, keepdims=True)
        r = yz / mu[:, None]
        if name == "TI":
            lr = np.where(present & (r > 0), np.log(np.where(r > 0, r, 1.0)), 0.0)
            ti = np.sum(p * r * lr, axis=1)
            return 1000 * ti, 1000 * p / mu[:, None] * (lr - ti[:, None])
        # MLD
        lr = np.where(present, np.log(np.where(present, r, 1.0)), 0.0)
        return -1000 * np.sum(p * lr, axis=1), 1000 * p * (1 / mu[:, None] - 1 / yz)


def _reasons(name, sets: GroupSets, present, mu, favourable, far):
    """Why `name` is not applicable in each set ('' where it is)."""
    y, ref = sets.y, sets.ref
    S = len(ref)
    rows = np.arange(S)
    n_listed, k = sets.listed.sum(axis=1), present.sum(axis=1)
    yz = np.where(present, y, np.nan)
    has_ref = ref >= 0
    ref_present = has_ref & present[rows, np.where(has_ref, ref, 0)]
    out = np.full(S, "", dtype=object)

    def fail(mask, text):
        out[(out == "") & np.asarray(mask, dtype=bool)] = text

    fail(n_listed < 2, "fewer than 2 migratory groups")
    fail(k < MIN_SHARE * n_listed, "fewer than 85 % of the groups have an estimate (HEAT)")
    fail(np.nansum(np.abs(yz), axis=1) == 0, "every group estimate is 0")
    if name in DIRECTED and favourable == 0:
        fail(np.ones(S, bool), "the definition sets no `favourable` direction")
    if name in ("D", "R", "MDRU", "MDRW"):
        fail(~has_ref, "the definition names no reference group")
        fail(~ref_present, "the reference group has no estimate")
    if name in ("PAF", "PAR"):
        fail(has_ref & ~ref_present, "the reference group has no estimate")
    if name in ("D", "R"):
        fail(k < n_listed, "a group has no estimate")
        fail(far < 0, "no group besides the reference has an estimate")
        if name == "R":
            fail(y[rows, np.where(has_ref, ref, 0)] == 0, "the reference estimate is 0")
    if name in COMPLEX:
        fail(k <= 2, "needs more than 2 groups with an estimate")
    if name in RELATIVE:
        fail(~(mu > 0), "the population-weighted mean of the groups is not positive")
    if name == "TI":
        fail(np.any(yz < 0, axis=1), "a group estimate is negative (log undefined)")
    if name == "MLD":
        fail(np.any(yz <= 0, axis=1), "a group estimate is 0 or negative (log undefined)")
    return out


def inequality_measures(
    sets: GroupSets,
    favourable: int,
    conf_level: float,
    df=np.inf,
    measures=MEASURES,
) -> list[Measure]:
    """Every measure for every set; `favourable` is +1 (higher is better), -1 or 0 (unknown).

    Intervals: t(df) Wald, R's on the log scale; df per group (S, G), per set (S,) or a
    scalar (inf = normal). A measure's df is the smallest of the groups it depends on (non-zero
    gradient): D and R need only their two groups' df, BGV every group's.
    """
    y = np.asarray(sets.y, dtype=np.float64)
    pop = np.asarray(sets.pop, dtype=np.float64)
    present = sets.listed & np.isfinite(y) & np.isfinite(pop) & (pop > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(present, pop, 0.0)
        p = p / p.sum(axis=1, keepdims=True)
        mu = np.sum(p * np.where(present, y, 0.0), axis=1)
    ref = np.asarray(sets.ref, dtype=np.int64)
    top = _best(y, present, favourable)
    common = SimpleNamespace(
        sets=sets,
        y=y,
        p=p,
        mu=mu,
        present=present,
        ref=ref,
        top=top,
        anchor=np.where(ref >= 0, ref, top),  # PAF/PAR: the reference group when there is one
        far=_farthest(y, present, ref),
        cov=np.where(present[:, :, None] & present[:, None, :], np.nan_to_num(sets.cov), 0.0),
        var_ok=np.all(~present | (np.diagonal(sets.cov, axis1=1, axis2=2) > 0), axis=1),
        group_df=_group_df(df, y.shape),
        conf_level=conf_level,
    )
    return [_measure(name, common, favourable) for name in measures]


def _group_df(df, shape: tuple[int, ...]) -> np.ndarray:
    """(S, G) design df of each group from a scalar, per-set (S,) or per-group (S, G) df."""
    df = np.asarray(df, dtype=np.float64)
    if df.ndim == 1:
        df = df[:, None]
    return np.broadcast_to(df, shape)


def _measure_df(group_df: np.ndarray, involved: np.ndarray) -> np.ndarray:
    """Per set, the smallest df of the groups a measure depends on (inf when none)."""
    return np.min(np.where(involved, group_df, np.inf), axis=1)


def _measure(name: str, c: SimpleNamespace, favourable: int) -> Measure:
    """One measure over every set, with its status, reason and interval."""
    reason = _reasons(name, c.sets, c.present, c.mu, favourable, c.far)
    k = c.anchor if name in ("PAF", "PAR") else c.top
    value, grad = _values(
        name, c.y, c.p, c.present, c.mu, np.maximum(c.ref, 0), np.maximum(k, 0),
        np.maximum(c.far, 0),
    )  # fmt: skip
    grad = np.where(c.present, np.nan_to_num(grad), 0.0)
    var = np.einsum("sg,sgh,sh->s", grad, c.cov, grad)
    scale = np.einsum("sg,sgh,sh->s", np.abs(grad), np.abs(c.cov), np.abs(grad))
    se = np.where(c.var_ok, variance_root(var, scale), np.nan)
    status = np.where(np.isfinite(se), OK, NO_INTERVAL).astype(object)
    why = np.where(status == OK, "", "a group's SE is 0 or missing (HEAT: no interval)")
    value = np.asarray(value, dtype=np.float64)
    clamp = np.zeros(len(value), dtype=bool)
    if name in ("PAF", "PAR") and favourable:
        clamp = (favourable * value < 0) & (reason == "")
        value = np.where(clamp, 0.0, value)
        status[clamp], why = CLAMPED, np.where(clamp, _CLAMP[favourable], why)
    na = reason != ""
    se = np.where(na | clamp, np.nan, se)
    status[na] = NOT_APPLICABLE
    involved = c.present & (grad != 0)
    lo, hi = _interval(name, value, se, t_quantile(c.conf_level, _measure_df(c.group_df, involved)))
    no_t = (status == OK) & ~(np.isfinite(lo) & np.isfinite(hi))
    status[no_t] = NO_INTERVAL  # df <= 0 (a group with one PSU): the SE stands, no interval
    why = np.where(no_t, "design df of a group not positive: no interval", why)
    group = {"D": c.far, "R": c.far, "PAF": k, "PAR": k, "MDBU": k, "MDBW": k}.get(name)
    return Measure(
        name,
        np.where(na, np.nan, value),
        se,
        np.where(na | clamp, np.nan, lo),
        np.where(na | clamp, np.nan, hi),
        status,
        np.where(na, reason, why).astype(object),
        np.where(na, -1, group) if group is not None else np.full(len(value), -1),
    )


def _interval(name, value, se, t):
    """Wald interval; R's on the log scale."""
    if name != "R":
        return value - t * se, value + t * se
    with np.errstate(divide="ignore", invalid="ignore"):
        half = t * se / np.abs(value)
        return value * np.exp(-half), value * np.exp(half)


_CLAMP = {
    1: "reference below the mean where higher is favourable: set to 0 (HEAT)",
    -1: "reference above the mean where lower is favourable: set to 0 (HEAT)",
}


def _best(y, present, favourable: int) -> np.ndarray:
    """Column of the best group per set (highest if favourable = +1, lowest if -1), -1 if none."""
    if favourable == 0:
        return np.full(len(y), -1)
    score = np.where(present, favourable * np.nan_to_num(y), -np.inf)
    return np.where(present.any(axis=1), np.argmax(score, axis=1), -1)


def _farthest(y, present, ref) -> np.ndarray:
    """Column of the group furthest from the reference (largest |y - y_ref|), -1 if none."""
    rows = np.arange(len(y))
    yr = np.where(ref >= 0, np.nan_to_num(y[rows, np.maximum(ref, 0)]), np.nan)
    gap = np.abs(np.nan_to_num(y) - yr[:, None])
    others = present & (np.arange(y.shape[1])[None, :] != ref[:, None])
    score = np.where(others & np.isfinite(gap), gap, -np.inf)
    return np.where(others.any(axis=1) & (ref >= 0), np.argmax(score, axis=1), -1)
