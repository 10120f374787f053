"""Weighted quantiles of many groups at once, with R `survey` 4.1's quantile rules.

Rows arrive sorted by group and then by value (one `np.argsort` of the value per dataset and
a stable sort of the group codes); every rule is then a segmented cumulative sum and a count
per group (`np.bincount`), so the cost stays that of the sort, never a loop over groups.
Rows with zero weight are dropped first, as R's `qrule_*` functions do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: rule name -> (family, parameter); `math` = hf1, `school` = hf2 (R survey 4.1 `qrule_*`)
STEP_RULES = {"math": "hf1", "school": "hf2", "hf1": "hf1", "hf2": "hf2", "hf4": "hf4"}
INTERPOLATING_RULES = ("hf5", "hf6", "hf7", "hf8", "hf9")
QUANTILE_RULES = tuple(STEP_RULES) + INTERPOLATING_RULES


def sort_groups(values: np.ndarray, group: np.ndarray, value_order: np.ndarray | None = None):
    """Row order by group then value; `value_order` (an argsort of `values`) is reused when
    given, so several groupings of one variable cost one value sort."""
    if value_order is None:
        value_order = np.argsort(values, kind="stable")
    g = group[value_order]
    return value_order[np.argsort(g, kind="stable")]


@dataclass(frozen=True)
class Sorted:
    """Rows sorted by group then value (all w > 0), with the per-group cumulative weights."""

    x: np.ndarray
    w: np.ndarray
    group: np.ndarray
    n: np.ndarray  # rows per group
    starts: np.ndarray
    last: np.ndarray
    cw: np.ndarray  # cumulative weight within the group
    total: np.ndarray  # per group; NaN when empty
    order: np.ndarray | None = None  # the row order that sorted the inputs, when known


def prepare(x: np.ndarray, w: np.ndarray, group: np.ndarray, n_groups: int, order=None) -> Sorted:
    """The cumulative weights every rule needs, computed once for several probabilities."""
    n = np.bincount(group, minlength=n_groups)
    starts = np.r_[0, np.cumsum(n)][:-1]
    last = starts + n - 1
    # R's cumsum accumulates in long double and stores doubles; so do we, per group, so that
    # ties such as p = k/n hit a plotting position exactly as in R
    cl = np.cumsum(w, dtype=np.longdouble)
    before = np.r_[np.longdouble(0), cl][starts]
    cw = (cl - before[group]).astype(np.float64)
    has = n > 0
    total = np.where(has, cw[np.where(has, last, 0)] if len(cw) else 0.0, np.nan)
    return Sorted(x, w, group, n, starts, last, cw, total, order)


def grouped_quantile(
    x: np.ndarray,
    w: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    p: np.ndarray,
    rule: str,
    prepared: Sorted | None = None,
) -> np.ndarray:
    """Quantile p[g] of each group g under `rule`, as R `qrule_<rule>(x, w, p)`.

    x, w, group: rows sorted by group then x, all w > 0; p: (n_groups,) probabilities.
    Groups without rows, or with one row under an interpolating rule (R's `approx` needs two
    points), give NaN; so does a NaN p. `prepared` (from `prepare`) skips the cumulative sums.
    """
    s = prepared if prepared is not None else prepare(x, w, group, n_groups)
    p = np.asarray(p, dtype=np.float64)
    args = (s.x, s.cw, s.group, s.n, s.starts, s.last, s.total, p)
    if rule in STEP_RULES:
        out = _step(*args, STEP_RULES[rule])
    elif rule in INTERPOLATING_RULES:
        out = _interpolate(s.x, s.w, *args[1:], rule)
    else:
        raise ValueError(f"unknown quantile rule {rule!r}")
    return np.where((s.n > 0) & ~np.isnan(p), out, np.nan)


def _step(x, cw, group, n, starts, last, total, p, rule):
    """R `qs`: pos = last row with cumw <= p sum(w) (the first row when none), next = pos + 1."""
    target = (p * total)[group]
    count = np.bincount(group, weights=(cw <= target), minlength=len(n)).astype(np.int64)
    pos = starts + np.maximum(count, 1) - 1
    nxt = np.where(pos >= last, pos, pos + 1)
    pos, nxt = np.where(n > 0, pos, 0), np.where(n > 0, nxt, 0)
    if len(x) == 0:
        return np.full(len(n), np.nan)
    qlow, qup = x[pos], x[nxt]
    wlow = p - cw[pos] / total
    if rule == "hf1":
        return np.where(wlow == 0, qlow, qup)
    if rule == "hf2":
        return np.where(wlow == 0, (qlow + qup) / 2, qup)
    wup = cw[nxt] / total - p  # hf4
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = wlow / (wup + wlow)
    return qlow * (1 - gamma) + qup * gamma


def _positions(w, cw, group, n, last, total, rule):
    """R's plotting positions pk of each row for the interpolating rules."""
    prev = cw - w
    wn = w[np.where(n > 0, last, 0)] if len(w) else np.zeros(len(n))
    with np.errstate(divide="ignore", invalid="ignore"):
        if rule == "hf7":  # c(0, cumw[-n]) / cumw[n - 1]
            second_last = np.where(n > 1, cw[np.maximum(last - 1, 0)] if len(w) else 0, np.nan)
            return prev / second_last[group]
        if rule == "hf5":
            return (cw - w / 2) / total[group]
        if rule == "hf6":
            return cw / (total + wn)[group]
        if rule == "hf8":
            return (prev / 3 + cw * 2 / 3) / (total + wn / 3)[group]
        return (prev * 3 / 8 + cw * 5 / 8) / (total + wn / 4)[group]  # hf9


def _interpolate(x, w, cw, group, n, starts, last, total, p, rule):
    """R `approx(pk, x, p, method = "linear", rule = 2)`: constant beyond the ends."""
    if len(x) == 0:
        return np.full(len(n), np.nan)
    pk = _positions(w, cw, group, n, last, total, rule)
    count = np.bincount(group, weights=(pk <= p[group]), minlength=len(n)).astype(np.int64)
    lo = starts + np.clip(count - 1, 0, np.maximum(n - 2, 0))
    hi = np.minimum(lo + 1, np.maximum(last, 0))
    lo, hi = np.where(n > 0, lo, 0), np.where(n > 0, hi, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = x[lo] + (x[hi] - x[lo]) * ((p - pk[lo]) / (pk[hi] - pk[lo]))
    out = np.where(p == pk[lo], x[lo], np.where(p == pk[hi], x[hi], inner))
    out = np.where(count == 0, x[np.where(n > 0, starts, 0)], out)
    out = np.where(count >= n, x[np.where(n > 0, last, 0)], out)
    return np.where((n > 1) & ~np.isnan(pk[lo]), out, np.nan)
