"""Summarise a py-spy `--format raw` (collapsed stacks) profile: inclusive share per function.

    /work/venv/bin/py-spy record -r 200 -f raw -o prof.txt -- mhi compute ...
    /work/venv/bin/python bench/pyspy_summary.py prof.txt [--top 30] [--match mhindicators]

Inclusive = samples whose stack contains the function at least once (recursion counted once);
self = samples where it is the leaf frame. Line numbers are dropped so a function is one entry;
`--lines` keeps them (which line of a function is hot).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_LINE = re.compile(r":\d+\)$")


def frames(stack: str, keep_lines: bool) -> list[str]:
    parts = stack.split(";")
    return parts if keep_lines else [_LINE.sub(")", p) for p in parts]


def summarise(path: Path, keep_lines: bool) -> tuple[int, Counter, Counter]:
    total, incl, self_ = 0, Counter(), Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        fs = frames(stack, keep_lines)
        for f in set(fs):
            incl[f] += n
        self_[fs[-1]] += n
    return total, incl, self_


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("profile", type=Path)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--match", default="", help="only frames containing this text")
    ap.add_argument("--lines", action="store_true", help="keep line numbers")
    ap.add_argument("--self", action="store_true", help="rank by self time")
    args = ap.parse_args()
    total, incl, self_ = summarise(args.profile, args.lines)
    rank = self_ if args.self else incl
    print(f"{total} samples")
    print(f"{'incl %':>7} {'self %':>7}  function")
    shown = 0
    for f, _ in rank.most_common():
        if args.match and args.match not in f:
            continue
        print(f"{100 * incl[f] / total:7.1f} {100 * self_[f] / total:7.1f}  {f}")
        shown += 1
        if shown >= args.top:
            break


if __name__ == "__main__":
    main()
