"""Standard populations for direct age standardisation, shipped as data with their source.

Each CSV holds `band,lower,upper,weight` (ages in completed years, `upper` empty for the
open top band) under `# key: value` header lines (name, title, source, year, note).
`get_standard` returns the weights divided by their sum, so a standard published per
100,000, per million or in persons gives the same rates (WHO 2000-2025 sums to 100,035).
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from mhindicators.errors import DataError, DefinitionError, EstimationError
from mhindicators.issues import Issue, define, issue
from mhindicators.vocabulary.age import band_code, parse_band

define(
    "MHI426",
    "stdpop-unknown",
    "error",
    "The standard population is not shipped with mhi and is not a CSV file.",
    "Use one of list_standards() or the path of a CSV with band,lower,upper,weight.",
)
define(
    "MHI427",
    "stdpop-invalid",
    "error",
    "A standard-population CSV does not follow the format.",
    "Columns band,lower,upper,weight; contiguous bands in age order; weights >= 0.",
)
define(
    "MHI428",
    "stdpop-bands-mismatch",
    "error",
    "The data's age bands cannot be formed from the standard's bands.",
    "Use data bands whose limits are limits of the standard's bands, or supply a standard "
    "with the data's bands.",
)
define(
    "MHI429",
    "age-band-code-invalid",
    "error",
    "An age band code is not of the form Y0, Y1T4, Y5T9, Y_LT1 or Y_GE85.",
    "Write age bands as SDMX AGE codes: Y<lower>T<upper> (inclusive) or Y_GE<lower>.",
)

if TYPE_CHECKING:  # pandas is imported only when weights are used, so checking stays light
    import pandas as pd

_DIR = Path(__file__).parent
COLUMNS = ["band", "lower", "upper", "weight"]


def list_standards() -> list[str]:
    """Names of the shipped standards."""
    return sorted(p.stem for p in _DIR.glob("*.csv"))


def get_standard(name: str | Path, extra: Mapping[str, Path] | None = None) -> pd.DataFrame:
    """The standard as DataFrame[band, lower, upper, weight]; weights sum to 1.

    `name` is a shipped standard (see `list_standards`), a name in `extra` (user-supplied
    standards: name -> CSV path, e.g. from the project file), or the path of a CSV in the same
    format. Metadata (name, title, source, year, published_total) is in `df.attrs`.
    """
    return standard_table(name, extra).frame()


def standard_table(name: str | Path, extra: Mapping[str, Path] | None = None) -> StandardTable:
    """The standard's bands and weights as plain lists (no pandas: used by `mhi validate`)."""
    text = str(name)
    if extra and text in extra:
        path = Path(extra[text])
        try:
            content = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:  # a folder, unreadable, not UTF-8
            _invalid(str(path), f"cannot be read as a UTF-8 CSV file ({type(exc).__name__})")
        std = _read(content, str(path))
        std.meta["name"] = text
        return std
    if text in list_standards():
        return _shipped(text).copy()
    path = Path(text)
    if path.suffix.lower() == ".csv" and path.is_file():
        return _read(path.read_text(encoding="utf-8-sig"), str(path))
    close = difflib.get_close_matches(text, list_standards(), n=1)
    hint = f"Did you mean '{close[0]}'? " if close else ""
    raise DefinitionError(
        f"unknown standard population '{text}'",
        [issue("MHI426", f"unknown standard population '{text}'", hint=hint + _names_hint())],
    )


def fit_problems(data_bands: list[str], std: StandardTable, label: str) -> list[Issue]:
    """MHI428 issues for data bands that cannot be formed from the standard's bands."""
    limits = [parse_band(b) for b in data_bands]
    order = sorted(range(len(limits)), key=lambda i: limits[i][0])
    problems = _coverage_problems([limits[i] for i in order], [data_bands[i] for i in order], std)
    edges = ", ".join(str(v) for v in std.lower)
    return [
        issue(
            "MHI428",
            f"{p}; standard '{label}' has bands {', '.join(std.band)}",
            hint=f"Band limits must start at one of the standard's lower limits ({edges}) "
            "and end just before the next one; merge data bands or use another standard.",
        )
        for p in problems
    ]


def align(
    data_bands: list[str],
    standard: str | Path | pd.DataFrame,
    name: str | None = None,
    extra: Mapping[str, Path] | None = None,
) -> pd.DataFrame:
    """Weights of `standard` summed into `data_bands` (in their order), renormalised to 1.

    Every data band must be a union of consecutive standard bands; the data bands must be
    contiguous. Standard bands outside the data's age range are left out (truncated
    standardisation, e.g. adults only) and recorded in `attrs['dropped']`.
    """
    import numpy as np
    import pandas as pd

    std = standard if isinstance(standard, pd.DataFrame) else get_standard(standard, extra)
    label = name or std.attrs.get("name") or str(standard)
    limits = [parse_band(b) for b in data_bands]
    table = StandardTable(
        list(std["band"]),
        [int(v) for v in std["lower"]],
        [None if pd.isna(v) else int(v) for v in std["upper"]],
        [float(w) for w in std["weight"]],
    )
    problems = fit_problems(list(data_bands), table, label)
    if problems:
        raise EstimationError(f"age bands do not fit the standard population '{label}'", problems)
    lo = std["lower"].to_numpy(dtype=float)
    hi = std["upper"].to_numpy(dtype="float64", na_value=np.inf)
    weights, used = [], np.zeros(len(std), dtype=bool)
    for a, b in limits:
        inside = (lo >= a) & (hi <= (np.inf if b is None else b))
        used |= inside
        weights.append(float(std["weight"].to_numpy()[inside].sum()))
    total = sum(weights)
    out = pd.DataFrame(
        {
            "band": list(data_bands),
            "lower": pd.array([a for a, _ in limits], dtype="Int64"),
            "upper": pd.array([b for _, b in limits], dtype="Int64"),
            "weight": np.asarray(weights) / total,
        }
    )
    out.attrs = {**std.attrs, "aligned_from": label, "dropped": list(std["band"][~used])}
    return out


def _coverage_problems(limits: list, codes: list[str], std: StandardTable) -> list[str]:
    lowers = set(std.lower)
    uppers = {v for v in std.upper if v is not None}
    open_top = std.upper[-1] is None
    first, problems = std.lower[0], []
    for (a, b), code in zip(limits, codes, strict=True):
        if a not in lowers:
            below = [v for v in lowers if v <= a]
            why = "below the standard's first age" if a < first else "inside a standard band"
            problems.append(f"data band {code} starts at age {a}, {why}" + _near(a, below))
        if b is None and not open_top:
            problems.append(f"data band {code} is open-ended but the standard's top band is not")
        elif b is not None and b not in uppers:
            problems.append(f"data band {code} ends at age {b}, inside a standard band")
    for (_, b0), (a1, _), c0, c1 in zip(limits, limits[1:], codes, codes[1:], strict=False):
        if b0 is None or a1 <= b0:
            problems.append(f"data bands {c0} and {c1} overlap")
        elif a1 > b0 + 1:
            problems.append(
                f"data bands leave a gap between {c0} and {c1} (ages {b0 + 1}-{a1 - 1})"
            )
    return problems


def _near(age: int, below: list[int]) -> str:
    return f" (nearest standard limit below: {max(below)})" if below else ""


def _names_hint() -> str:
    return "Shipped standards: " + ", ".join(list_standards()) + "."


@dataclass
class StandardTable:
    """A standard population as read from its CSV: weights as published (not normalised)."""

    band: list[str]
    lower: list[int]
    upper: list[int | None]
    weight: list[float]
    meta: dict[str, object] = field(default_factory=dict)

    def copy(self) -> StandardTable:
        return StandardTable(
            [*self.band], [*self.lower], [*self.upper], [*self.weight], dict(self.meta)
        )

    def frame(self) -> pd.DataFrame:
        """DataFrame[band, lower, upper, weight] with weights summing to 1; meta in attrs."""
        import numpy as np
        import pandas as pd

        total = float(sum(self.weight))
        df = pd.DataFrame(
            {
                "band": list(self.band),
                "lower": pd.array(self.lower, dtype="Int64"),
                "upper": pd.array(self.upper, dtype="Int64"),
                "weight": np.asarray(self.weight) / total,
            }
        )
        df.attrs = dict(self.meta)
        return df


@cache
def _shipped(name: str) -> StandardTable:
    return _read((_DIR / f"{name}.csv").read_text(encoding="utf-8"), name)


def _read(text: str, where: str) -> StandardTable:
    meta: dict[str, object] = {}
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("#") and not body:
            key, _, value = line.lstrip("#").partition(":")
            meta[key.strip()] = value.strip()
        elif line.strip():
            body.append(line)
    rows = list(csv.reader(io.StringIO("\n".join(body))))
    if not rows or [c.strip() for c in rows[0]] != COLUMNS:
        _invalid(where, "the header must be band,lower,upper,weight")
    bands, lower, upper, weight = [], [], [], []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != 4:
            _invalid(where, f"data row {n} has {len(row)} fields, not 4")
        code, lo, hi, w = (c.strip() for c in row)
        try:
            lo_i, hi_i, w_f = int(lo), (int(hi) if hi else None), float(w)
        except ValueError:
            _invalid(where, f"data row {n}: lower/upper must be integers, weight a number")
        if (lo_i, hi_i) != parse_band(code):
            _invalid(where, f"data row {n}: band {code} does not match ages {lo}-{hi}")
        if not math.isfinite(w_f) or w_f < 0:
            _invalid(where, f"data row {n}: weight {w} must be a finite number >= 0")
        bands.append(code)
        lower.append(lo_i)
        upper.append(hi_i)
        weight.append(w_f)
    if not bands or sum(weight) <= 0:
        _invalid(where, "the standard needs at least one band with a positive weight")
    for i in range(1, len(bands)):
        previous = upper[i - 1]
        if previous is None or lower[i] != previous + 1:
            _invalid(where, f"bands {bands[i - 1]} and {bands[i]} are not contiguous")
    total = float(sum(weight))
    meta = {**meta, "name": meta.get("name", where), "published_total": total}
    return StandardTable(bands, lower, upper, weight, meta)


def _invalid(where: str, message: str) -> NoReturn:
    raise DataError(f"{where}: {message}", [issue("MHI427", message, where)])


__all__ = [
    "StandardTable",
    "align",
    "band_code",
    "fit_problems",
    "get_standard",
    "list_standards",
    "parse_band",
    "standard_table",
]
