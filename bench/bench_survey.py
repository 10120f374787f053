"""Benchmark: one survey proportion over 56 domains -- `mhi compute` vs R `survey` vs a numpy floor.

    python bench/bench_survey.py   # 1M Taylor, 1M x 80 JK1, 10M Taylor on realistic data
    python bench/bench_survey.py --cases 1m_taylor --repeat 3
    python bench/bench_survey.py --skip r,svy      # mhi and the floor only
    python bench/bench_survey.py --cases simple_1m_taylor   # the generator's first shape

Every case runs the contenders interleaved (mhi, floor, svy, R, then again), each a fresh
process on the same Parquet file (R: one CSV export of it). svy runs from $SVY_PYTHON (default:
this Python; `pip install svy`, not a project dependency).

Data: bench/generate_data.py (300 strata x 2-6 PSUs, 4 migratory groups x 2 sexes x 7 age
groups, outcome 1/2/99), generated into bench/data/ when missing: `--shape realistic` for the
default cases (PSU ids within strata, calibrated weights, perturbed replicate factors), the
first shape for the `simple_*` cases. The indicator is
bench/defs/bench_insured.yaml (proportion of `has_health_insurance == true`, missing excluded,
by migratory_status x sex x 7 age groups).

Each contender runs as a fresh process under `/usr/bin/time -v` (wall clock from this process,
peak RSS from time's "Maximum resident set size"):

* mhi: `mhi compute --data F --profile P --defs bench/defs -i bench_insured -o OUT -f parquet -q`,
  end to end as a user runs it (startup, read, harmonise, estimate, CIs, flags, write). It reports
  the 56 cells and every `_T` margin, plus the empty `unknown` migratory-status level.
* R: `Rscript bench/bench_survey.R` -- fread of a CSV exported once (no `arrow` in R here), then
  svydesign/svrepdesign and `svyby(~y, ~mig+sex+age, design, svymean, na.rm=TRUE)`; the
  script's own timings of read / prepare / design / svyby are reported next to the wall clock.
* floor: `python bench/bench_survey.py floor ...` -- this file, plain numpy: read the needed
  columns with pyarrow, bincount sums by cell x PSU (Taylor) or by cell per replicate column,
  the same 120 domains (cells + margins) by a membership product, linearised variance by strata.

Then checks that mhi, the floor and R agree (estimates and SEs, relative difference <= 1e-9)
and writes bench/results/survey.json and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results"
DEFS = BENCH / "defs" / "bench_insured.yaml"
PY = sys.executable
MHI = str(Path(PY).with_name("mhi"))
TIME = "/usr/bin/time"
# svy (the Rust-backed survey package) is not a project dependency: the Python that has it
SVY_PY = os.environ.get("SVY_PYTHON", PY)

MIG = ["native_born_citizen", "native_born_noncitizen", "foreign_born_citizen",
       "foreign_born_noncitizen"]  # fmt: skip
SEX = ["M", "F"]  # raw 1, 2
AGE = ["Y0T14", "Y15T24", "Y25T34", "Y35T44", "Y45T54", "Y55T64", "Y_GE65"]
AGE_EDGES = np.array([15, 25, 35, 45, 55, 65])
TOTAL = "_T"
GROUP_ROWS = 1 << 20  # Parquet row-group length of the generated catalogue data

CASES = {
    # name: (rows, replicates, parquet stem, profile suffix, generator shape)
    # realistic (the default cases): PSU ids within strata (nest: true), continuous calibrated
    # weights, replicate weights that are not multiples of the base weight
    "1m_taylor": (1_000_000, 80, "real_1m", ".profile.yaml", "realistic"),
    "1m_rep80": (1_000_000, 80, "real_1m", ".replicates.profile.yaml", "realistic"),
    "10m_taylor": (10_000_000, 0, "real_10m", ".profile.yaml", "realistic"),
    # the generator's first shape (unique PSU ids, weights constant within PSU x sex x age)
    "simple_1m_taylor": (1_000_000, 80, "survey_1m", ".profile.yaml", "simple"),
    "simple_1m_rep80": (1_000_000, 80, "survey_1m", ".replicates.profile.yaml", "simple"),
    "simple_10m_taylor": (10_000_000, 0, "survey_10m", ".profile.yaml", "simple"),
}
DEFAULT_CASES = "1m_taylor,1m_rep80,10m_taylor"
CONTENDERS = ("mhi", "mhi_before", "floor", "svy", "r")
# mhi_before: `mhi compute` from another checkout's src/ (e.g. the integration branch before a
# change), run by this Python; only when $MHI_BEFORE_SRC names that src folder
BEFORE_SRC = os.environ.get("MHI_BEFORE_SRC")


# ---------------------------------------------------------------------------------------------
# the numpy floor (runs in a child process: `bench_survey.py floor`)
# ---------------------------------------------------------------------------------------------


def floor_estimate(path: Path, mode: str) -> tuple[dict, dict]:
    """Plain numpy estimates for the 56 cells and all margins; returns (table, timings)."""
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    base = ["stratum", "psu", "weight", "sex", "age", "country_of_birth", "citizenship", "outcome"]
    schema = pq.read_schema(path)
    reps = [c for c in schema.names if re.fullmatch(r"repw_[0-9]+", c)] if mode != "taylor" else []
    table = pq.read_table(path, columns=base + reps)
    col = {c: table.column(c).to_numpy() for c in base}
    t1 = time.perf_counter()

    keep = col["outcome"] != 99  # missing outcome leaves the universe (missing: exclude)
    y = (col["outcome"] == 1).astype(np.float64)
    mig = 2 * (col["country_of_birth"] != 724) + (col["citizenship"] != 724)
    band = np.searchsorted(AGE_EDGES, col["age"], side="right")
    cell = (mig * 2 + (col["sex"] - 1)) * 7 + band  # 4 x 2 x 7 = 56 cells
    n_cells = 56
    dom, labels = membership()  # (120, 56): cells and all _T margins
    idx = np.flatnonzero(keep)
    c, w, yk = cell[idx], col["weight"][idx], y[idx]
    n_cell = np.bincount(c, minlength=n_cells)

    if mode == "taylor":
        # (stratum, PSU) pairs -> dense PSU codes (nest=TRUE: ids may restart in each stratum)
        stratum = col["stratum"].astype(np.int64)
        pair = stratum * (int(col["psu"].max()) + 1) + col["psu"]
        used = np.zeros(int(pair.max()) + 1, dtype=bool)
        used[pair] = True
        code = np.cumsum(used) - 1
        psu = code[pair]
        p = int(used.sum())
        psu_h = np.full(p, -1, dtype=np.int64)
        psu_h[psu] = stratum
        seen = psu_h >= 0
        h = int(psu_h.max()) + 1
        n_h = np.bincount(psu_h[seen], minlength=h).astype(np.float64)  # PSUs per stratum
        key = c * p + psu[idx]
        sw = np.bincount(key, w, n_cells * p).reshape(n_cells, p)
        swy = np.bincount(key, w * yk, n_cells * p).reshape(n_cells, p)
        dw, dwy = dom @ sw, dom @ swy  # (domains, PSU)
        wd = dw.sum(1)
        est = dwy.sum(1) / wd
        z = (dwy - est[:, None] * dw) / wd[:, None]  # linearised PSU totals of the ratio
        z = z[:, seen]
        hk = psu_h[seen]
        onehot = np.zeros((hk.size, h))
        onehot[np.arange(hk.size), hk] = 1.0
        with np.errstate(divide="ignore", invalid="ignore"):  # stratum code 0 is unused
            zbar = (z @ onehot) / n_h
        dev = z - zbar[:, hk]
        with np.errstate(divide="ignore", invalid="ignore"):
            var = (dev * dev) @ (n_h / (n_h - 1))[hk]
    else:  # replicate weights (JK1 as generated): theta_r per domain, variance about their mean
        r = len(reps)
        ty, tx = np.empty((n_cells, r)), np.empty((n_cells, r))
        for j, name in enumerate(reps):
            wr = table.column(name).to_numpy()[idx]
            ty[:, j] = np.bincount(c, wr * yk, n_cells)
            tx[:, j] = np.bincount(c, wr, n_cells)
        est = (dom @ np.bincount(c, w * yk, n_cells)) / (dom @ np.bincount(c, w, n_cells))
        theta = (dom @ ty) / (dom @ tx)
        dev = theta - theta.mean(1, keepdims=True)
        var = (r - 1) / r * (dev * dev).sum(1)
    t2 = time.perf_counter()
    out = {
        **labels,
        "estimate": est.tolist(),
        "se": np.sqrt(var).tolist(),
        "n": (dom @ n_cell).tolist(),
    }
    return out, {"read": t1 - t0, "estimate": t2 - t1}


def membership() -> tuple[np.ndarray, dict]:
    """Domains = each level or _T per dimension (5 x 3 x 8 = 120) over the 56 cells."""
    sizes = (len(MIG), len(SEX), len(AGE))
    names = (MIG, SEX, AGE)
    grid = np.stack(np.unravel_index(np.arange(int(np.prod(sizes))), sizes), axis=1)
    rows, labels = [], {"migratory_status": [], "sex": [], "age_group": []}
    for a in range(sizes[0] + 1):
        for b in range(sizes[1] + 1):
            for g in range(sizes[2] + 1):
                pick = (a, b, g)
                ok = np.ones(grid.shape[0], dtype=bool)
                for k, lev in enumerate(pick):
                    if lev < sizes[k]:
                        ok &= grid[:, k] == lev
                rows.append(ok.astype(np.float64))
                for k, key in enumerate(labels):
                    labels[key].append(names[k][pick[k]] if pick[k] < sizes[k] else TOTAL)
    return np.array(rows), labels


def floor_main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(prog="bench_survey.py floor")
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--mode", choices=["taylor", "replicates"], required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    table, timing = floor_estimate(args.data, args.mode)
    args.out.write_text(json.dumps({"table": table, "timing": timing}), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# the harness
# ---------------------------------------------------------------------------------------------


def run_timed(cmd: list[str], timeout: float, cwd: Path | None = None) -> dict:
    """Wall clock (this process) and peak RSS (/usr/bin/time -v) of one fresh process."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [TIME, "-v", *cmd], capture_output=True, text=True, timeout=timeout, cwd=cwd
        )
    except subprocess.TimeoutExpired:
        return {"wall": float("nan"), "rss_mb": float("nan"), "ok": False, "error": "timeout"}
    wall = time.perf_counter() - start
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    rss = int(m.group(1)) / 1024 if m else float("nan")
    ok = done.returncode == 0
    out = {"wall": wall, "rss_mb": rss, "ok": ok, "stdout": done.stdout[-2000:]}
    if not ok:
        out["error"] = done.stderr[-3000:]
    return out


def ensure_data(stem: str, rows: int, replicates: int, shape: str = "simple") -> Path:
    path = DATA / f"{stem}.parquet"
    if not path.exists():
        cmd = [PY, str(BENCH / "generate_data.py"), "--rows", str(rows), "--out", str(path)]
        cmd += ["--shape", shape]
        if replicates:
            cmd += ["--replicates", str(replicates)]
        subprocess.run(cmd, check=True)
    return path


def ensure_csv(parquet: Path, mode: str) -> Path:
    """One CSV export for R (no arrow package in R): only the columns R needs."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    suffix = "" if mode == "taylor" else ".rep"
    csv = parquet.with_name(parquet.stem + suffix + ".csv")
    if csv.exists():
        return csv
    base = ["stratum", "psu", "weight", "sex", "age", "country_of_birth", "citizenship", "outcome"]
    names = pq.read_schema(parquet).names
    reps = [c for c in names if re.fullmatch(r"repw_[0-9]+", c)] if mode != "taylor" else []
    pf = pq.ParquetFile(parquet)
    tmp = csv.with_suffix(".csv.tmp")
    with pacsv.CSVWriter(tmp, pf.schema_arrow.empty_table().select(base + reps).schema) as wr:
        for batch in pf.iter_batches(columns=base + reps, batch_size=250_000):
            wr.write_batch(batch)
    tmp.rename(csv)
    return csv


NHS = ROOT / "sample_data" / "survey" / "nhs_2024.csv"
NHS_PROFILE = ROOT / "sample_data" / "survey" / "nhs_2024.profile.yaml"


def ensure_nhs(rows: int, seed: int = 2024) -> Path:
    """A `rows`-row version of the shipped sample survey, for the whole catalogue in one pass.

    Copy k of the sample resamples households with replacement within each original PSU and
    gets new PSU ids (UPM + k * 100000) and household ids, so the design keeps the 40 strata
    and gains 146 PSUs per copy; the last copy is cut at exactly `rows`. Same columns, codes
    and profile (sample_data/survey/nhs_2024.profile.yaml; Parquet chosen by the suffix).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = DATA / f"nhs_{rows // 1_000_000}m.parquet"
    if path.exists():
        return path
    base = pacsv.read_csv(NHS)
    hh = base.column("ID_HOGAR").to_numpy()
    upm = base.column("UPM").to_numpy()
    # households: first row and size (rows of a household are contiguous in the sample)
    first = np.flatnonzero(np.r_[True, hh[1:] != hh[:-1]])
    size = np.diff(np.r_[first, hh.size])
    h_psu = upm[first]
    order = np.argsort(h_psu, kind="stable")  # households grouped by PSU
    psu_ids, start, count = np.unique(h_psu[order], return_index=True, return_counts=True)
    slot = np.searchsorted(psu_ids, h_psu)
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".parquet.tmp")
    written, k, writer, pending = 0, 0, None, []
    try:
        while written < rows:
            pick = order[start[slot] + np.floor(rng.random(first.size) * count[slot]).astype(int)]
            sizes = size[pick]
            idx = np.repeat(first[pick] - (np.cumsum(sizes) - sizes), sizes) + np.arange(
                sizes.sum()
            )
            idx = idx[: rows - written]
            part = base.take(pa.array(idx))
            hh_new = np.repeat(np.arange(pick.size) + k * first.size + 1, size[pick])
            part = part.set_column(
                part.schema.get_field_index("UPM"), "UPM", pa.array(upm[idx] + k * 100_000)
            )
            part = part.set_column(
                part.schema.get_field_index("ID_HOGAR"), "ID_HOGAR", pa.array(hh_new[: idx.size])
            )
            pending.append(part)
            written += idx.size
            k += 1
            if sum(t.num_rows for t in pending) >= GROUP_ROWS or written >= rows:
                # row groups of ~1Mi rows, as pandas/pyarrow write by default (one group per
                # 9.6k-row copy made every reader concatenate ~1,000 chunks per column)
                table = pa.concat_tables(pending)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                writer.write_table(table, row_group_size=GROUP_ROWS)
                pending = []
    finally:
        if writer is not None:
            writer.close()
    tmp.rename(path)
    return path


def run_catalogue(args, work: Path) -> dict:
    """Every survey indicator of the shipped catalogue (19) on the 10M-row sample survey."""
    rows = args.catalogue_rows
    data = ensure_nhs(rows)
    out = work / "catalogue"
    cmd = [MHI, "compute", "--data", str(data), "--profile", str(NHS_PROFILE), "--defs",
           str(ROOT / "indicator_defs"), "-o", str(out), "-f", "parquet", "-q"]  # fmt: skip
    print(f"\n== catalogue: {rows:,} rows of the sample survey, all survey indicators", flush=True)
    runs = []
    for i in range(args.catalogue_repeat):
        run = run_timed(cmd, args.timeout)
        runs.append(run)
        print(f"  mhi   run {i + 1}: {run['wall']:.2f} s, {run['rss_mb']:.0f} MB", flush=True)
    res = {"rows": rows, "data": str(data.relative_to(ROOT)), "mhi": summarise(runs)}
    if res["mhi"]["ok"]:
        import pandas as pd

        summary = pd.read_parquet(out / "summary.parquet")
        res["computed"] = int((summary["status"] == "computed").sum())
        res["estimate_rows"] = len(pd.read_parquet(out / "estimates.parquet"))
        print(f"  computed {res['computed']} indicators, {res['estimate_rows']} estimate rows")
    return res


def mhi_cmd(data: Path, profile: Path, out: Path) -> list[str]:
    return [
        MHI, "compute", "--data", str(data), "--profile", str(profile), "--defs", str(DEFS),
        "-i", "bench_insured", "-o", str(out), "-f", "parquet", "-q",
    ]  # fmt: skip


def load_mhi(out: Path) -> dict:
    import pandas as pd

    est = pd.read_parquet(out / "estimates.parquet")
    return {
        (r.migratory_status, r.sex, r.age_group): (r.estimate, r.se, r.n_unweighted)
        for r in est.itertuples()
    }


def load_floor(path: Path) -> dict:
    t = json.loads(path.read_text(encoding="utf-8"))["table"]
    keys = zip(t["migratory_status"], t["sex"], t["age_group"], strict=True)
    values = zip(t["estimate"], t["se"], t["n"], strict=True)
    return dict(zip(keys, values, strict=True))


def load_r(path: Path) -> dict:
    import pandas as pd

    r = pd.read_csv(path)
    return {
        (a, b, c): (e, s, np.nan)
        for a, b, c, e, s in r[
            ["migratory_status", "sex", "age_group", "estimate", "se"]
        ].itertuples(index=False)
    }


def compare(a: dict, b: dict) -> dict:
    """Max relative differences of estimate and SE over the keys of b (must all be in a)."""
    missing = [k for k in b if k not in a]
    ests, ses, ns = [], [], []
    for k, (e, s, n) in b.items():
        if k not in a:
            continue
        e2, s2, n2 = a[k]
        ests.append(abs(e - e2) / max(abs(e), 1e-300))
        ses.append(abs(s - s2) / max(abs(s), 1e-300))
        if not (np.isnan(n) or np.isnan(n2)):
            ns.append(abs(n - n2))
    return {
        "domains": len(b) - len(missing),
        "missing": len(missing),
        "max_rel_estimate": max(ests, default=float("nan")),
        "max_rel_se": max(ses, default=float("nan")),
        "max_abs_n": max(ns, default=0.0),
    }


def summarise(runs: list[dict]) -> dict:
    good = [r for r in runs if r["ok"]]
    if not good:
        return {"runs": len(runs), "ok": False, "error": runs[-1].get("error", "")[-800:]}
    out = {
        "runs": len(good),
        "ok": True,
        "wall_median": statistics.median(r["wall"] for r in good),
        "wall_all": [round(r["wall"], 3) for r in good],
        "rss_mb_max": max(r["rss_mb"] for r in good),
    }
    timings = [r["timing"] for r in good if r.get("timing")]
    if timings:
        out["timing_median"] = {k: statistics.median(t[k] for t in timings) for k in timings[0]}
    return out


def r_timing(stdout: str) -> dict | None:
    m = re.search(r"TIMING (.*)", stdout)
    if not m:
        return None
    return {k: float(v) for k, v in (p.split("=") for p in m.group(1).split())}


def contender_cmd(who: str, name: str, data: Path, profile: Path, mode: str, work: Path, i: int):
    """The command line of one contender's run i, and the file its results go to."""
    if who == "mhi":
        out = work / f"{name}_mhi_{i}"
        return mhi_cmd(data, profile, out), out
    if who == "mhi_before":
        out = work / f"{name}_before_{i}"
        cmd = mhi_cmd(data, profile, out)
        run = "import sys; sys.path.insert(0, sys.argv.pop(1)); "
        run += "from mhindicators.cli.main import app; app()"
        return [PY, "-c", run, str(BEFORE_SRC), *cmd[1:]], out
    if who == "floor":
        out = work / f"{name}_floor_{i}.json"
        return [PY, __file__, "floor", "--data", str(data), "--mode", mode, "--out", str(out)], out
    if who == "svy":
        out = work / f"{name}_svy_{i}.json"
        script = str(BENCH / "bench_svy.py")
        return [SVY_PY, script, "--data", str(data), "--mode", mode, "--out", str(out)], out
    csv = ensure_csv(data, mode)
    out = work / f"{name}_r_{i}.csv"
    return ["Rscript", str(BENCH / "bench_survey.R"), str(csv), mode, str(out)], out


def run_case(name: str, args, work: Path) -> dict:
    """Whole-process runs of every contender, interleaved (mhi, floor, svy, R; repeat)."""
    rows, reps, stem, prof_suffix, shape = CASES[name]
    mode = "taylor" if "taylor" in name else "replicates"
    data = ensure_data(stem, rows, reps, shape)
    profile = DATA / f"{stem}{prof_suffix}"
    result: dict = {"rows": rows, "mode": mode, "shape": shape, "data": str(data.relative_to(ROOT))}
    print(f"\n== {name}: {rows:,} rows, {mode}, {shape} data", flush=True)
    who_all = [w for w in CONTENDERS if w not in args.skip]
    if not BEFORE_SRC and "mhi_before" in who_all:
        who_all.remove("mhi_before")
    if "r" in who_all and not shutil.which("Rscript"):
        who_all.remove("r")
    if "r" in who_all:
        t0 = time.perf_counter()
        ensure_csv(data, mode)
        result["csv_export_s"] = time.perf_counter() - t0
    runs: dict[str, list] = {w: [] for w in who_all}
    outs: dict[str, Path] = {}
    r_repeat = args.r_repeat if args.r_repeat else (1 if rows >= 10_000_000 else args.repeat)
    for i in range(args.repeat):
        for who in who_all:
            if who == "r" and i >= r_repeat:
                continue
            cmd, out = contender_cmd(who, name, data, profile, mode, work, i)
            run = run_timed(cmd, args.r_timeout if who == "r" else args.timeout)
            if run["ok"] and who in ("floor", "svy"):
                run["timing"] = json.loads(out.read_text())["timing"]
            elif who == "r":
                run["timing"] = r_timing(run.get("stdout", ""))
            runs[who].append(run)
            outs.setdefault(who, out)
            extra = f" {run['timing']}" if run.get("timing") else ""
            print(f"  {who:5s} run {i + 1}: {run['wall']:.2f} s, {run['rss_mb']:.0f} MB{extra}",
                  flush=True)  # fmt: skip
    for who in who_all:
        result[who] = summarise(runs[who])
    loaders = {"mhi": load_mhi, "mhi_before": load_mhi, "floor": load_floor, "svy": load_floor}
    loaders["r"] = load_r
    tables = {w: loaders[w](outs[w]) for w in who_all if result[w]["ok"]}
    pairs = (("mhi", "floor"), ("mhi", "r"), ("floor", "r"), ("mhi", "svy"), ("svy", "r"))
    for a, b in (*pairs, ("mhi", "mhi_before")):
        if a in tables and b in tables:
            result[f"agree_{b}_vs_{a}"] = compare(tables[a], tables[b])
    if "mhi" in tables:
        result["mhi_domains"] = len(tables["mhi"])
        result["mhi_empty_domains"] = sum(1 for v in tables["mhi"].values() if not v[2])
    result["load_average_end"] = os.getloadavg()
    for key, val in result.items():
        if key.startswith("agree"):
            print(f"  {key}: {val}")
    return result


def _version(python: str, package: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({package!r}))"
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "not installed"


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    rv = subprocess.run(["Rscript", "-e", 'cat(R.version.string, "survey",'
                         ' as.character(packageVersion("survey")))'],
                        capture_output=True, text=True, check=False).stdout  # fmt: skip
    import pandas as pd
    import pyarrow as pa

    git = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--short", "--", "src"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split("\n")
    return {
        "git_head": git,
        "src_uncommitted": [line.strip() for line in dirty if line.strip()],
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem, 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "pyarrow": pa.__version__,
        "r": rv.strip(),
        "svy": _version(SVY_PY, "svy"),
        "load_average_start": os.getloadavg(),
    }


def report(results: dict) -> str:
    """Markdown table: median wall, peak RSS and ratios to R and to the floor per contender."""
    lines = [
        "| case | contender | wall median (s) | runs | peak RSS (MB) | R / this | this / floor "
        "| RSS / floor |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {"mhi": "mhi compute", "mhi_before": "mhi (before)", "floor": "numpy floor"}
    labels |= {"svy": "svy", "r": "R survey"}
    for name, res in results.get("cases", {}).items():
        f, r = res.get("floor", {}), res.get("r", {})
        for who, label in labels.items():
            s = res.get(who)
            if not s:
                continue
            if not s.get("ok"):
                lines.append(f"| {name} | {label} | failed | | | | | |")
                continue
            vs_r = r["wall_median"] / s["wall_median"] if r.get("ok") else float("nan")
            vs_f = s["wall_median"] / f["wall_median"] if f.get("ok") else float("nan")
            rss_f = s["rss_mb_max"] / f["rss_mb_max"] if f.get("ok") else float("nan")
            lines.append(
                f"| {name} | {label} | {s['wall_median']:.2f} | {s['runs']} | "
                f"{s['rss_mb_max']:.0f} | {vs_r:.1f}x | {vs_f:.2f}x | {rss_f:.2f}x |"
            )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "floor":
        floor_main(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=DEFAULT_CASES, help=f"comma list of {list(CASES)}")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--skip", default="", help=f"comma list of contenders to leave out {CONTENDERS}"
    )
    ap.add_argument("--r-repeat", type=int, default=0, help="R runs (0: --repeat; 1 at 10M)")
    ap.add_argument("--timeout", type=float, default=600, help="per mhi/floor run (s)")
    ap.add_argument("--r-timeout", type=float, default=1800, help="per R run (s)")
    ap.add_argument("--json", type=Path, default=RESULTS / "survey.json")
    ap.add_argument("--catalogue", action="store_true", help="also the whole survey catalogue")
    ap.add_argument("--catalogue-only", action="store_true")
    ap.add_argument("--catalogue-rows", type=int, default=10_000_000)
    ap.add_argument("--catalogue-repeat", type=int, default=1)
    args = ap.parse_args()
    args.skip = [w for w in args.skip.split(",") if w]
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine(), "repeat": args.repeat, "cases": {}}
    prior = json.loads(args.json.read_text()) if args.json.exists() else {}
    with tempfile.TemporaryDirectory(prefix="mhi_bench_") as tmp:
        merged = prior
        for name in [] if args.catalogue_only else args.cases.split(","):
            results["cases"][name] = run_case(name, args, Path(tmp))
            merged = {**prior, **results, "cases": {**prior.get("cases", {}), **results["cases"]}}
            args.json.write_text(json.dumps(merged, indent=2, default=float), encoding="utf-8")
        if args.catalogue or args.catalogue_only:
            merged = {**merged, "catalogue": run_catalogue(args, Path(tmp))}
            args.json.write_text(json.dumps(merged, indent=2, default=float), encoding="utf-8")
    print()
    print(report(merged))


if __name__ == "__main__":
    main()
