"""Assembling a run's report: unit scaling, identification columns, summary, provenance."""

from __future__ import annotations

import platform
from collections.abc import Mapping
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pandas as pd

import mhindicators
from mhindicators import digests
from mhindicators.definitions import Catalog, Indicator
from mhindicators.digests import sha256_file
from mhindicators.issues import Issue
from mhindicators.pipeline.plan import Plan
from mhindicators.project import Project

SCALED = ("estimate", "se", "ci_lower", "ci_upper")
SCALED_CONTRAST = (
    "estimate",
    "reference_estimate",
    "difference",
    "difference_se",
    "difference_ci_lower",
    "difference_ci_upper",
)


def finish(table: pd.DataFrame, ind: Indicator, meta: dict, scale_cols=SCALED) -> pd.DataFrame:
    """Add identification columns and express estimates in the indicator's unit."""
    out = table.copy()
    mult = ind.effective_multiplier
    for col in scale_cols:
        if col in out.columns:
            out[col] = out[col] * mult
    ident = {
        **meta,
        "indicator_id": ind.id,
        "indicator_version": ind.version,
        "source": ind.source,
        "estimator": ind.estimator,
        "unit": ind.unit,
    }
    return out.assign(**ident)


def meta_columns(dataset_id: str, metadata) -> dict:
    return {"dataset": dataset_id, "country": metadata.country, "year": metadata.year}


def skips(plan: Plan) -> list[dict]:
    return [
        {
            "indicator_id": s.indicator_id,
            "dataset": s.dataset_id,
            "status": "skipped",
            "reason": s.reason,
        }
        for s in plan.skipped
    ]


def computed_row(
    ind: Indicator,
    dataset: str,
    n_universe: int,
    n_missing: int,
    share: float,
    n_age: int,
    warnings: list[Issue] = (),  # type: ignore[assignment]
) -> dict:
    """The summary row of a computed indicator (counts of records, not the records)."""
    return {
        "warnings": " ".join(dict.fromkeys(w.code for w in warnings)),
        "indicator_id": ind.id,
        "dataset": dataset,
        "status": "computed",
        "reason": "",
        "n_universe": n_universe,
        "n_missing_outcome": n_missing,
        "unknown_migratory_share": share,
        "n_excluded_age": n_age,
    }


SUMMARY_COLUMNS = [
    "indicator_id",
    "dataset",
    "status",
    "indicator_status",
    "reason",
    "n_universe",
    "n_missing_outcome",
    "n_excluded_age",
    "unknown_migratory_share",
    "warnings",
]


def summary_table(rows: list[dict], catalog: Catalog, only: set[str] | None) -> pd.DataFrame:
    """One row per (indicator, dataset) it was computed or skipped on; `status` is that row's,
    `indicator_status` the indicator's: computed when any dataset computed it."""
    listed = {r["indicator_id"] for r in rows}
    for ind in catalog:
        if ind.id not in listed and (only is None or ind.id in only):
            rows.append(
                {
                    "indicator_id": ind.id,
                    "dataset": "",
                    "status": "skipped",
                    "reason": f"no {ind.source} dataset of the project provides it",
                }
            )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    frame["warnings"] = frame["warnings"].astype(object).fillna("")  # all-NaN when none ran
    computed = set(frame.loc[frame["status"] == "computed", "indicator_id"])
    frame["indicator_status"] = np.where(
        frame["indicator_id"].isin(computed), "computed", "skipped"
    )
    order = ["indicator_status", "indicator_id", "status", "dataset"]
    return frame.sort_values(order).reset_index(drop=True)


def summary_counts(summary: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Indicator ids computed (on at least one dataset) and skipped (on every dataset):
    a run's headline counts indicators, not (indicator, dataset) rows."""
    status = summary.groupby("indicator_id", sort=True)["indicator_status"].first()
    return list(status.index[status == "computed"]), list(status.index[status == "skipped"])


def hash_in_background(path: Path) -> Future[str]:
    """SHA-256 of a data file, computed on another thread while the data is read and the
    estimates computed (hashlib releases the GIL); `record_inputs` waits for it. Reuses the
    hash the command line started for this file before importing the engine (`digests`)."""
    return digests.take(path)


def record_warnings(provenance: dict, warnings: list[Issue]) -> None:
    """The run's warnings in the provenance: one `code message` per line (counts, no data)."""
    if warnings:
        provenance["warnings"] = "\n".join(f"{w.code} {w.message}" for w in warnings)


def record_inputs(
    provenance: dict,
    key: str,
    data_path: Path,
    profile_path: str,
    digest: Future[str] | None = None,
) -> None:
    """Record a data file's name and SHA-256 (from `digest` when started earlier) and its
    profile's SHA-256."""
    provenance[f"input.{key}.sha256"] = digest.result() if digest else sha256_file(data_path)
    provenance[f"input.{key}.file"] = data_path.name
    provenance[f"profile.{key}.sha256"] = sha256_file(profile_path)


def provenance(project: Project, catalog: Catalog, standards: Mapping[str, Path]) -> dict[str, str]:
    out = {
        "tool": "mhi",
        "tool_version": mhindicators.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "confidence_level": str(project.model.confidence_level),
    }
    if project.doc is not None:
        out["project.sha256"] = sha256_file(project.doc.path)
    if project.model.root is not None:
        out["project.root"] = project.model.root  # paths may reach this ancestor folder
    for ident, path in sorted(catalog.paths.items()):
        out[f"definition.{ident}.sha256"] = sha256_file(path)
    for name, path in sorted(standards.items()):
        out[f"standard_population.{name}.sha256"] = sha256_file(path)
    return out
