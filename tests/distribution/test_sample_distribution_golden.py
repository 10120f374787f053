"""End-to-end: `compute` on the root mhi.yaml vs plain R on the shipped sample survey for the
distribution indicators (tests/reference/sample_distribution_goldens.R): estimate and SE (and
the Woodruff bounds of the median) by migratory status and overall, at 1e-9 relative.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mhindicators.pipeline.compute import compute
from mhindicators.project import load_project

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "golden" / "sample_distribution" / "estimates.csv"
INDICATORS = (
    "fp_oop_spending_median",
    "eu_arop_rate",
    "sdg_10_2_1_below_half_median",
    "eu_gini_income",
    "eu_income_quintile_share_ratio",
    "fp_oop_below_relative_line",
)
RTOL, ATOL = 1e-9, 1e-12


@cache
def golden() -> pd.DataFrame:
    if not GOLD.exists():
        pytest.fail(
            f"golden missing: {GOLD} (run Rscript tests/reference/sample_distribution_goldens.R)"
        )
    return pd.read_csv(GOLD, na_values=["NA"], keep_default_na=False)


@cache
def estimates() -> pd.DataFrame:
    e = compute(load_project(ROOT / "mhi.yaml"), indicators=set(INDICATORS)).estimates
    if "sex" in e.columns:
        e = e[e["sex"].isna() | (e["sex"] == "_T")]
    return e[e["dataset"] == "nhs_2024"]


@pytest.mark.parametrize("indicator", INDICATORS)
def test_sample_project_matches_r(indicator):
    g = golden()
    g = g[g.indicator_id == indicator].set_index("migratory_status")
    e = estimates()
    e = e[e.indicator_id == indicator].set_index("migratory_status").loc[g.index]
    assert len(g) == 6
    cols = ["estimate", "se"] + (
        ["ci_lower", "ci_upper"] if indicator == "fp_oop_spending_median" else []
    )
    for c in cols:
        np.testing.assert_allclose(
            e[c].to_numpy(float), g[c].to_numpy(float), rtol=RTOL, atol=ATOL, err_msg=c
        )


def test_median_spending_contrasts_match_r():
    path = GOLD.parent / "contrasts.csv"
    if not path.exists():
        pytest.fail(f"golden missing: {path}")
    g = pd.read_csv(path).set_index("group")
    c = compute(load_project(ROOT / "mhi.yaml"), indicators={"fp_oop_spending_median"}).contrasts
    c = c[(c.dataset == "nhs_2024") & (c.sex == "_T") & (c.dimension == "migratory_status")]
    c = c.set_index("group").loc[g.index]
    for col in ("difference", "difference_se"):
        np.testing.assert_allclose(c[col].to_numpy(float), g[col], rtol=RTOL, atol=ATOL)
