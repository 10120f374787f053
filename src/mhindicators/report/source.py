"""The tables a report reads: from a run's output folder (as `mhi compute` wrote it) or from a
ResultTable in memory. Checks the folder's layout and the version of mhi that wrote it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import mhindicators
from mhindicators.errors import DataError, UsageError
from mhindicators.issues import issue, quote
from mhindicators.report import codes  # noqa: F401  (registers MHI950-MHI969)
from mhindicators.results import ID_COLUMNS, ResultTable

#: tables a report cannot do without, and the columns each must have
REQUIRED = {
    "estimates": [*ID_COLUMNS, "estimate", "ci_lower", "ci_upper", "flags", "status"],
    "contrasts": ["indicator_id", "dataset", "dimension", "group", "reference", "difference"],
    "summary": ["indicator_id", "dataset", "status", "reason"],
}
#: further tables shown when the run has them
OPTIONAL = ("inequality", "flags_legend", "codelists", "comparison", "stacked")
#: columns read as text from CSV (codes such as `_T`, flags, ids)
_NUMERIC = {
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "conf_level",
    "df",
    "deff",
    "cv",
    "n_unweighted",
    "weighted_numerator",
    "weighted_denominator",
    "n_eff",
    "unknown_migratory_share",
    "events",
    "denominator",
    "reference_estimate",
    "difference",
    "difference_se",
    "difference_ci_lower",
    "difference_ci_upper",
    "ratio",
    "ratio_se",
    "ratio_ci_lower",
    "ratio_ci_upper",
    "n_groups",
    "n_universe",
    "n_missing_outcome",
    "n_excluded_age",
}


@dataclass
class Run:
    """The tables of one run, as the report reads them."""

    estimates: pd.DataFrame
    contrasts: pd.DataFrame
    summary: pd.DataFrame
    provenance: dict[str, str] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    origin: str = "computed in memory"

    def table(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)


def run_from_result(result: ResultTable) -> Run:
    """A Run over a ResultTable (nothing read from disk)."""
    tables = dict(result.tables)
    if result.legend is not None:
        tables["flags_legend"] = result.legend
    if result.codelists is not None:
        tables["codelists"] = result.codelists
    return Run(result.estimates, result.contrasts, result.summary, dict(result.provenance), tables)


def load_run(folder: Path | str) -> Run:
    """Read a run folder; MHI951 (missing), MHI952 (a table missing), MHI953 (other version)."""
    folder = Path(folder)
    if not folder.is_dir():
        msg = f"run folder not found: {quote(str(folder))}"
        raise UsageError(msg, [issue("MHI951", msg, str(folder))])
    provenance = _provenance(folder)
    _check_version(folder, provenance)
    frames = {}
    for name in (*REQUIRED, *OPTIONAL):
        frame = _read(folder, name)
        if frame is None and name in REQUIRED:
            msg = f"the run has no {name} table ({name}.parquet or {name}.csv)"
            raise DataError(msg, [issue("MHI952", msg, str(folder))])
        if frame is not None:
            frames[name] = frame
    for name, columns in REQUIRED.items():
        missing = [c for c in columns if c not in frames[name].columns]
        if missing:
            msg = (
                f"{name} lacks the column(s) {', '.join(missing)}: written by another version "
                f"(tool_version {quote(provenance.get('tool_version', 'unknown'))})"
            )
            raise DataError(msg, [issue("MHI953", msg, str(folder / name))])
    tables = {n: frames[n] for n in OPTIONAL if n in frames}
    est, con, summ = (frames[n] for n in REQUIRED)
    return Run(est, con, summ, provenance, tables, origin=str(folder))


def _provenance(folder: Path) -> dict[str, str]:
    """From the Parquet schema metadata, else from datapackage.json (a CSV-only run)."""
    parquet = folder / "estimates.parquet"
    if parquet.is_file():
        from mhindicators.outputs.writers import read_provenance

        return read_provenance(parquet)
    package = folder / "datapackage.json"
    if package.is_file():
        try:
            return dict(json.loads(package.read_text(encoding="utf-8")).get("mhi:provenance", {}))
        except (ValueError, AttributeError):
            return {}
    return {}


def _check_version(folder: Path, provenance: dict[str, str]) -> None:
    """The run's tool and major.minor version must be this one's (0.x: minor changes layout)."""
    if not (folder / "estimates.parquet").is_file() and not (folder / "estimates.csv").is_file():
        return  # reported as MHI952 by the caller
    tool, found = provenance.get("tool"), provenance.get("tool_version", "")
    want = ".".join(mhindicators.__version__.split(".")[:2])
    if tool != "mhi" or ".".join(found.split(".")[:2]) != want:
        what = "no mhi provenance" if tool != "mhi" else f"mhi {quote(found)}"
        msg = f"run written by {what}; this is mhi {mhindicators.__version__}"
        raise DataError(msg, [issue("MHI953", msg, str(folder))])


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if parquet.is_file():
        return pd.read_parquet(parquet)
    if not csv.is_file():
        return None
    head = pd.read_csv(csv, nrows=0).columns
    text = {c: str for c in head if c not in _NUMERIC}
    frame = pd.read_csv(csv, dtype=text, keep_default_na=False)
    for col in head:
        if col in _NUMERIC:
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame
