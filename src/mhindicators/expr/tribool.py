"""Three-valued (Kleene) booleans as two numpy bool arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd


class TriBool:
    """A vector of true / false / unknown: `value` (False where unknown) and `known`.

    Logic follows Kleene: false and unknown = false, true or unknown = true, not unknown = unknown.
    The arrays may be shared with other results: treat them as read-only.
    """

    __slots__ = ("known", "value")

    def __init__(self, value: np.ndarray, known: np.ndarray) -> None:
        known = np.asarray(known, dtype=bool)
        self.known = known
        self.value = np.asarray(value, dtype=bool) & known

    @classmethod
    def _raw(cls, value: np.ndarray, known: np.ndarray) -> TriBool:
        """Build without normalising; the caller guarantees `value` is False where unknown."""
        obj = object.__new__(cls)
        obj.value = value
        obj.known = known
        return obj

    @classmethod
    def constant(cls, value: bool | None, n: int | None = None) -> TriBool:
        """All true, all false or (value None) all unknown; a 0-d array when `n` is None."""
        shape = () if n is None else (n,)
        known = np.full(shape, value is not None)
        return cls._raw(np.full(shape, bool(value)), known)

    @classmethod
    def from_pandas(cls, values: pd.Series | pd.api.extensions.ExtensionArray) -> TriBool:
        """From a nullable boolean (or 0/1 numeric) column; NA and NaN are unknown."""
        arr = pd.array(values)
        if isinstance(arr.dtype, pd.BooleanDtype):
            data, mask = getattr(arr, "_data", None), getattr(arr, "_mask", None)
            if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray):
                known = ~mask  # masked-array internals: no object round trip
                return cls._raw(data & known, known)
            known = ~np.asarray(arr.isna())
            return cls._raw(arr.to_numpy(dtype=bool, na_value=False), known)
        if arr.dtype == np.dtype(bool):
            return cls._raw(np.array(arr, dtype=bool), np.ones((), dtype=bool))
        floats = np.asarray(arr.to_numpy(dtype="float64", na_value=np.nan))
        known = ~np.isnan(floats)
        return cls._raw((floats != 0) & known, known)

    def true_mask(self) -> np.ndarray:
        """Rows known to be true (known & value)."""
        return self.value

    def false_mask(self) -> np.ndarray:
        """Rows known to be false."""
        return self.known & ~self.value

    def unknown_mask(self) -> np.ndarray:
        """Rows whose truth is unknown (a missing operand)."""
        return ~self.known

    def __and__(self, other: TriBool) -> TriBool:
        value = self.value & other.value
        known = (self.known & other.known) | self.false_mask() | other.false_mask()
        return TriBool._raw(value, known)

    def __or__(self, other: TriBool) -> TriBool:
        value = self.value | other.value
        return TriBool._raw(value, (self.known & other.known) | value)

    def __invert__(self) -> TriBool:
        return TriBool._raw(self.known & ~self.value, self.known)

    def __len__(self) -> int:
        return int(self.value.shape[0]) if self.value.ndim else 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TriBool):
            return NotImplemented
        return bool(
            np.array_equal(self.value, other.value) and np.array_equal(self.known, other.known)
        )

    __hash__ = None  # type: ignore[assignment]

    def broadcast(self, n: int) -> TriBool:
        """The same truth values as full, writable arrays of length `n`."""
        return TriBool._raw(_full(self.value, n), _full(self.known, n))

    def to_pandas(self) -> pd.arrays.BooleanArray:
        """As a pandas nullable boolean array (unknown = <NA>)."""
        return pd.arrays.BooleanArray(self.value.copy(), ~self.known)

    def to_list(self) -> list[bool | None]:
        """As Python values, None for unknown (for tests and messages; not for big data)."""
        value, known = np.atleast_1d(self.value), np.atleast_1d(self.known)
        return [bool(v) if k else None for v, k in zip(value, known, strict=True)]

    def __repr__(self) -> str:
        n = len(self)
        if n <= 10:
            return f"TriBool({self.to_list()})"
        t, f = int(self.value.sum()), int(self.false_mask().sum())
        return f"TriBool(n={n}, true={t}, false={f}, unknown={n - t - f})"


def _full(arr: np.ndarray, n: int) -> np.ndarray:
    if arr.shape == (n,) and arr.flags.writeable:
        return arr
    return np.broadcast_to(arr, (n,)).copy()
