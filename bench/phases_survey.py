"""Where a survey `mhi compute` spends time and memory, phase by phase (diagnostic, one process).

    /work/venv/bin/python bench/phases_survey.py --data bench/data/survey_10m.parquet \
        --profile bench/data/survey_10m.profile.yaml --defs bench/defs/bench_insured.yaml
    /work/venv/bin/python bench/phases_survey.py --data bench/data/nhs_10m.parquet \
        --profile sample_data/survey/nhs_2024.profile.yaml --defs indicator_defs

Replays the steps of `pipeline.compute._run_survey` with the library's own functions -- read the
raw columns, harmonise (recodes), derive (migratory status family), build the design, one
`compute_survey` pass -- and prints wall time, RSS after the phase and the process peak RSS
(ru_maxrss) after it, so the phase that raises the peak is visible. Then times each derivation
of profiles/derive.py alone on the harmonised columns.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import psutil


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--profile", type=Path, required=True)
    ap.add_argument("--defs", type=Path, required=True)
    ap.add_argument("--cprofile", action="store_true", help="cProfile the compute_survey phase")
    args = ap.parse_args()
    rows = []

    def phase(name, fn):
        t0 = time.perf_counter()
        out = fn()
        rows.append((name, time.perf_counter() - t0, rss_mb(), peak_mb()))
        _, took, now, peak = rows[-1]
        print(f"{name:<34s} {took:8.2f} s  rss {now:7.0f} MB  peak {peak:7.0f} MB", flush=True)
        return out

    t_start = time.perf_counter()

    def imports():
        global compute_survey, build_design, design_columns, harmonize, source_variables
        global available_variables, load_profile, load_catalog, plan_survey, read_table
        global read_columns, default_vocabulary, derive, _derive_all
        from mhindicators.definitions import load_catalog
        from mhindicators.pipeline.compute import compute as _  # noqa: F401  (the CLI's imports)
        from mhindicators.pipeline.plan import plan_survey
        from mhindicators.pipeline.profile_design import build_design, design_columns
        from mhindicators.profiles import derive
        from mhindicators.profiles.harmonize import (
            _derive_all,
            available_variables,
            harmonize,
            source_variables,
        )
        from mhindicators.profiles.loader import load_profile
        from mhindicators.readers import read_columns, read_table
        from mhindicators.survey.indicators import compute_survey
        from mhindicators.vocabulary import default_vocabulary

    phase("import engine (scipy, pandas, ...)", imports)
    vocab = default_vocabulary()
    loaded = phase("load profile + catalogue", lambda: load_profile(args.profile, vocab))
    catalog = load_catalog([args.defs], vocab)
    plan = plan_survey(catalog, "bench", available_variables(loaded, vocab), None)
    wanted = set().union(*(item.variables for item in plan.items))
    prof = loaded.profile
    available = read_columns(args.data, prof.format)
    needed = [prof.columns[v] for v in sorted(source_variables(loaded, wanted))]
    needed += [c for c in design_columns(prof, available) if c not in needed]
    raw = phase(
        f"read {len(needed)} raw columns", lambda: read_table(args.data, prof.format, needed)
    )

    # harmonise without derivations, then the derivations, to separate them
    import mhindicators.profiles.harmonize as hz

    original = hz._derive_all
    hz._derive_all = lambda frame, loaded, wanted: None
    frame = phase("harmonise (recode, types)", lambda: harmonize(raw, loaded, wanted, vocab))
    hz._derive_all = original
    phase("derive (migratory status family)", lambda: _derive_all(frame, loaded, wanted))
    design = phase("build design", lambda: build_design(raw, prof, available))
    inds = [it.indicator for it in plan.items]

    def estimate():
        return compute_survey(inds, frame, design, vocab, 0.95, "logit")

    if args.cprofile:
        import cProfile
        import pstats

        prof_run = cProfile.Profile()
        phase(f"compute_survey ({len(inds)} indicators)", lambda: prof_run.runcall(estimate))
        pstats.Stats(prof_run).sort_stats("cumulative").print_stats(30)
    else:
        phase(f"compute_survey ({len(inds)} indicators)", estimate)
    print(f"{'total':<34s} {time.perf_counter() - t_start:8.2f} s  peak {peak_mb():7.0f} MB")

    print("\nderivations alone (on the harmonised columns):")
    country = prof.metadata.country
    steps = {
        "nativity": lambda: derive.nativity(frame["country_of_birth"], country),
        "citizenship_status": lambda: derive.citizenship_status(frame["citizenship"], country),
        "migratory_status": lambda: derive.migratory_status(
            frame["nativity"], frame["citizenship_status"]
        ),
    }
    for name, fn in steps.items():
        t0 = time.perf_counter()
        fn()
        print(f"  {name:<22s} {time.perf_counter() - t0:6.2f} s")
    import numpy as np
    import pandas as pd

    t0 = time.perf_counter()  # the same result from categorical codes (what a fix would do)
    cob = frame["country_of_birth"].cat
    nat = np.where(cob.codes < 0, 2, np.where(cob.codes == cob.categories.get_loc(country), 0, 1))
    cit = frame["citizenship"].cat
    cz = np.where(cit.codes < 0, 3, np.where(cit.codes == cit.categories.get_loc(country), 0, 1))
    if "XXA" in cit.categories:
        cz = np.where(cit.codes == cit.categories.get_loc("XXA"), 2, cz)
    mig = np.where((nat == 2) | (cz == 3), 4, 2 * nat + (cz != 0))
    fast = pd.Categorical.from_codes(mig, categories=list(derive.migratory_status(
        frame["nativity"].iloc[:1], frame["citizenship_status"].iloc[:1]).categories))  # fmt: skip
    took = time.perf_counter() - t0
    same = bool((np.asarray(fast.codes) == np.asarray(frame["migratory_status"].cat.codes)).all())
    print(f"  {'all three from codes':<22s} {took:6.2f} s  (same codes as the library: {same})")


if __name__ == "__main__":
    main()
