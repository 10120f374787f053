"""Replicate weights held as R separate columns: views of the data as read, no (n, R) copy.

An (n, R) matrix of 80 replicate weights is 640 MB at 1M rows; the file's columns are already
in memory, so the engine works on them one column at a time (the products it needs are
column-wise anyway) and gathers rows only for the few it needs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class ReplicateColumns:
    """(n, R) replicate weights as a list of R contiguous float64 columns."""

    def __init__(self, columns: Sequence[np.ndarray]) -> None:
        self.columns = [np.ascontiguousarray(c, dtype=np.float64) for c in columns]
        if not self.columns:
            raise ValueError("replicate weights need at least one column")
        sizes = {c.shape for c in self.columns}
        if len(sizes) != 1 or next(iter(sizes)) != (self.columns[0].size,):
            raise ValueError("replicate columns must be 1-D arrays of one length")

    @property
    def shape(self) -> tuple[int, int]:
        return (self.columns[0].size, len(self.columns))

    @property
    def ndim(self) -> int:
        return 2

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """The (n, R) matrix (column-major); for callers that need one, e.g. tests."""
        out = np.empty(self.shape, dtype=np.float64, order="F")
        for r, c in enumerate(self.columns):
            out[:, r] = c
        return out if dtype is None else out.astype(dtype, copy=False)

    def rows(self, index: np.ndarray) -> np.ndarray:
        """The (len(index), R) rows at `index` (column-major: each replicate's values are
        gathered into contiguous memory, ~2x faster than writing strided rows)."""
        return self.rows_t(index).T

    def rows_t(self, index: np.ndarray) -> np.ndarray:
        """The (R, len(index)) transpose of `rows`, C-contiguous."""
        index = np.asarray(index, dtype=np.intp)
        out = np.empty((len(self.columns), index.size))
        for r, c in enumerate(self.columns):
            np.take(c, index, out=out[r])
        return out

    def project(self, matrix: np.ndarray) -> np.ndarray:
        """(n, k) = weights @ matrix for a small (R, k) matrix."""
        k = matrix.shape[1]
        out = np.zeros((k, self.shape[0]))  # one contiguous row per output column
        tmp = np.empty(self.shape[0])
        for r, c in enumerate(self.columns):  # axpy per column, no temporaries
            for j in range(k):
                np.multiply(c, matrix[r, j], out=tmp)
                out[j] += tmp
        return out.T

    @classmethod
    def from_matrix(cls, weights: np.ndarray) -> ReplicateColumns:
        """From an (n, R) matrix (one copy per column unless it is column-major)."""
        return cls([weights[:, r] for r in range(weights.shape[1])])

    def any_negative(self) -> bool:
        return any(bool((c < 0).any()) for c in self.columns)

    def positive_part(self) -> ReplicateColumns:
        return ReplicateColumns([np.maximum(c, 0.0) for c in self.columns])
