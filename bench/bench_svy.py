"""svy side of bench/bench_survey.py: one proportion by migratory status x sex x age group.

    python bench/bench_svy.py --data F.parquet --mode taylor|replicates --out OUT.json

svy (https://pypi.org/project/svy/, Rust-backed; `pip install svy`, NOT a project dependency)
reads the needed columns of the Parquet file with polars, derives y / migratory status / age
band as bench/bench_survey.R does, builds `svy.Design(stratum, psu, wgt)` (PSU ids made unique
across strata, as `nest = TRUE`) or a JK1 `JackknifeWgts` design over `repw_*`, and runs
`estimation.prop(y, by=(mig, sex, age))` (logit CIs): the 56 cells, without margins or flags
(like R's svyby). Writes estimates and SEs in bench_survey.py's floor format and its timings.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

MIG = ["native_born_citizen", "native_born_noncitizen", "foreign_born_citizen",
       "foreign_born_noncitizen"]  # fmt: skip
AGE = ["Y0T14", "Y15T24", "Y25T34", "Y35T44", "Y45T54", "Y55T64", "Y_GE65"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--mode", choices=["taylor", "replicates"], required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    t0 = time.perf_counter()
    import polars as pl
    import svy

    t_import = time.perf_counter()
    base = ["stratum", "psu", "weight", "sex", "age", "country_of_birth", "citizenship", "outcome"]
    names = pl.read_parquet_schema(args.data)
    reps = [c for c in names if re.fullmatch(r"repw_[0-9]+", c)] if args.mode != "taylor" else []
    df = pl.read_parquet(args.data, columns=base + reps)
    t_read = time.perf_counter()
    band = (
        pl.when(pl.col("age") < 15).then(0).when(pl.col("age") < 25).then(1)
        .when(pl.col("age") < 35).then(2).when(pl.col("age") < 45).then(3)
        .when(pl.col("age") < 55).then(4).when(pl.col("age") < 65).then(5).otherwise(6)
    )  # fmt: skip
    mig = 2 * (pl.col("country_of_birth") != 724).cast(pl.Int8) + (
        pl.col("citizenship") != 724
    ).cast(pl.Int8)
    df = df.filter(pl.col("outcome") != 99).with_columns(
        y=(pl.col("outcome") == 1).cast(pl.Int8),
        mig=mig.replace_strict(list(range(4)), MIG),
        sx=pl.col("sex").replace_strict([1, 2], ["M", "F"]),
        ag=band.replace_strict(list(range(7)), AGE),
        # PSU ids numbered within strata: make them unique (R's nest = TRUE)
        upsu=pl.col("stratum").cast(pl.Int64) * 1_000_000 + pl.col("psu").cast(pl.Int64),
    )
    if args.mode == "taylor":
        design = svy.Design(stratum="stratum", psu="upsu", wgt="weight")
    else:
        rep = svy.JackknifeWgts(prefix="repw_", n_reps=len(reps), kind="jk1")
        design = svy.Design(wgt="weight", rep_wgts=rep)
    sample = svy.Sample(data=df, design=design)
    t_design = time.perf_counter()
    method = "taylor" if args.mode == "taylor" else "replication"
    est = sample.estimation.prop("y", by=("mig", "sx", "ag"), method=method)
    t_est = time.perf_counter()
    table = est.to_polars()
    args.out.write_text(
        json.dumps(
            {
                "table": _table(table),
                "timing": {
                    "import": t_import - t0,
                    "read": t_read - t_import,
                    "design": t_design - t_read,
                    "estimate": t_est - t_design,
                },
            }
        ),
        encoding="utf-8",
    )


def _table(frame) -> dict:
    """Rows of level y == 1 as the floor's table (n unknown: NaN)."""
    rows = frame.to_dicts()
    out: dict = {k: [] for k in ("migratory_status", "sex", "age_group", "estimate", "se", "n")}
    for r in rows:
        if r["y"] != 1:
            continue
        out["migratory_status"].append(r["mig"])
        out["sex"].append(r["sx"])
        out["age_group"].append(r["ag"])
        out["estimate"].append(r["est"])
        out["se"].append(r["se"])
        out["n"].append(float("nan"))
    return out


if __name__ == "__main__":
    main()
