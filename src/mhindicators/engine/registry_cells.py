"""Cell codes of the events and the denominator table on one shared set of levels.

Both frames are harmonised separately, so a dimension's categories can differ between them
(a country present in only one, a band order). Levels are the union of both frames'
categories (events first), plus `_U` last when a kept row of either frame is missing (as
`domains.encode_cells` does for one frame). Each frame's category codes are remapped onto the
union through a small lookup (one entry per category), and only the kept rows are encoded:
no per-row string or object array, and no code array for rows that are summed nowhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mhindicators.engine.domains import UNKNOWN, Cells


def cell_frame(frame: pd.DataFrame, dims: list[str], extra: dict) -> pd.DataFrame:
    """Only the cell dimensions of `frame`, with `extra` columns (e.g. age groups) in place
    of the frame's own; the frame is neither copied nor modified."""
    data = {d: extra[d] if d in extra else frame[d].array for d in dims}
    return pd.DataFrame(data, index=pd.RangeIndex(len(frame)), copy=False)


def kept_cells(
    frames: list[pd.DataFrame], dims: list[str], keeps: list[np.ndarray]
) -> tuple[Cells, list[np.ndarray]]:
    """The shared levels (a Cells without row codes) and, per frame, the cell code of each
    kept row, in row order (so sums over them add up in the same order as over all rows)."""
    per_dim: list[list[np.ndarray]] = [[] for _ in frames]  # per frame, per dimension
    levels: list[tuple[str, ...]] = []
    unknowns: list[bool] = []
    for dim in dims:
        cats = [pd.Categorical(f[dim]) for f in frames]
        union: list = []
        for cat in cats:
            union += [c for c in cat.categories if c not in union]
        index = pd.CategoricalDtype(union).categories
        unknown = False
        for out, cat, keep in zip(per_dim, cats, keeps, strict=True):
            codes = _onto(cat, index)
            if codes.size and codes.min() < 0:  # any missing, then any missing that is kept
                unknown |= bool(np.logical_and(codes < 0, keep).any())
            out.append(codes)
        levels.append(tuple([str(c) for c in index] + ([UNKNOWN] if unknown else [])))
        unknowns.append(unknown)
    cells = Cells(tuple(dims), tuple(levels), np.zeros(0, dtype=np.int64))
    sizes = [len(lv) for lv in levels]
    return cells, [
        _combine(parts, sizes, unknowns, keep) for parts, keep in zip(per_dim, keeps, strict=True)
    ]


def _onto(cat: pd.Categorical, index: pd.Index) -> np.ndarray:
    """Codes of `cat` on the categories `index` (a superset), -1 = missing."""
    codes = np.asarray(cat.codes)
    if cat.categories.dtype == index.dtype and cat.categories.equals(index):
        return codes
    lookup = np.append(index.get_indexer(cat.categories), -1)  # code -1 (missing) stays -1
    return lookup.astype(np.int32 if len(index) < 2**31 - 1 else np.int64)[codes]


def _combine(parts: list[np.ndarray], sizes: list[int], unknowns: list[bool], keep: np.ndarray):
    """Mixed-radix cell codes of the kept rows; a missing code (-1) is level `_U`, the last
    level of its dimension. Built over all rows in the smallest integer type that holds every
    cell (rows not kept may wrap; they are dropped), then compressed once."""
    n_cells = int(np.prod(sizes, dtype=np.int64))
    dtype = next(t for t in (np.int16, np.int32, np.int64) if n_cells <= np.iinfo(t).max)
    codes = np.zeros(len(keep), dtype=dtype)
    for part, size, unknown in zip(parts, sizes, unknowns, strict=True):
        codes *= size
        codes += part  # same kind or narrower: no upcast, in place
        if unknown:
            codes[part < 0] += size  # -1 + size = the index of `_U`
    return codes[keep].astype(np.intp)  # np.bincount's index type
