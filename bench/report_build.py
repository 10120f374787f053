"""Time `build_report` on a run folder, and on a many-indicator run made from it.

The report reads the run's output tables, whose size depends on indicators x cells, not on
the rows of the microdata: a 10M-row survey gives the same tables as the sample. So the
figure that matters is per indicator. Usage:

    mhi compute -o /tmp/run -q
    python bench/report_build.py /tmp/run --copies 5
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mhindicators.report import build_report


def many(run: Path, dest: Path, copies: int) -> Path:
    """The run with every table's indicators repeated `copies` times under new ids."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("estimates", "contrasts", "summary", "flags_legend", "codelists"):
        src = run / f"{name}.parquet"
        table = pq.read_table(src)
        frame = table.to_pandas()
        if "indicator_id" in frame:
            frame = pd.concat(
                [frame.assign(indicator_id=frame["indicator_id"] + f"_{i}") for i in range(copies)],
                ignore_index=True,
            )
        out = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(out.replace_schema_metadata(table.schema.metadata), dest / src.name)
    return dest


def timed(run: Path, out: Path) -> tuple[float, int]:
    start = time.perf_counter()
    build_report(run, out)
    return time.perf_counter() - start, out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path)
    parser.add_argument("--copies", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        results = {}
        n = pd.read_parquet(args.run / "estimates.parquet")["indicator_id"].nunique()
        secs, size = timed(args.run, tmp / "a.html")
        results[f"{n} indicators"] = {"seconds": round(secs, 2), "bytes": size}
        big = many(args.run, tmp / "many", args.copies)
        secs, size = timed(big, tmp / "b.html")
        results[f"{n * args.copies} indicators"] = {"seconds": round(secs, 2), "bytes": size}
        shutil.rmtree(big)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
