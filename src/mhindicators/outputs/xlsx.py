"""An Excel workbook of the results (`results.xlsx`, needs openpyxl: `mhindicators[publish]`).

A sheet per table with frozen headers and number formats by unit; cells of suppressed rows
show `x` (never the value), rows to publish with caution are shaded; a `notes` sheet holds
the flags legend and the provenance. See docs/outputs.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mhindicators.errors import UsageError
from mhindicators.issues import define, issue
from mhindicators.outputs.rounding import RATIO_COLUMNS, UNIT_COLUMNS

define(
    "MHI702",
    "xlsx-needs-openpyxl",
    "error",
    "`--format xlsx` needs the openpyxl library, which is not installed.",
    'Install it with `pip install "mhindicators[publish]"` (or `pip install openpyxl`).',
)

SUPPRESSED = "x"
#: statistics hidden on a suppressed row; counts too when the row is confidential
HIDDEN = ("estimate", "se", "ci_lower", "ci_upper", "cv", "deff")
HIDDEN_CONFIDENTIAL = ("n_unweighted", "weighted_numerator", "events", "n_eff")
CONTRAST_HIDDEN = (*UNIT_COLUMNS, *RATIO_COLUMNS)
CAUTION_FILL = "FFF2CC"
SUPPRESS_FILL = "D9D9D9"


def require_openpyxl() -> None:
    """UsageError (MHI702) when openpyxl is missing."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        msg = "--format xlsx needs openpyxl, which is not installed"
        raise UsageError(msg, [issue("MHI702", msg)]) from None


def number_format(decimals: int) -> str:
    return "0" if decimals == 0 else "0." + "0" * decimals


def published_estimates(est: pd.DataFrame, legend: pd.DataFrame | None) -> pd.DataFrame:
    """The estimates as shown: statistics of suppressed rows replaced by `x`."""
    out = est.astype({c: object for c in est.columns if c in HIDDEN + HIDDEN_CONFIDENTIAL})
    if "action" not in est:
        return out
    hide = (est["action"] == "suppress").to_numpy()
    conf = _confidential(est, legend)
    for col in HIDDEN:
        if col in out:
            out.loc[hide, col] = SUPPRESSED
    for col in HIDDEN_CONFIDENTIAL:
        if col in out:
            out.loc[hide & conf, col] = SUPPRESSED
    return out


def published_contrasts(con: pd.DataFrame, est: pd.DataFrame) -> pd.DataFrame:
    """Contrasts as shown: values hidden when the group's or the reference's cell is suppressed
    (or cannot be found among the estimates)."""
    out = con.astype({c: object for c in con.columns if c in CONTRAST_HIDDEN})
    if not len(con) or "action" not in est:
        return out
    dims = [c for c in _dims(est) if c != "standardization"]
    shown: dict[tuple, bool] = {}
    for row in est[["dataset", "indicator_id", *dims, "action"]].itertuples(index=False):
        key = tuple(row[:-1])
        shown[key] = shown.get(key, True) and row[-1] != "suppress"
    hide = []
    for _, row in con.iterrows():
        cells = []
        for group in (row["group"], row["reference"]):
            values = {d: (row[d] if d in con.columns else "_T") for d in dims}
            values[row["dimension"]] = group
            cells.append((row["dataset"], row["indicator_id"], *(values[d] for d in dims)))
        hide.append(not all(shown.get(c, False) for c in cells))
    mask = np.asarray(hide, dtype=bool)
    for col in CONTRAST_HIDDEN:
        if col in out:
            out.loc[mask, col] = SUPPRESSED
    return out


def write_xlsx(
    path: Path,
    parts: dict[str, pd.DataFrame],
    provenance: dict[str, str],
    rule: dict[str, int],
    legend: pd.DataFrame | None,
) -> None:
    """Write the workbook: one sheet per table, then `notes` (legend and provenance)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    est = parts["estimates"]
    shown = {
        **parts,
        "estimates": published_estimates(est, legend),
        "contrasts": published_contrasts(parts["contrasts"], est),
    }
    shown.pop("flags_legend", None)
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    fills = {
        "publish_with_caution": PatternFill("solid", start_color=CAUTION_FILL),
        "suppress": PatternFill("solid", start_color=SUPPRESS_FILL),
    }
    for name, frame in shown.items():
        sheet = book.create_sheet(name[:31])
        sheet.append(list(frame.columns))
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        units = frame["unit"].tolist() if "unit" in frame else None
        actions = frame["action"].tolist() if "action" in frame else None
        formatted = [i for i, c in enumerate(frame.columns) if c in (*UNIT_COLUMNS, *RATIO_COLUMNS)]
        for r, values in enumerate(frame.itertuples(index=False), start=2):
            sheet.append([_cell(v) for v in values])
            for i in formatted:
                col = frame.columns[i]
                unit = "ratio" if col in RATIO_COLUMNS or units is None else units[r - 2]
                sheet.cell(r, i + 1).number_format = number_format(rule.get(unit, 6))
            if actions is not None and actions[r - 2] in fills:
                for i in formatted:
                    sheet.cell(r, i + 1).fill = fills[actions[r - 2]]
    notes = book.create_sheet("notes")
    notes.append(["Flags legend"])
    notes["A1"].font = bold
    if legend is not None:
        notes.append(list(legend.columns))
        for values in legend.itertuples(index=False):
            notes.append([_cell(v) for v in values])
    notes.append([])
    notes.append([f"'{SUPPRESSED}' = suppressed (action suppress); shaded = publish with caution"])
    notes.append([])
    notes.append(["Provenance"])
    notes.cell(notes.max_row, 1).font = bold
    for key, value in sorted(provenance.items()):
        notes.append([key, value])
    book.save(path)


def _cell(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and np.isinf(value):
        return "INF" if value > 0 else "-INF"
    if isinstance(value, np.generic):
        return value.item()
    return value


def _dims(est: pd.DataFrame) -> list[str]:
    from mhindicators.results import ID_COLUMNS, LABEL_COLUMNS, STAT_COLUMNS

    known = {*ID_COLUMNS, *STAT_COLUMNS, *LABEL_COLUMNS}
    return [c for c in est.columns if c not in known]


def _confidential(est: pd.DataFrame, legend: pd.DataFrame | None) -> np.ndarray:
    if legend is None or "flags" not in est:
        return np.zeros(len(est), dtype=bool)
    codes = set(legend.loc[legend["policy_action"] == "confidential", "flag"])
    flags = est["flags"].fillna("").astype(str)
    return np.asarray([bool(codes & set(f.split(";"))) for f in flags], dtype=bool)
