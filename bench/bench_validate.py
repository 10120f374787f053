"""Benchmark: validate 1,000 definition files (issue target: under 5 s on a 2-core machine).

Usage: python bench/bench_validate.py [--files 1000] [--repeat 3]
Copies the shipped catalogue round-robin under new ids into a temporary folder, then times the
library call `mhindicators.validate` and the CLI end to end (`mhi validate`, a fresh process).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_files(folder: Path, count: int) -> None:
    sources = sorted((ROOT / "indicator_defs").rglob("*.yaml"))
    for i in range(count):
        src = sources[i % len(sources)]
        ident = f"{src.stem}_{i:05d}"[:64]
        text = re.sub(r"(?m)^id: .*$", f"id: {ident}", src.read_text(encoding="utf-8"))
        theme = folder / src.parent.name
        theme.mkdir(exist_ok=True)
        (theme / f"{ident}.yaml").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from mhindicators import validate

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_files(folder, args.files)
        lib, cli = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = validate([folder])
            lib.append(time.perf_counter() - start)
            assert report.ok, report.sorted()[:3]
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "mhindicators", "validate", str(folder)],
                capture_output=True,
                check=False,
            )
            cli.append(time.perf_counter() - start)
            assert done.returncode == 0, done.stderr[-500:]
    print(f"files: {args.files}")
    print(
        f"library validate: median {statistics.median(lib):.2f} s",
    )
    print(f"mhi validate (new process): median {statistics.median(cli):.2f} s")


if __name__ == "__main__":
    main()
