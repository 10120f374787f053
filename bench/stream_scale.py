"""Streaming and Dask at scale: `mhi compute` in row batches against a streaming numpy floor,
and 2 Dask workers against one process, on a file generated in row groups (never in memory).

    python bench/generate_data.py --rows 100000000 --chunk-rows 1000000 --out /tmp/b/s100m.parquet
    python bench/stream_scale.py /tmp/b/s100m.parquet --batch-rows 1000000 --repeat 1

Each case runs as its own process (wall time and peak RSS of the whole process, from
`resource.getrusage`); cases are interleaved when repeated. The floor reads the same columns in
the same batches and forms the sums the estimator needs (cell codes from the four dimension
columns, then sums of w, w y, w^2 ... by cell x stratum and cell x PSU with np.bincount): what
any streaming implementation must at least do. Prints one Markdown table (docs/scale.md).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFS = ROOT / "bench" / "defs" / "bench_insured.yaml"


def floor(path: Path, rows: int) -> dict:
    """Read the batches and form the sufficient statistics with numpy only."""
    import numpy as np
    import pyarrow.parquet as pq

    cols = ["stratum", "psu", "weight", "sex", "age", "country_of_birth", "citizenship", "outcome"]
    age_cut = np.array([15, 25, 35, 45, 55, 65])
    n_cells, n_strata, n_psu = 4 * 2 * 7, 0, 0
    sums_h: dict[int, np.ndarray] = {}
    sums_p: dict[int, np.ndarray] = {}
    for batch in pq.ParquetFile(path).iter_batches(batch_size=rows, columns=cols):
        c = {name: batch.column(name).to_numpy() for name in cols}
        keep = c["outcome"] != 99
        y = (c["outcome"] == 1).astype(np.float64)
        group = (c["country_of_birth"] != 724) * 2 + (c["citizenship"] != 724)
        cell = (group * 2 + (c["sex"] - 1)) * 7 + np.searchsorted(age_cut, c["age"], "right")
        cell = np.where(keep, cell, -1)
        sel = np.flatnonzero(cell >= 0)
        w, yv, ce = c["weight"][sel], y[sel], cell[sel].astype(np.int64)
        h, p = c["stratum"][sel].astype(np.int64), c["psu"][sel].astype(np.int64)
        n_strata, n_psu = max(n_strata, int(h.max()) + 1), max(n_psu, int(p.max()) + 1)
        kh, kp = ce * 1000 + h, ce * 20000 + p
        wy = w * yv
        for slot, v in enumerate((None, w, w * w, wy, wy * yv)):
            sums_h[slot] = _add(sums_h.get(slot), np.bincount(kh, v, n_cells * 1000))
        for slot, v in enumerate((w, wy)):
            sums_p[slot] = _add(sums_p.get(slot), np.bincount(kp, v, n_cells * 20000))
    est = sums_h[3].reshape(n_cells, 1000).sum(1) / sums_h[1].reshape(n_cells, 1000).sum(1)
    return {"cells": n_cells, "strata": n_strata, "psus": n_psu, "first": float(est[0])}


def _add(a, b):
    return b if a is None else a + b


def mhi(path: Path, rows: int, scheduler: str | None) -> dict:
    """`mhi compute` of the benchmark indicator on the file, through the library."""
    from mhindicators.pipeline.compute import compute
    from mhindicators.project import load_project

    root = path.parent  # the project sits beside the data (paths may not leave a project)
    (root / "bench-defs").mkdir(exist_ok=True)
    (root / "bench-defs" / DEFS.name).write_text(DEFS.read_text(encoding="utf-8"), "utf-8")
    profile = path.name.replace(".parquet", ".profile.yaml")
    project = root / f"mhi-bench-{path.stem}.yaml"
    project.write_text(
        "definitions: [bench-defs]\n"
        f"datasets: [{{id: s, path: {path.name}, profile: {profile}}}]\n",
        encoding="utf-8",
    )
    result = compute(load_project(project), batch_rows=rows, scheduler=scheduler)
    est = result.estimates
    return {"rows": len(est), "first": float(est["estimate"].iloc[0])}


def run_case(case: str, path: Path, rows: int) -> dict:
    """One case in a fresh process: wall seconds and peak RSS (children included: Dask)."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, str(path), "--batch-rows", str(rows), "--case", case],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    got = json.loads(out.stdout.strip().splitlines()[-1])
    got["wall"] = wall
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--batch-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cases", default="floor,mhi,dask")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:  # child process: run one case, print its JSON
        if args.case == "floor":
            got = floor(args.path, args.batch_rows)
        else:
            got = mhi(args.path, args.batch_rows, "local" if args.case == "dask" else None)
        self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        got["peak_mb"] = self_kb / 1024
        got["worker_peak_mb"] = child_kb / 1024
        print(json.dumps(got))
        return
    cases = args.cases.split(",")
    times: dict[str, list[dict]] = {c: [] for c in cases}
    for _ in range(args.repeat):
        for case in cases:
            times[case].append(run_case(case, args.path, args.batch_rows))
    print(f"| case | wall s (median of {args.repeat}) | peak RSS MB | worker peak MB |")
    print("|---|---|---|---|")
    for case, runs in times.items():
        wall = statistics.median(r["wall"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        worker = max(r["worker_peak_mb"] for r in runs)
        print(f"| {case} | {wall:.1f} | {peak:.0f} | {worker:.0f} |")
    print(json.dumps(times))


if __name__ == "__main__":
    main()
