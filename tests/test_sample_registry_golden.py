"""End-to-end: `compute` on the root mhi.yaml vs R on the shipped sample registers.

Goldens come from tests/reference/sample_registry_goldens.R, which reads the raw registers
(Parquet ones converted to CSV, format only, by tests/reference/export_registry_inputs.py),
re-derives the canonical variables in plain R and computes every cell and margin of every
registry indicator of the project: crude rates with `poisson.test` intervals, DSRs with
`epitools::ageadjust.direct`, proportions with `prop.test(correct = FALSE)` (Wilson), rate
ratios with `poisson.test(c(x1, x0), c(n1, n0))`, DSR ratios with Fay's F interval and the
documented normal differences (exact calls in the r_call column and CALLS.txt). A missing golden
file fails (it is never skipped).

Tolerance: relative 1e-9 with an absolute floor of 1e-14. NaN must face NaN (R records NA where
no rate exists), with one documented exception: a crude rate ratio where neither group nor
reference has an event is 0/0 in mhi with interval [0, inf], while `poisson.test` refuses it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "golden" / "sample_registry"
DIMS = ["age_group", "citizenship_status", "migratory_status", "nativity", "sex"]
DATASET_OF = {  # the registry datasets of the root mhi.yaml and the indicators they list
    "sdg_3_3_2_tb_notification_rate": "tb",
    "tb_notification_asr": "tb",
    "mort_asmr_by_cob": "deaths",
    "sdg_3_4_2_suicide_rate": "deaths",
    "sdg_3_1_1_mmr": "maternal_deaths",
    "peristat_low_birth_weight": "births",
    "sdg_8_8_1_fatal_occupational_injuries": "occupational_injuries",
    "sdg_8_8_1_nonfatal_occupational_injuries": "occupational_injuries",
    "sdg_16_2_2_trafficking_victims": "trafficking",
    "his_migration_core_variables": "data_sources",
}
INDICATORS = tuple(DATASET_OF)
RTOL, ATOL = 1e-9, 1e-14
GOLDEN_FILES = ("estimates.csv", "contrasts.csv", "CALLS.txt")
EST_COLS = ["estimate", "se", "ci_lower", "ci_upper"]
CON_COLS = [
    "estimate",
    "reference_estimate",
    "difference",
    "difference_se",
    "difference_ci_lower",
    "difference_ci_upper",
    "ratio",
    "ratio_se",
    "ratio_ci_lower",
    "ratio_ci_upper",
]


def _gold(name: str) -> Path:
    path = GOLD / name
    if not path.exists():
        pytest.fail(
            f"golden file missing: {path} (run Rscript tests/reference/sample_registry_goldens.R)"
        )
    return path


@cache
def golden(name: str) -> pd.DataFrame:
    return pd.read_csv(
        _gold(name), na_values=["NA"], keep_default_na=False, dtype={d: str for d in DIMS}
    )


@cache
def result():
    return compute(load_project(ROOT / "mhi.yaml"), indicators=set(INDICATORS))


def _labels(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for d in DIMS:
        out[d] = out[d].astype(object).where(out[d].notna(), "_T") if d in out else "_T"
    return out


def rel_diff(a, b) -> np.ndarray:
    """|a - b| / max(|b|, ATOL / RTOL); 0 where both are NaN or equal infinities."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    same = (np.isnan(a) & np.isnan(b)) | (np.isinf(b) & (a == b))
    with np.errstate(invalid="ignore"):
        d = np.abs(a - b) / np.maximum(np.abs(b), ATOL / RTOL)
    return np.where(same, 0.0, np.where(np.isnan(d), np.inf, d))


def assert_close(got, want, labels: pd.DataFrame, what: str) -> None:
    d = rel_diff(got, want)
    bad = np.flatnonzero(~(d <= RTOL))
    if bad.size:
        rows = labels.iloc[bad[:10]].assign(
            mhi=np.asarray(got, dtype=np.float64)[bad[:10]],
            r=np.asarray(want, dtype=np.float64)[bad[:10]],
        )
        pytest.fail(f"{what}: {bad.size} of {len(d)} values differ:\n{rows.to_string()}")


def joined(kind: str, indicator: str) -> pd.DataFrame:
    """Golden rows of `indicator` joined one-to-one with mhi's rows (every row on both sides)."""
    gold = golden(f"{kind}.csv")
    gold = gold[gold["indicator_id"] == indicator]
    assert len(gold) > 0, f"no golden {kind} for {indicator}"
    table = result().estimates if kind == "estimates" else result().contrasts
    mine = (table["indicator_id"] == indicator) & (table["dataset"] == DATASET_OF[indicator])
    ours = _labels(table[mine])
    key = DIMS if kind == "estimates" else ["dimension", "group", "reference", *DIMS]
    assert not ours.duplicated(key).any()
    merged = gold.merge(ours, on=key, how="outer", suffixes=("", "_mhi"), indicator=True)
    unmatched = merged[merged["_merge"] != "both"]
    assert unmatched.empty, f"rows on one side only:\n{unmatched[[*key, '_merge']]}"
    return merged


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_golden_file_present(name):
    assert _gold(name).stat().st_size > 0


def test_goldens_cover_every_registry_indicator_of_the_project():
    # the project file as written (not the Project model, whose dataset fields are evolving)
    datasets = yaml.safe_load((ROOT / "mhi.yaml").read_text(encoding="utf-8"))["datasets"]
    listed = {(i, ds["id"]) for ds in datasets for i in ds.get("indicators") or []}
    assert set(DATASET_OF.items()) <= listed
    assert set(golden("estimates.csv")["indicator_id"]) == set(INDICATORS)
    with_reference = set(INDICATORS) - {"his_migration_core_variables"}
    assert set(golden("contrasts.csv")["indicator_id"]) == with_reference


@pytest.mark.parametrize("indicator", INDICATORS)
def test_estimates_match_r(indicator):
    m = joined("estimates", indicator)
    labels = m[DIMS]
    # a DSR with no event: epitools' lower limit is NaN (gamma shape 0/0), mhi's is 0
    # (docs/methods-registry.md section 4, as asht and Fay & Feuer)
    no_event_dsr = (m["estimator"] == "standardized_rate") & (m["estimate"] == 0)
    at_zero = m.loc[no_event_dsr]
    assert (at_zero["ci_lower"].isna() & (at_zero["ci_lower_mhi"] == 0)).all()
    for col in EST_COLS:
        want = m[col].where(~(no_event_dsr & (col == "ci_lower")), 0.0)
        assert_close(m[f"{col}_mhi"], want, labels, f"{indicator} {col}")
    assert_close(m["weighted_numerator"], m["events"], labels, f"{indicator} events")
    assert_close(m["weighted_denominator"], m["denominator"], labels, f"{indicator} denominator")
    assert (m["ci_method_mhi"] == m["ci_method"]).all()
    assert np.isfinite(m["ci_upper"]).sum() >= len(m) // 2  # not NaN against NaN only
    std = m["standardization"].fillna("")
    assert (m["standardization_mhi"].fillna("") == std).all()


@pytest.mark.parametrize("indicator", sorted(set(INDICATORS) - {"his_migration_core_variables"}))
def test_contrasts_match_r(indicator):
    m = joined("contrasts", indicator)
    labels = m[["group", *DIMS]]
    no_events = m["r_call"].str.contains("poisson.test undefined")
    for col in CON_COLS:
        got, want = m[f"{col}_mhi"].to_numpy(float), m[col].to_numpy(float)
        if col in ("ratio_ci_lower", "ratio_ci_upper"):  # 0/0: mhi [0, inf], R none
            assert (m.loc[no_events, f"{col}_mhi"] == (0.0 if "lower" in col else np.inf)).all()
            got = np.where(no_events, np.nan, got)
        assert_close(got, want, labels, f"{indicator} {col}")
    assert np.isfinite(m["difference"]).sum() >= len(m) // 3  # not NaN against NaN only


def test_contrasts_compare_finite_ratios():
    gold = golden("contrasts.csv")
    assert np.isfinite(gold["ratio_ci_upper"]).sum() >= len(gold) // 2
