"""Secondary suppression checked by an independent audit: for every confidential cell, the
attacker's feasible interval given everything published (two linear programs over the whole
table, relations rebuilt here from the codes) is at least the protection interval."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from mhindicators.pipeline.secondary import apply_secondary, protect

PROTECTION = 3.0


def audit(keys: pd.DataFrame, a: np.ndarray, hidden: np.ndarray, primary: np.ndarray) -> list:
    """Cells whose interval [min, max] over tables >= 0 agreeing with the published cells and
    with every additive relation misses [a - min(a, P), a + P]. Returns the failures."""
    keys = keys.reset_index(drop=True).astype(str)
    rows = []
    for d in keys.columns:
        others = [c for c in keys.columns if c != d]
        for _, group in keys.groupby(others, sort=False) if others else [(None, keys)]:
            margin = group.index[group[d] == "_T"]
            levels = group.index[group[d] != "_T"]
            if len(margin) == 1 and len(levels) and abs(a[margin[0]] - a[levels].sum()) < 1e-9:
                row = np.zeros(len(a))
                row[margin[0]] = 1
                row[levels] = -1
                rows.append(row)
    A = np.array(rows)
    bounds = [(0, None) if h else (v, v) for v, h in zip(a, hidden, strict=True)]
    failures = []
    for p in np.flatnonzero(primary):
        c = np.zeros(len(a))
        c[p] = 1
        lo = linprog(c, A_eq=A, b_eq=np.zeros(len(A)), bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=A, b_eq=np.zeros(len(A)), bounds=bounds, method="highs")
        low = lo.fun
        high = np.inf if hi.status == 3 else -hi.fun
        if high < a[p] + PROTECTION - 1e-6 or low > a[p] - min(a[p], PROTECTION) + 1e-6:
            failures.append((p, low, high))
    return failures


def table_with_margins(levels: dict[str, list[str]], inner: np.ndarray) -> pd.DataFrame:
    """All cells and margins of a table whose innermost cells hold `inner` (C order)."""
    dims = list(levels)
    cells = pd.DataFrame(list(itertools.product(*levels.values())), columns=dims)
    cells["count"] = inner.ravel()
    frames = []
    for total in itertools.product([False, True], repeat=len(dims)):
        by = [d for d, t in zip(dims, total, strict=True) if not t]
        if by:
            part = cells.groupby(by, as_index=False)["count"].sum()
        else:
            part = pd.DataFrame({"count": [cells["count"].sum()]})
        for d, t in zip(dims, total, strict=True):
            if t:
                part[d] = "_T"
        frames.append(part[[*dims, "count"]])
    return pd.concat(frames, ignore_index=True)


def test_hand_example_two_dimensions() -> None:
    inner = np.array([[1, 10, 10], [10, 10, 10], [10, 10, 20]])
    table = table_with_margins({"r": ["a", "b", "c"], "c": ["x", "y", "z"]}, inner)
    a = table["count"].to_numpy(float)
    primary = ((table["r"] == "a") & (table["c"] == "x")).to_numpy()
    assert audit(table[["r", "c"]], a, primary, primary)  # primary alone is recoverable
    result = protect(table[["r", "c"]], a, primary, PROTECTION)
    assert result.status == "optimal" and not audit(
        table[["r", "c"]], a, result.suppressed, primary
    )
    # the cheapest rectangle: three cells of 10 (cost a + 1 each); no margin
    assert result.secondary.sum() == 3 and (a[result.secondary] == 10).all()


def test_generated_four_dimension_table_with_many_small_cells() -> None:
    rng = np.random.default_rng(20261206)
    levels = {"sex": ["F", "M"], "age": ["Y0T39", "Y_GE40"], "mig": ["nb", "fb"], "reg": list("ab")}
    inner = rng.poisson(4.0, size=(2, 2, 2, 2))
    table = table_with_margins(levels, inner)
    a = table["count"].to_numpy(float)
    primary = (a > 0) & (a < 5)
    assert primary.sum() >= 5
    keys = table[list(levels)]
    assert audit(keys, a, primary, primary)
    result = protect(keys, a, primary, PROTECTION, time_limit=120)
    assert result.status == "optimal"
    assert not audit(keys, a, result.suppressed, primary)


@pytest.mark.parametrize(
    "indicator",
    [
        "sdg_16_2_2_trafficking_victims",
        "peristat_low_birth_weight",
        "sdg_8_8_1_fatal_occupational_injuries",
        "sdg_3_1_1_mmr",
        "tb_notification_asr",
        "sdg_3_4_2_suicide_rate",
    ],
)
def test_sample_registry_tables_pass_the_audit(sample_out: Path, indicator: str) -> None:
    est = pd.read_parquet(sample_out / "estimates.parquet")
    legend = pd.read_parquet(sample_out / "flags_legend.parquet")
    est = est[est["indicator_id"] == indicator].reset_index(drop=True)
    out, legend2, report = apply_secondary(est, legend, PROTECTION, 120)
    assert "S" in set(legend2["flag"])
    primary = est["flags"].str.split(";").map(lambda f: "R" in f).to_numpy()
    hidden = (out["flags"].str.split(";").map(lambda f: "R" in f or "S" in f)).to_numpy()
    assert (out.loc[hidden, "action"] == "suppress").all()
    dims = [c for c in ("age_group", "sex", "migratory_status", "nativity", "citizenship_status")]
    dims = [d for d in dims if est[d].nunique() > 1]
    a = est["events"].fillna(0).to_numpy(float)
    assert not audit(est[dims], a, hidden, primary)
    if primary.any():
        assert report and report[0]["primary"] == primary.sum()


def test_project_policy_flags_secondary_cells(tmp_path, run_in) -> None:
    import shutil

    root = Path(__file__).resolve().parents[2]
    reg = root / "sample_data" / "registry"
    shutil.copytree(root / "indicator_defs", tmp_path / "indicator_defs")
    for name in ("trafficking_victims", "population"):
        for suffix in (".csv", ".profile.yaml"):
            shutil.copy(reg / f"{name}{suffix}", tmp_path / f"{name}{suffix}")
    (tmp_path / "mhi.yaml").write_text(
        "definitions: [indicator_defs]\ndatasets:\n  - id: tr\n    kind: registry\n"
        "    events: {path: trafficking_victims.csv, profile: trafficking_victims.profile.yaml}\n"
        "    denominator: {path: population.csv, profile: population.profile.yaml}\n"
        "    indicators: [sdg_16_2_2_trafficking_victims]\n"
        "output: {dir: out, formats: [parquet, csv]}\n"
        "disclosure: {secondary: milp, protection: 3}\n"
    )
    result = run_in(tmp_path, "compute", "-q")
    assert result.exit_code == 0, result.output
    est = pd.read_parquet(tmp_path / "out" / "estimates.parquet")
    secondary = est["flags"].str.split(";").map(lambda f: "S" in f)
    assert secondary.any() and (est.loc[secondary, "action"] == "suppress").all()
    legend = pd.read_csv(tmp_path / "out" / "flags_legend.csv")
    assert "S" in set(legend["flag"])
