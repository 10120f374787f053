"""Factor codes of integer columns with a small range, by a table over the range.

Survey extracts store most codes as small integers (sex 1/2, country codes, strata, PSU ids
numbered within strata). Hashing 10M such values (`pd.factorize`) takes ~0.1 s a column; one
`bincount` over the range and a table lookup give the same codes several times faster.
"""

from __future__ import annotations

import numpy as np

#: widest range of values (max - min + 1) coded by a table; wider columns are hashed
MAX_RANGE = 1 << 20


def small_int_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(codes, uniques, counts) of an integer array whose values span at most `MAX_RANGE`
    integers (and not more than its length), uniques sorted: the codes and uniques of
    `pd.factorize(values, sort=True)`. None for any other array (floats, objects, nullable
    or wide-ranging integers), which callers factorise by hashing."""
    if not isinstance(values, np.ndarray) or values.dtype.kind not in "iu" or values.size == 0:
        return None
    lo, hi = int(values.min()), int(values.max())
    span = hi - lo + 1
    if span > min(MAX_RANGE, max(values.size, 1024)):
        return None
    index = values if lo >= 0 else values.astype(np.int64) - lo
    counts = np.bincount(index, minlength=hi + 1 if lo >= 0 else span)
    present = np.flatnonzero(counts)
    table = np.zeros(counts.size, dtype=np.intp)
    table[present] = np.arange(present.size)
    uniques = (present + (0 if lo >= 0 else lo)).astype(values.dtype)
    return table[index], uniques, counts[present]
