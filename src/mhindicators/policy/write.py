"""Writing composite results as one file set (all files replaced together or none)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mhindicators.outputs.fileset import write_fileset
from mhindicators.policy.run import KEY_VARIABLES, CompositeRun
from mhindicators.policy.sensitivity import sensitivity, sensitivity_summary

TABLES = ("items", "domains", "scores", "bands")


def composite_tables(runs: list[CompositeRun]) -> dict[str, pd.DataFrame]:
    """name -> table stacked over every composite run (dataset column first)."""
    out = {}
    for name in TABLES:
        attr = "overall" if name == "scores" else name
        parts = [getattr(r.scores, attr).assign(dataset=r.dataset) for r in runs]
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        cols = ["dataset", *[c for c in frame.columns if c != "dataset"]]
        out[name] = frame[cols] if len(frame.columns) else frame
    sens = [
        sensitivity(r.composite, r.answers, [k for k in KEY_VARIABLES if k in r.answers]).assign(
            dataset=r.dataset
        )
        for r in runs
    ]
    table = pd.concat(sens, ignore_index=True)
    out["sensitivity"] = table[["dataset", *[c for c in table.columns if c != "dataset"]]]
    summary = pd.concat(
        [sensitivity_summary(s).assign(dataset=r.dataset) for s, r in zip(sens, runs, strict=True)],
        ignore_index=True,
    )
    out["sensitivity_summary"] = summary[["dataset", *[c for c in summary if c != "dataset"]]]
    return out


def write_composites(tables: dict[str, pd.DataFrame], out_dir: Path | str) -> list[Path]:
    """Write `composite_<name>.csv` for every table into `out_dir` as one set."""

    def writer(frame: pd.DataFrame):
        return lambda path: frame.to_csv(path, index=False, lineterminator="\n")

    files = {f"composite_{name}.csv": writer(frame) for name, frame in tables.items()}
    return write_fileset(out_dir, files)
