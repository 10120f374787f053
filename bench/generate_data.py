"""Generate a large synthetic survey extract (Parquet) and its profile for the benchmarks.

    python bench/generate_data.py --rows 1000000 --replicates 80 --out bench/data/survey_1m.parquet

Design: 300 strata with 2-6 PSUs each (PSU ids unique), people in 4 migratory groups (native-born
citizens / non-citizens, foreign-born citizens / non-citizens, via M49 country codes) x 2 sexes x
7 age groups (0-14, 15-24, 25-34, 35-44, 45-54, 55-64, 65+), a binary outcome (1 yes / 2 no / 99
missing) with a migrant gap and PSU-level intra-cluster correlation, and weights = stratum base
weight x PSU non-response factor x post-stratification factor (sex x age group). Optional replicate
weights `repw_1..repw_R`: grouped jackknife (JK1, PSUs dealt to R groups) or Rao-Wu rescaling
bootstrap. Strata are generated with their own random streams and written in row groups of about
`--chunk-rows` rows, so memory stays flat for 10M rows and the output does not depend on the chunk
size. Writes `<out>.profile.yaml` (linearisation) and, with replicates,
`<out>.replicates.profile.yaml`.

`--shape realistic` (the default of `bench_survey.py`) makes the file look like a national
survey extract instead of taking the engine's fast paths: PSU ids are numbered 1..n_h WITHIN each
stratum (the profile says `nest: true`), every person's weight carries its own calibration
factor (lognormal, sd 0.12: continuous weights, practically all distinct), and each replicate
weight is the base weight x the JK1 / bootstrap factor x a per-person, per-replicate
recalibration factor (lognormal, sd 0.03), so replicate weights are not multiples of the base
weight and rows do not collapse into per-PSU patterns. `--shape simple` keeps the old data
(PSU ids unique across strata, weights constant within PSU x sex x age band, replicate weights
exact multiples of the base weight).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SEED = 20131004
N_STRATA = 300
AGE_LO = np.array([0, 15, 25, 35, 45, 55, 65])
AGE_WIDTH = np.array([15, 10, 10, 10, 10, 10, 25])
AGE_SHARE = np.array([0.15, 0.10, 0.12, 0.15, 0.16, 0.14, 0.18])
# migratory groups: (country of birth, citizenship) as M49 codes, share, logit shift of outcome
GROUPS = [
    (724, 724, 0.80, 0.0),
    (724, 504, 0.03, -0.6),
    (170, 724, 0.06, -0.4),
    (504, 504, 0.11, -1.6),
]


class Design:
    """Strata, PSUs, base weights and replicate factors (small: one row per PSU)."""

    def __init__(
        self, rows: int, replicates: int, rep_type: str, seed: int, shape: str = "simple"
    ) -> None:
        self.shape = shape
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
        self.n_psu = rng.integers(2, 7, N_STRATA)
        self.n_psu[:3] = 2
        size = rng.gamma(4.0, 1.0, N_STRATA)
        self.rows_h = np.floor(size / size.sum() * rows).astype(np.int64)
        self.rows_h[: rows - self.rows_h.sum()] += 1  # exact total
        self.first_psu = np.cumsum(self.n_psu) - self.n_psu
        n_k = int(self.n_psu.sum())
        self.psu_h = np.repeat(np.arange(N_STRATA), self.n_psu)
        self.base_w = rng.uniform(50, 400, N_STRATA)
        self.psu_factor = rng.lognormal(0.0, 0.15, n_k)
        self.ps_factor = rng.lognormal(0.0, 0.08, (2, 7))
        self.factors = None
        if replicates:
            if rep_type == "JK1":
                if replicates > n_k:
                    raise SystemExit(f"JK1 needs replicates <= number of PSUs ({n_k})")
                group = rng.permutation(n_k) % replicates
                self.factors = np.full((n_k, replicates), replicates / (replicates - 1))
                self.factors[np.arange(n_k), group] = 0.0
            else:  # Rao-Wu rescaling bootstrap, n_h - 1 PSUs drawn with replacement per stratum
                n_h = self.n_psu[self.psu_h]
                draws = np.zeros((n_k, replicates))
                for j in range(int(self.n_psu.max()) - 1):  # loop over draw number, not rows
                    active = j < (self.n_psu - 1)
                    pick = self.first_psu[:, None] + np.floor(
                        rng.random((N_STRATA, replicates)) * self.n_psu[:, None]
                    ).astype(int)
                    cols = np.broadcast_to(np.arange(replicates), pick.shape)
                    np.add.at(draws, (pick[active], cols[active]), 1.0)
                self.factors = draws * (n_h / (n_h - 1))[:, None]


def stratum_rows(design: Design, h: int, seed: int) -> dict[str, np.ndarray]:
    """All rows of stratum h, from its own random stream."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1, h]))
    n = int(design.rows_h[h])
    offset = rng.integers(0, design.n_psu[h], n)
    offset[: design.n_psu[h]] = np.arange(min(n, design.n_psu[h]))  # no empty PSU
    k = design.first_psu[h] + offset
    u_psu = rng.normal(0, 0.45, design.n_psu.max())
    imm_psu = rng.normal(0, 0.8, design.n_psu.max())
    shares = np.array([g[2] for g in GROUPS])
    # PSU-level concentration of migrants: tilt the migrant groups' shares per PSU
    tilt = np.exp(imm_psu[k - design.first_psu[h]])[:, None]
    p = shares * np.where(np.arange(len(GROUPS)) == 0, 1.0, tilt)
    cdf = np.cumsum(p, axis=1) / p.sum(axis=1, keepdims=True)
    group = (rng.random(n)[:, None] > cdf).sum(axis=1)
    band = rng.choice(7, n, p=AGE_SHARE)
    age = AGE_LO[band] + np.floor(rng.random(n) * AGE_WIDTH[band]).astype(int)
    female = rng.random(n) < 0.51
    shift = np.array([g[3] for g in GROUPS])[group]
    logit = 2.6 + shift + 0.25 * female - 0.01 * (age - 40) + u_psu[k - design.first_psu[h]]
    outcome = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), 1, 2)
    outcome[rng.random(n) < 0.005] = 99
    weight = design.base_w[h] * design.psu_factor[k] * design.ps_factor[female.astype(int), band]
    realistic = design.shape == "realistic"
    if realistic:  # a calibration factor per person: continuous, practically all distinct
        weight = weight * rng.lognormal(0.0, 0.12, n)
    cols = {
        "stratum": np.full(n, h + 1, dtype=np.int32),
        # realistic: PSU ids restart at 1 in each stratum (nest: true)
        "psu": (offset + 1 if realistic else k + 1).astype(np.int32),
        "_k": k.astype(np.int32),  # global PSU index (not written)
        "weight": weight,
        "sex": np.where(female, 2, 1).astype(np.int8),
        "age": age.astype(np.int16),
        "country_of_birth": np.array([g[0] for g in GROUPS], dtype=np.int16)[group],
        "citizenship": np.array([g[1] for g in GROUPS], dtype=np.int16)[group],
        "outcome": outcome.astype(np.int8),
    }
    return cols


def chunk_table(design: Design, batch: list[dict[str, np.ndarray]], seed: int, i: int) -> pa.Table:
    """One row group: the strata of the batch, replicate weights built column by column
    (realistic shape: each times a per-person recalibration factor from the chunk's stream)."""
    cols = {c: np.concatenate([b[c] for b in batch]) for c in batch[0]}
    k = cols.pop("_k")
    if design.factors is not None:
        rng = np.random.default_rng(np.random.SeedSequence([seed, 2, i]))
        for r in range(design.factors.shape[1]):
            rep = cols["weight"] * design.factors[k, r]
            if design.shape == "realistic":
                rep *= rng.lognormal(0.0, 0.03, rep.size)
            cols[f"repw_{r + 1}"] = rep
    return pa.table(cols)


def write(
    out: Path,
    rows: int,
    replicates: int,
    rep_type: str,
    chunk_rows: int,
    seed: int,
    shape: str = "simple",
) -> None:
    """Stream strata into Parquet row groups of about `chunk_rows` rows."""
    design = Design(rows, replicates, rep_type, seed, shape)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = None
    batch: list[dict[str, np.ndarray]] = []
    pending = chunks = 0
    try:
        for h in range(N_STRATA):
            batch.append(stratum_rows(design, h, seed))
            pending += int(design.rows_h[h])
            if pending >= chunk_rows or h == N_STRATA - 1:
                table = chunk_table(design, batch, seed, chunks)
                chunks += 1
                if writer is None:
                    writer = pq.ParquetWriter(out, table.schema, compression="zstd")
                writer.write_table(table, row_group_size=max(pending, 1))
                batch, pending = [], 0
    finally:
        if writer is not None:
            writer.close()
    write_profiles(out, replicates, rep_type, nest=shape == "realistic")


def write_profiles(out: Path, replicates: int, rep_type: str, nest: bool = False) -> None:
    """Profiles next to the data: linearisation, and replicate weights when present."""
    stem = out.name.rsplit(".", 1)[0]
    countries = "{170: COL, 504: MAR, 724: ESP}"
    header = "# Generated by bench/generate_data.py (synthetic benchmark data).\n"
    common = (
        "kind: survey\n"
        "description: Synthetic benchmark survey; outcome 1 yes / 2 no / 99 missing.\n"
        "metadata:\n  country: ESP\n  year: 2024\n  source: mhi benchmark generator (synthetic)\n"
        "columns:\n  sex: sex\n  age: age\n  country_of_birth: country_of_birth\n"
        "  citizenship: citizenship\n  has_health_insurance: outcome\n"
        "recode:\n  sex: {1: M, 2: F}\n"
        f"  country_of_birth: {countries}\n  citizenship: {countries}\n"
        "  has_health_insurance: {1: true, 2: false}\n"
        "missing_codes:\n  has_health_insurance: [99]\n"
        "derive:\n  migrant_generation: false\n  years_since_arrival: false\n"
    )
    linear = (
        f"{header}id: bench_{stem}\n" + common + "design:\n  weight: weight\n  strata: stratum\n"
        "  psu: psu\n" + ("  nest: true\n" if nest else "") + "  lonely_psu: fail\n"
    )
    out.with_name(f"{stem}.profile.yaml").write_text(linear, encoding="utf-8")
    if replicates:
        scale = (replicates - 1) / replicates if rep_type == "JK1" else 1 / (replicates - 1)
        rep = (
            f"{header}id: bench_{stem}_replicates\n" + common + "design:\n  weight: weight\n"
            f"  replicates:\n    pattern: '^repw_[0-9]+$'\n    type: {rep_type}\n"
            f"    scale: {scale!r}\n"
        )
        out.with_name(f"{stem}.replicates.profile.yaml").write_text(rep, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--replicates", type=int, default=0, help="0 = none")
    parser.add_argument("--replicate-type", choices=["JK1", "bootstrap"], default="JK1")
    parser.add_argument("--chunk-rows", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--shape", choices=["simple", "realistic"], default="simple")
    parser.add_argument("--out", type=Path, default=Path("bench/data/survey_1m.parquet"))
    args = parser.parse_args(argv)
    if args.replicates == 1:
        parser.error("--replicates must be 0 or at least 2")
    if args.rows < 100 * N_STRATA:
        parser.error(f"--rows must be at least {100 * N_STRATA:,} (every PSU needs people)")
    start = time.perf_counter()
    write(
        args.out,
        args.rows,
        args.replicates,
        args.replicate_type,
        args.chunk_rows,
        args.seed,
        args.shape,
    )
    size = args.out.stat().st_size
    took = time.perf_counter() - start
    print(f"{args.rows:,} rows -> {args.out} ({size / 1e6:.1f} MB) in {took:.1f} s")


if __name__ == "__main__":
    main()
