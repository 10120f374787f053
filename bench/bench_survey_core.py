"""Micro-benchmark of the survey core: accumulate + finalize on synthetic data.

    /work/venv/bin/python bench/bench_survey_core.py [--rows 1000000] [--replicates 80]

Design: 300 strata x 2-6 PSUs, 56 cells (e.g. 4 migratory groups x 2 sexes x 7 age bands),
domains = cells + all margins (4x2x7 -> (5*3*8) = 120 domains); one proportion column.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from mhindicators.core import intervals as ci
from mhindicators.core.design import ReplicateSpec, SurveyDesign
from mhindicators.core.stats import Column, accumulate
from mhindicators.survey.estimate import estimate_domains

DIMS = (4, 2, 7)


def make_data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    psu_per = rng.integers(2, 7, 300)
    psu_stratum = np.repeat(np.arange(300), psu_per)
    psu = rng.integers(0, psu_stratum.size, n)
    strata = psu_stratum[psu]
    w = rng.uniform(50, 500, n)
    cell = rng.integers(0, int(np.prod(DIMS)), n)
    y = (rng.uniform(size=n) < 0.3).astype(np.float64)
    return strata, psu, w, cell, y


def domain_matrix() -> np.ndarray:
    """Cells and all margins of the DIMS cross-classification (level == size means _T)."""
    rows = []
    grid = np.stack(np.unravel_index(np.arange(int(np.prod(DIMS))), DIMS), axis=1)
    for combo in itertools.product(*(range(d + 1) for d in DIMS)):
        ok = np.ones(grid.shape[0], dtype=bool)
        for k, lev in enumerate(combo):
            if lev < DIMS[k]:
                ok &= grid[:, k] == lev
        rows.append(ok.astype(np.float64))
    return np.array(rows)


def timed(label: str, fn):
    t0 = time.perf_counter()
    out = fn()
    print(f"{label:<42s} {time.perf_counter() - t0:8.3f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--replicates", type=int, default=80)
    args = ap.parse_args()
    strata, psu, w, cell, y = make_data(args.rows)
    dom = domain_matrix()
    print(f"rows {args.rows:,}, cells {dom.shape[1]}, domains {dom.shape[0]}")
    nc = dom.shape[1]

    design = SurveyDesign(weights=w, strata=strata, psu=psu, lonely_psu="adjust")
    st = timed("taylor: accumulate (cell x PSU)", lambda: accumulate(design, cell, nc, [Column(y)]))
    est = timed(
        "taylor: finalize (+covariance)",
        lambda: estimate_domains(st, dom, estimator="proportion", covariance=True),
    )
    timed("taylor: 6 CI methods", lambda: [ci.proportion_ci(m, est) for m in ci.PROPORTION_METHODS])

    rng = np.random.default_rng(1)
    reps = w[:, None] * rng.uniform(0.5, 1.5, (args.rows, args.replicates))
    rdesign = SurveyDesign(
        weights=w, replicates=ReplicateSpec(weights=reps, type="successive-difference")
    )
    for rank in (False, True):
        label = f"replicates ({args.replicates}): accumulate{' + Gram' if rank else ''}"
        rst = timed(label, lambda r=rank: accumulate(rdesign, cell, nc, [Column(y)], rank_df=r))
    timed(
        "replicates: finalize (+cov, rank df)",
        lambda: estimate_domains(rst, dom, estimator="proportion", covariance=True),
    )


if __name__ == "__main__":
    main()
