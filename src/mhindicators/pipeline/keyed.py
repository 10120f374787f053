"""Sufficient statistics labelled by their keys, merged by key union across row batches.

A batch (or a Dask partition) is encoded on its own: its cells on the levels it saw, its
strata and PSUs numbered in its own order. `GroupPart` carries those labels beside the
`SurveyStats`; `merge_parts` puts two parts on the union of their keys (levels of each
dimension, stratum labels, PSU keys) and adds them with `SurveyStats.merge`. Relabelling only
moves sums between slots (nothing is recomputed), so the merge is exact in any order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mhindicators.core.stats import SurveyStats
from mhindicators.frame.domains import UNKNOWN


@dataclass
class GroupPart:
    """One cross-classification's statistics over some rows, with the keys they are on."""

    stats: SurveyStats
    levels: tuple[tuple[str, ...], ...]  # per dimension; cells are mixed-radix over these
    strata: np.ndarray  # (H,) object: stratum label of each stratum code
    psus: np.ndarray  # (P,) object: key of each PSU code ("stratum\x1fpsu" when nested)
    n_universe: np.ndarray  # (K,) rows in each column's universe before missing outcomes
    n_missing: np.ndarray  # (K,)
    n_excluded_age: np.ndarray  # (K,)
    unknown: np.ndarray  # (K, 2) unknown and all weight sums behind `unknown_share`


def merge_parts(a: GroupPart, b: GroupPart) -> GroupPart:
    """The part of the union of both parts' rows (keys of `a` keep their codes)."""
    levels = tuple(_union_levels(u, v) for u, v in zip(a.levels, b.levels, strict=True))
    strata = _union_keys(a.strata, b.strata)
    psus = _union_keys(a.psus, b.psus)
    sa = _relabel(a, levels, strata, psus)
    sb = _relabel(b, levels, strata, psus)
    stats = sa.merge(sb)
    stats.strata_labels = [str(s) for s in strata]
    return GroupPart(
        stats,
        levels,
        strata,
        psus,
        a.n_universe + b.n_universe,
        a.n_missing + b.n_missing,
        a.n_excluded_age + b.n_excluded_age,
        _add_unknown(a.unknown, b.unknown),
    )


def _add_unknown(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u + v  # nan (no migration dimension) stays nan


def _union_levels(u: tuple[str, ...], v: tuple[str, ...]) -> tuple[str, ...]:
    """Levels of one dimension over both parts, as one encoding of all rows would give them:
    the categories (the same list when the vocabulary fixes them, else sorted as pandas
    sorts observed values), then `_U` if either part has unknowns."""
    if u == v:
        return u
    cu, cv = [x for x in u if x != UNKNOWN], [x for x in v if x != UNKNOWN]
    known = cu if cu == cv else sorted(set(cu) | set(cv))
    return tuple(known + ([UNKNOWN] if UNKNOWN in u or UNKNOWN in v else []))


def _union_keys(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """`u` followed by the keys of `v` it lacks (so `u`'s codes stay as they are)."""
    if u.size == v.size and np.array_equal(u, v):
        return u
    new = v[~np.isin(v, u)]
    return np.concatenate([u, new]) if new.size else u


def _positions(keys: np.ndarray, union: np.ndarray) -> np.ndarray:
    """Index of each of `keys` in `union` (which holds them all)."""
    order = np.argsort(union, kind="stable")
    return order[np.searchsorted(union, keys, sorter=order)]


def _relabel(part: GroupPart, levels, strata: np.ndarray, psus: np.ndarray) -> SurveyStats:
    """`part.stats` on the union keys: cells, strata and PSUs moved to their union codes."""
    stats = part.stats
    if part.levels != levels:
        stats = recell(stats, cell_map(part.levels, levels), _n_cells(levels))
    if not np.array_equal(part.strata, strata[: part.strata.size]):
        stats = restrata(stats, _positions(part.strata, strata))
    if part.psus.size and not np.array_equal(part.psus, psus[: part.psus.size]):
        stats = repsu(stats, _positions(part.psus, psus), psus.size)
    return stats


def _n_cells(levels) -> int:
    return int(np.prod([len(lv) for lv in levels], dtype=np.int64)) if levels else 1


def cell_map(old: tuple, new: tuple) -> np.ndarray:
    """Code in the cells of `new` levels of every cell of `old` levels (mixed radix)."""
    code = np.zeros(_n_cells(old), dtype=np.int64)
    if not old:
        return code
    grids = np.meshgrid(*[np.arange(len(lv)) for lv in old], indexing="ij")
    for d, (lo, ln) in enumerate(zip(old, new, strict=True)):
        where = {level: i for i, level in enumerate(ln)}
        lookup = np.asarray([where[level] for level in lo], dtype=np.int64)
        code = code * len(ln) + lookup[grids[d].ravel()]
    return code


def recell(stats: SurveyStats, to: np.ndarray, n_cells: int) -> SurveyStats:
    """`stats` with cell c moved to cell `to[c]` of `n_cells` (the new ones empty)."""

    def axis(a: np.ndarray, ax: int) -> np.ndarray:
        shape = list(a.shape)
        shape[ax] = n_cells
        out = np.zeros(shape, dtype=a.dtype)
        index: list[slice | np.ndarray] = [slice(None)] * a.ndim
        index[ax] = to
        out[tuple(index)] = a
        return out

    def optional_axis(a: np.ndarray | None, ax: int) -> np.ndarray | None:
        return None if a is None else axis(a, ax)

    return replace(
        stats,
        n_cells=n_cells,
        cs=axis(stats.cs, 2),
        cs_n=axis(stats.cs_n, 1),
        cs_nz=axis(stats.cs_nz, 1),
        psu_parts=[(to[c], *rest) for c, *rest in stats.psu_parts],
        rep=optional_axis(stats.rep, 2),
        rep_pos=optional_axis(stats.rep_pos, 2),
        gram=None if stats.gram is None else [axis(g, 0) for g in stats.gram],
        logit_parts=None
        if stats.logit_parts is None
        else [None if p is None else (to[p[0]], *p[1:]) for p in stats.logit_parts],
    )


def restrata(stats: SurveyStats, to: np.ndarray) -> SurveyStats:
    """`stats` with stratum h moved to stratum `to[h]`."""
    h = int(to.max(initial=-1)) + 1

    def last(a: np.ndarray, fill=0) -> np.ndarray:
        out = np.full((*a.shape[:-1], h), fill, dtype=a.dtype)
        out[..., to] = a
        return out

    ps = stats.psu_stratum
    return replace(
        stats,
        cs=last(stats.cs),
        cs_n=last(stats.cs_n),
        cs_nz=last(stats.cs_nz),
        stratum_rows=last(stats.stratum_rows),
        stratum_fpc=last(stats.stratum_fpc, np.nan),
        psu_stratum=np.where(ps >= 0, to[np.maximum(ps, 0)], -1) if ps.size else ps,
    )


def repsu(stats: SurveyStats, to: np.ndarray, n_psus: int) -> SurveyStats:
    """`stats` with PSU p moved to PSU `to[p]` of `n_psus`."""
    ps = np.full(n_psus, -1, dtype=np.int64)
    ps[to] = stats.psu_stratum[: to.size]
    parts = [(cell, to[psu], *rest) for cell, psu, *rest in stats.psu_parts]
    return replace(stats, psu_stratum=ps, psu_parts=parts)
