# ruff: noqa  (a measuring script kept as run for docs/performance.md)
"""Old against new path of each issue-13 hotspot on the realistic files (docs/performance.md).

python bench/hotspots_micro.py   # needs bench/data/real_1m.parquet and real_10m.parquet
"""

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "engine"))
from test_replicate_sums import _sparse_products

from mhindicators.core import replicate_sums as rs
from mhindicators.core.design import SurveyDesign, check_psu_nested
from mhindicators.pipeline.profile_design import nested_psu_codes
from mhindicators.core.replicate_columns import ReplicateColumns


def med(f, k=3):
    ts = []
    for _ in range(k):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


t = pq.read_table(ROOT / "bench/data/real_10m.parquet", columns=["stratum", "psu", "weight"])
s = pd.factorize(t.column("stratum").to_numpy(), sort=True)[0]
p = pd.Series(t.column("psu").to_numpy())
w = t.column("weight").to_numpy()
print(
    "10M nested PSU codes: MultiIndex %.2f s, int64 key %.2f s"
    % (
        med(lambda: pd.factorize(pd.MultiIndex.from_arrays([s, p]))[0], 1),
        med(lambda: nested_psu_codes(s, p)),
    )
)
codes = nested_psu_codes(s, p)


def old_check():
    pp = codes.astype(np.int64)
    pairs = np.unique(s.astype(np.int64) * (int(pp.max()) + 1) + pp)
    np.bincount(pairs % (int(pp.max()) + 1))


print(
    "10M PSU nesting check: sort %.2f s, O(n) %.2f s"
    % (med(old_check, 1), med(lambda: check_psu_nested(s, codes)))
)


def lv():
    d = SurveyDesign(weights=w)
    d.weight_levels()


print(
    "10M weight levels (calibrated): factorize %.2f s, sample %.3f s"
    % (med(lambda: pd.factorize(w), 1), med(lv))
)
sel = np.flatnonzero(np.random.default_rng(0).random(w.size) < 0.995)
print(
    "10M gather of 99.5%% rows: fancy %.2f s, np.take %.2f s"
    % (med(lambda: w[sel]), med(lambda: np.take(w, sel)))
)
t1 = pq.read_table(ROOT / "bench/data/real_1m.parquet")
cols = ReplicateColumns([t1.column(f"repw_{i}").to_numpy() for i in range(1, 81)])
age = t1.column("age").to_numpy()
sex = t1.column("sex").to_numpy()
w1 = t1.column("weight").to_numpy()
ck = (
    ((np.searchsorted([15, 25, 35, 45, 55, 65], age, side="right")) * 2 + sex - 1).astype(np.int64)
    * 4
    + (t1.column("citizenship").to_numpy() != 724) * 2
    + (t1.column("country_of_birth").to_numpy() != 724)
)
ck[t1.column("outcome").to_numpy() == 99] = -1
y = (t1.column("outcome").to_numpy() == 1).astype(float)
print(
    "1M x 80 replicate sums: sparse products %.2f s, bincount %.2f s"
    % (
        med(lambda: _sparse_products([ck], [y], [None], cols, 56), 1),
        med(lambda: rs.replicate_sums([ck], [y], [None], cols, 56), 1),
    )
)
from threadpoolctl import threadpool_limits


def old_gram():
    sel = np.flatnonzero(ck >= 0)
    rs._patterns(ck, sel, cols, w1)
    r = 80
    g = np.zeros((56, r, r))
    for start in range(0, ck.size, 262144):
        cb = ck[start : start + 262144]
        ss = np.flatnonzero(cb >= 0)
        order = ss[np.argsort(cb[ss], kind="stable")]
        wb = np.empty((order.size, r))
        for j, c in enumerate(cols.columns):
            wb[:, j] = c[start + order]
        cs = cb[order]
        b = np.flatnonzero(np.diff(cs)) + 1
        for s0, e0 in zip(np.r_[0, b], np.r_[b, cs.size]):
            blk = wb[s0:e0]
            g[cs[s0]] += blk.T @ blk


print(
    "1M x 80 Gram (calibrated replicates): before, BLAS default threads %.2f s; before, 1 thread %.2f s; now %.2f s"
    % (
        med(old_gram, 1),
        med(lambda: (threadpool_limits(1, "blas").__enter__(), old_gram()), 1),
        med(lambda: rs.gram_by_cell(ck, cols, w1, 56, 262144), 1),
    )
)
