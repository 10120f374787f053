"""Age bands: codes (SDMX style Y18T44, Y_GE65), banding of ages, regrouping of bands."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

Band = tuple[int, int | None]
_CODE = re.compile(r"^Y(?:(\d+)T(\d+)|_GE(\d+)|(\d+))$")


def band_code(lower: int, upper: int | None) -> str:
    """[18, 44] -> 'Y18T44'; [65, None] -> 'Y_GE65'."""
    return f"Y_GE{lower}" if upper is None else f"Y{lower}T{upper}"


def parse_band(code: str) -> Band | None:
    """'Y18T44' -> (18, 44); 'Y_GE85' -> (85, None); 'Y0' -> (0, 0); None if not a band code."""
    match = _CODE.match(str(code))
    if not match:
        return None
    lo, hi, ge, single = match.groups()
    if ge is not None:
        return int(ge), None
    if single is not None:
        return int(single), int(single)
    return int(lo), int(hi)


def band_ages(age: pd.Series | np.ndarray, bands: list[Band]) -> pd.Categorical:
    """Band ages (completed years); ages in no band, or missing, become missing."""
    values = np.asarray(age, dtype="float64")
    codes = np.full(values.shape, -1, dtype=np.int64)
    for i, (lo, hi) in enumerate(bands):  # a handful of bands: vectorised per band
        inside = values >= lo if hi is None else (values >= lo) & (values <= hi)
        codes[inside] = i
    return pd.Categorical.from_codes(codes, categories=[band_code(lo, hi) for lo, hi in bands])


def regroup_bands(data_codes: list[str], bands: list[Band]) -> dict[str, str] | list[str]:
    """Map data band codes onto coarser target bands, or list why they do not nest."""
    mapping: dict[str, str] = {}
    problems: list[str] = []
    for code in data_codes:
        parsed = parse_band(code)
        if parsed is None:
            problems.append(f"'{code}' is not an age band code like Y20T24 or Y_GE85")
            continue
        lo, hi = parsed
        target = None
        for t_lo, t_hi in bands:
            fits_lo = lo >= t_lo
            fits_hi = t_hi is None or (hi is not None and hi <= t_hi)
            if fits_lo and fits_hi:
                target = band_code(t_lo, t_hi)
                break
        starts_inside = any(lo >= t_lo and (t_hi is None or lo <= t_hi) for t_lo, t_hi in bands)
        if target is None and starts_inside:
            problems.append(f"data band {code} straddles a boundary of the definition's age groups")
        elif target is not None:
            mapping[code] = target
    return problems or mapping
