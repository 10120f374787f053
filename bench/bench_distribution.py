"""Speed of the distribution estimators against R `survey` (docs/performance.md, Distribution).

    python bench/bench_distribution.py 1000000 [--r]     # mhi (and R with --r) at 1M rows

Synthetic data: 200 strata x 10 PSUs, weights 50-150, a log-normal income, 4 migratory groups x
2 sexes (15 domains with the margins). Times the engine calls in-process after the imports
(the CLI adds ~1 s of start-up): the median with Woodruff intervals (rule math), the
at-risk-of-poverty rate (60 % of the national median, Taylor linearisation) and the Gini
(Taylor). R: the same data as CSV, svydesign(id=~psu, strata=~stratum, weights=~w), then
svyby(~inc, by, des, svyquantile, quantiles = 0.5, ci = TRUE) for the cells and each margin
(bench/bench_distribution.R). Prints one JSON line per contender.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mhindicators.core.design import SurveyDesign
from mhindicators.frame.domains import all_domains, encode_cells
from mhindicators.survey.inequality import inequality_domains
from mhindicators.survey.poverty import below_line_domains
from mhindicators.survey.quantile import quantile_domains


def data(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    stratum = rng.integers(0, 200, n)
    psu = stratum * 10 + rng.integers(0, 10, n)
    grp = rng.choice(
        np.array(["nb_cit", "nb_non", "fb_cit", "fb_non"]), n, p=[0.8, 0.02, 0.06, 0.12]
    )
    sex = rng.choice(np.array(["F", "M"]), n)
    inc = np.round(np.exp(rng.normal(np.log(19000) - 0.4 * (grp == "fb_non"), 0.6)), -1)
    w = rng.uniform(50, 150, n).round(2)
    return pd.DataFrame(
        {"stratum": stratum, "psu": psu, "w": w, "grp": grp, "sex": sex, "inc": inc}
    )


def run_mhi(df: pd.DataFrame) -> dict:
    out = {}
    t0 = time.perf_counter()
    des = SurveyDesign(
        df["w"].to_numpy(), strata=df["stratum"].to_numpy(), psu=df["psu"].to_numpy()
    )
    keep = np.ones(len(df), dtype=bool)
    cells = encode_cells(df, ["grp", "sex"], keep)
    doms = all_domains(cells)
    v = df["inc"].to_numpy(float)
    out["setup_s"] = time.perf_counter() - t0
    t = time.perf_counter()
    q = quantile_domains(des, cells, doms, v, keep, 0.5, "math", 0.95)
    out["median_s"] = time.perf_counter() - t
    t = time.perf_counter()
    below_line_domains(des, cells, doms, v, keep, 0.6, 0.5, "school")
    out["arop_s"] = time.perf_counter() - t
    t = time.perf_counter()
    inequality_domains(des, cells, doms, v, keep, "gini")
    out["gini_s"] = time.perf_counter() - t
    out["domains"] = len(doms.labels)
    total = doms.labels.astype(str).agg("|".join, axis=1) == "_T|_T"
    out["median_total"] = float(q.estimate[total.to_numpy()][0])
    out["median_total_ci"] = [
        float(q.lower[total.to_numpy()][0]),
        float(q.upper[total.to_numpy()][0]),
    ]
    return out


def run_r(df: pd.DataFrame) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        df.to_csv(csv, index=False)
        script = Path(__file__).with_name("bench_distribution.R")
        res = subprocess.run(
            ["Rscript", str(script), str(csv)], capture_output=True, text=True, check=True
        )
    line = next(x for x in res.stdout.splitlines() if x.startswith("{"))
    return json.loads(line)


def main() -> None:
    n = int(sys.argv[1])
    df = data(n)
    print(json.dumps({"contender": "mhi", "rows": n, **run_mhi(df)}))
    if "--r" in sys.argv:
        print(json.dumps({"contender": "R survey", "rows": n, **run_r(df)}))


if __name__ == "__main__":
    main()
