"""Cell codes of the events and the denominator table on one shared set of levels.

Both frames are harmonised separately, so a dimension's categories can differ between them
(a country present in only one, a band order). Levels are the union of both frames'
categories (events first); each frame's category codes are remapped onto the union through a
small lookup (one entry per category), so no per-row string or object array is ever built.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mhindicators.engine.domains import Cells, encode_cells


def cell_frame(frame: pd.DataFrame, dims: list[str], extra: dict) -> pd.DataFrame:
    """Only the cell dimensions of `frame`, with `extra` columns (e.g. age groups) in place
    of the frame's own; the frame is neither copied nor modified."""
    data = {d: extra[d] if d in extra else frame[d].array for d in dims}
    return pd.DataFrame(data, index=pd.RangeIndex(len(frame)), copy=False)


def shared_cells(
    frames: list[pd.DataFrame], dims: list[str], keeps: list[np.ndarray]
) -> list[Cells]:
    """Encode the frames with identical levels per dimension (the union of their categories,
    in order of first appearance; `_U` last when a kept row of either frame is missing)."""
    columns: list[dict] = [{} for _ in frames]
    for dim in dims:
        cats = [pd.Categorical(f[dim]) for f in frames]
        union: list = []
        for cat in cats:
            union += [c for c in cat.categories if c not in union]
        dtype = pd.CategoricalDtype(union)
        for out, cat in zip(columns, cats, strict=True):
            out[dim] = _onto(cat, dtype)
    recoded = [
        pd.DataFrame(c, index=pd.RangeIndex(len(f)), copy=False)
        for c, f in zip(columns, frames, strict=True)
    ]
    out = [encode_cells(f, dims, k) for f, k in zip(recoded, keeps, strict=True)]
    if out[0].levels != out[1].levels:  # a level `_U` appears in only one frame
        levels = [
            tuple(dict.fromkeys(a + b)) for a, b in zip(out[0].levels, out[1].levels, strict=True)
        ]
        out = [_recode(c, levels) for c in out]
    return out


def _onto(cat: pd.Categorical, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """`cat` with the categories of `dtype` (a superset): its codes through a lookup."""
    same = cat.categories.dtype == dtype.categories.dtype
    if same and cat.categories.equals(dtype.categories):
        return cat
    lookup = dtype.categories.get_indexer(cat.categories)
    lookup = np.append(lookup, -1).astype(np.int64)  # code -1 (missing) stays -1
    return pd.Categorical.from_codes(lookup[np.asarray(cat.codes)], dtype=dtype)


def _recode(cells: Cells, levels: list[tuple[str, ...]]) -> Cells:
    sizes = [len(lv) for lv in cells.levels]
    digits, rest = [], cells.codes.copy()
    for size in reversed(sizes):
        digits.append(rest % size)
        rest //= size
    digits.reverse()
    codes = np.zeros_like(cells.codes)
    for d, (old, new) in enumerate(zip(cells.levels, levels, strict=True)):
        lookup = np.asarray([new.index(v) for v in old], dtype=np.int64)
        codes = codes * len(new) + lookup[digits[d]]
    return Cells(cells.dims, tuple(levels), np.where(cells.codes >= 0, codes, -1))
