"""Compare two `mhi compute` output directories table by table (regression check for
performance work): same rows, same labels, numbers equal to a relative tolerance.

    python bench/compare_outputs.py OLD_DIR NEW_DIR [--rtol 1e-12]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd


def compare(old: pd.DataFrame, new: pd.DataFrame, rtol: float) -> list[str]:
    problems = []
    if list(old.columns) != list(new.columns):
        problems.append(f"columns differ: {set(old.columns) ^ set(new.columns)}")
        return problems
    if len(old) != len(new):
        return [f"row counts differ: {len(old)} vs {len(new)}"]
    for col in old.columns:
        a, b = old[col], new[col]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            x, y = a.to_numpy(float), b.to_numpy(float)
            same_nan = np.isnan(x) == np.isnan(y)
            close = np.isclose(x, y, rtol=rtol, atol=0) | (np.isnan(x) & np.isnan(y))
            if not (same_nan.all() and close.all()):
                worst = np.nanmax(np.abs(x - y) / np.maximum(np.abs(x), 1e-300))
                problems.append(f"{col}: {int((~close).sum())} values differ (max rel {worst:.2e})")
        elif not a.astype(str).equals(b.astype(str)):
            problems.append(f"{col}: {int((a.astype(str) != b.astype(str)).sum())} labels differ")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--rtol", type=float, default=1e-12)
    ap.add_argument("--ignore", nargs="*", default=["input_sha256", "tool_version"])
    args = ap.parse_args()
    bad = 0
    for path in sorted(args.old.glob("*.parquet")):
        old = pd.read_parquet(path)
        new = pd.read_parquet(args.new / path.name)
        old = old.drop(columns=[c for c in args.ignore if c in old.columns])
        new = new.drop(columns=[c for c in args.ignore if c in new.columns])
        problems = compare(old, new, args.rtol)
        print(f"{path.name}: {len(old)} rows, " + ("identical" if not problems else "DIFFERENT"))
        for p in problems:
            print(f"  {p}")
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
