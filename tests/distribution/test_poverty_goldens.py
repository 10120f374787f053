"""Share below a national relative line by domain against tests/reference/poverty_goldens.R:
replicate variance by full recomputation (R withReplicates), Taylor variance of the Deville /
Osier linearised variable (R svytotal), point estimates also against laeken's arpr.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mhindicators.frame.domains import all_domains, encode_cells
from mhindicators.survey.poverty import below_line_domains

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "golden" / "poverty"
RTOL, ATOL = 1e-9, 1e-14


@cache
def golden(name: str) -> pd.DataFrame:
    path = GOLD / name
    if not path.exists():
        pytest.fail(f"golden file missing: {path} (run Rscript tests/reference/poverty_goldens.R)")
    return pd.read_csv(path, na_values=["NA"], keep_default_na=False)


def _design(case):
    from test_quantile_goldens import design  # same fixtures and designs

    return design(case)


@cache
def estimates(case: str, dims: tuple = ("grp", "sx")):
    des, df = _design(case)
    keep = (df["has_enroll"] == 1).to_numpy()
    cells = encode_cells(df, list(dims), keep)
    doms = all_domains(cells)
    res = below_line_domains(
        des, cells, doms, df["enroll"].to_numpy(float), keep, 0.6, 0.5, "school"
    )
    key = doms.labels.astype(str).agg("|".join, axis=1)
    return res, {k: i for i, k in enumerate(key)}


@pytest.mark.parametrize("case", ["strat", "clus1", "jk1_clus1"])
def test_rates_and_variances_match_r(case):
    res, where = estimates(case)
    g = golden("rates.csv")
    g = g[g.case == case]
    assert len(g) == 12
    idx = np.array([where[f"{a}|{b}"] for a, b in zip(g.grp, g.sx, strict=True)])
    np.testing.assert_allclose(res.est.estimate[idx], g.estimate, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(res.est.variance[idx], g.variance, rtol=RTOL, atol=ATOL)
    assert res.line == pytest.approx(g.line.iloc[0], rel=1e-15)
    assert res.quantile == pytest.approx(g["median"].iloc[0], rel=1e-15)


@pytest.mark.parametrize("case", ["strat", "clus1"])
def test_rates_match_laeken_arpr(case):
    res, where = estimates(case, ("grp",))
    g = golden("laeken.csv")
    g = g[g.case == case]
    idx = np.array([where[str(k)] for k in g.grp])
    np.testing.assert_allclose(res.est.estimate[idx], g.rate, rtol=RTOL, atol=ATOL)
    assert res.line == pytest.approx(g.threshold.iloc[0], rel=1e-15)


@pytest.mark.parametrize("case", ["strat", "clus1", "jk1_clus1"])
def test_contrast_variance_uses_the_joint_covariance(case):
    des, df = _design(case)
    keep = (df["has_enroll"] == 1).to_numpy()
    cells = encode_cells(df, ["grp", "sx"], keep)
    doms = all_domains(cells)
    value = df["enroll"].to_numpy(float)
    res = below_line_domains(des, cells, doms, value, keep, 0.6, 0.5, "school", covariance=True)
    key = list(doms.labels.astype(str).agg("|".join, axis=1))
    g = golden("contrasts.csv")
    g = g[g.case == case]
    assert len(g) == 2
    for _, row in g.iterrows():
        i, r = key.index(f"{row.group}|_T"), key.index(f"{row.reference}|_T")
        cov = res.est.cov
        got = cov[i, i] + cov[r, r] - 2 * cov[i, r]
        assert got == pytest.approx(row.difference_variance, rel=RTOL)


@pytest.mark.parametrize("case", ["strat", "clus1", "jk1_clus1"])
def test_line_from_another_variable_matches_r(case):
    """`line.of`: the line is 0.9 x the median of api99, the rate is of api00 below it."""
    des, df = _design(case)
    keep = np.ones(len(df), dtype=bool)
    cells = encode_cells(df, ["grp", "sx"], keep)
    doms = all_domains(cells)
    res = below_line_domains(
        des,
        cells,
        doms,
        df["api00"].to_numpy(float),
        keep,
        0.9,
        0.5,
        "school",
        line_value=df["api99"].to_numpy(float),
    )
    key = list(doms.labels.astype(str).agg("|".join, axis=1))
    g = golden("rates_line_of.csv")
    g = g[g.case == case]
    assert len(g) == 12
    idx = np.array([key.index(f"{a}|{b}") for a, b in zip(g.grp, g.sx, strict=True)])
    np.testing.assert_allclose(res.est.estimate[idx], g.estimate, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(res.est.variance[idx], g.variance, rtol=RTOL, atol=ATOL)
    assert res.line == pytest.approx(g.line.iloc[0], rel=1e-15)
