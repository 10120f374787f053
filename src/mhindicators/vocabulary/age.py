"""Age bands: codes (SDMX style Y18T44, Y_GE65), banding of ages, regrouping of bands."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mhindicators.errors import DefinitionError
from mhindicators.issues import issue, quote

if TYPE_CHECKING:  # the numeric stack is imported only to band data, not to check definitions
    import numpy as np
    import pandas as pd

Band = tuple[int, int | None]
_CODE = re.compile(r"^Y(?:(\d+)T(\d+)|(\d+)|_GE(\d+)|_LT(\d+))$")


def band_code(lower: int, upper: int | None) -> str:
    """(5, 9) -> 'Y5T9'; (0, 0) -> 'Y0'; (85, None) -> 'Y_GE85' (SDMX AGE codes)."""
    if upper is None:
        return f"Y_GE{lower}"
    return f"Y{lower}" if upper == lower else f"Y{lower}T{upper}"


def try_parse_band(code: object) -> Band | None:
    """'Y5T9' -> (5, 9); 'Y0' -> (0, 0); 'Y_LT1' -> (0, 0); 'Y_GE85' -> (85, None); else None."""
    match = _CODE.match(str(code).strip())
    if not match:
        return None
    a, b, single, ge, lt = match.groups()
    if a is not None:
        return (int(a), int(b)) if int(b) >= int(a) else None
    if single is not None:
        return int(single), int(single)
    if ge is not None:
        return int(ge), None
    return (0, int(lt) - 1) if int(lt) >= 1 else None


def parse_band(code: object) -> Band:
    """Like `try_parse_band`, but an invalid code raises DefinitionError (MHI429)."""
    band = try_parse_band(code)
    if band is None:
        raise DefinitionError(
            f"age band {quote(code)} is not an age band code", [issue("MHI429", quote(code))]
        )
    return band


def band_ages(age: pd.Series | np.ndarray, bands: list[Band]) -> pd.Categorical:
    """Band ages (completed years); ages in no band, or missing, become missing.

    Whole-number ages (the usual case) are banded through a lookup table over their range,
    built with the same per-band tests as every other value, so the codes are identical.
    """
    import numpy as np
    import pandas as pd

    values = np.asarray(age, dtype="float64")
    dtype = np.int8 if len(bands) < 127 else np.int64
    with np.errstate(invalid="ignore"):
        whole_age = values.astype(np.int32)  # NaN and huge values: garbage, caught below
    whole = whole_age == values
    first = int(whole_age.min(where=whole, initial=_I32_MAX))
    last = int(whole_age.max(where=whole, initial=_I32_MIN))
    if values.size < _TABLE_MIN_ROWS or not 0 <= last - first <= _TABLE_MAX_SPAN:
        codes = _band_codes(values, bands, dtype)
    else:
        table = _band_codes(np.arange(first, last + 1, dtype=np.float64), bands, dtype)
        whole_age -= first
        np.clip(whole_age, 0, last - first, out=whole_age)  # rows not whole: fixed below
        codes = table[whole_age]
        rest = ~whole
        if rest.any():  # missing or fractional ages: the per-band tests on those rows only
            codes[rest] = _band_codes(values[rest], bands, dtype)
    return pd.Categorical.from_codes(codes, categories=[band_code(lo, hi) for lo, hi in bands])


_I32_MAX, _I32_MIN = 2**31 - 1, -(2**31)
_TABLE_MIN_ROWS = 4096  # below this the per-band passes are as fast
_TABLE_MAX_SPAN = 100_000


def _band_codes(values: np.ndarray, bands: list[Band], dtype) -> np.ndarray:
    """Index of the last band holding each value, -1 for none (NaN is in no band)."""
    import numpy as np

    codes = np.full(values.shape, -1, dtype=dtype)
    for i, (lo, hi) in enumerate(bands):  # a handful of bands: one vectorised pass each
        inside = values >= lo if hi is None else (values >= lo) & (values <= hi)
        codes[inside] = i
    return codes


def regroup_bands(data_codes: list[str], bands: list[Band]) -> dict[str, str] | list[str]:
    """Map data band codes onto coarser target bands, or list why they do not nest."""
    mapping: dict[str, str] = {}
    problems: list[str] = []
    for code in data_codes:
        parsed = try_parse_band(code)
        if parsed is None:
            problems.append(f"{quote(code)} is not an age band code like Y20T24 or Y_GE85")
            continue
        lo, hi = parsed
        target = None
        for t_lo, t_hi in bands:
            fits_lo = lo >= t_lo
            fits_hi = t_hi is None or (hi is not None and hi <= t_hi)
            if fits_lo and fits_hi:
                target = band_code(t_lo, t_hi)
                break
        overlaps = any(
            (t_hi is None or lo <= t_hi) and (hi is None or hi >= t_lo) for t_lo, t_hi in bands
        )
        if target is None and overlaps:
            problems.append(f"data band {code} straddles a boundary of the definition's age groups")
        elif target is not None:
            mapping[code] = target
    return problems or mapping
