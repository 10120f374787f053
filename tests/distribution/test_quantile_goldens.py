"""Quantiles by domain against R `svyquantile` (tests/reference/quantile_goldens.R).

The golden file must exist: a missing file fails (it is never skipped).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mhindicators.core.design import ReplicateSpec, SurveyDesign
from mhindicators.frame.domains import all_domains, encode_cells
from mhindicators.survey.quantile import quantile_domains

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "golden" / "quantile" / "quantiles.csv"
FIX = ROOT / "fixtures" / "survey"
RTOL, ATOL = 1e-9, 1e-12
RULES = ["math", "school", "hf1", "hf2", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9"]


@cache
def golden() -> pd.DataFrame:
    if not GOLD.exists():
        pytest.fail(f"golden file missing: {GOLD} (run Rscript tests/reference/quantile_goldens.R)")
    return pd.read_csv(GOLD, na_values=["NA"], keep_default_na=False)


@cache
def design(case: str) -> tuple[SurveyDesign, pd.DataFrame]:
    df = pd.read_csv(FIX / ("apistrat.csv" if case == "strat" else "apiclus1.csv"))
    w = df["pw"].to_numpy(float)
    if case == "strat":
        strata = pd.factorize(df["stype"], sort=True)[0].astype(np.int64)
        return SurveyDesign(w, strata=strata, fpc=df["fpc"].to_numpy(float)), df
    if case == "clus1":
        psu = pd.factorize(df["dnum"], sort=True)[0].astype(np.int64)
        return SurveyDesign(w, psu=psu, fpc=df["fpc"].to_numpy(float)), df
    rw = pd.read_csv(FIX / "jk1_clus1_repweights.csv.gz").to_numpy(float)
    spec = ReplicateSpec(rw, type="JK1", scale=14 / 15, rscales=np.ones(15), mse=False)
    return SurveyDesign(w, replicates=spec), df


VARIABLES = {"api00": ("api00", None), "enroll": ("enroll", "has_enroll")}


@pytest.mark.parametrize("case", ["strat", "clus1", "jk1_clus1"])
@pytest.mark.parametrize("variable", ["api00", "enroll"])
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_quantile_matches_svyquantile(case, variable, rule, p):
    des, df = design(case)
    col, uni = VARIABLES[variable]
    keep = np.ones(len(df), dtype=bool) if uni is None else (df[uni] == 1).to_numpy()
    value = df[col].to_numpy(float)
    cells = encode_cells(df, ["grp", "sx"], keep)
    doms = all_domains(cells)
    got = quantile_domains(des, cells, doms, value, keep, p, rule, 0.95)
    g = golden()
    g = g[(g.case == case) & (g.variable == variable) & (g.rule == rule) & np.isclose(g.p, p)]
    key = doms.labels["grp"].astype(str) + "|" + doms.labels["sx"].astype(str)
    where = {k: i for i, k in enumerate(key)}
    idx = np.array([where[f"{a}|{b}"] for a, b in zip(g.grp, g.sx, strict=True)])
    assert len(g) == 12
    for name, ours in [
        ("quantile", got.estimate),
        ("ci_lower", got.lower),
        ("ci_upper", got.upper),
        ("se", got.se),
        ("df", got.df),
    ]:
        np.testing.assert_allclose(
            ours[idx], g[name].to_numpy(float), rtol=RTOL, atol=ATOL, err_msg=name
        )


@pytest.mark.parametrize("case", ["strat", "clus1", "jk1_clus1"])
def test_median_contrast_variance(case):
    """Joint covariance of two domains' medians (linearised for Taylor, replicates otherwise)."""
    path = GOLD.parent / "contrasts.csv"
    if not path.exists():
        pytest.fail(f"golden file missing: {path}")
    g = pd.read_csv(path)
    g = g[g.case == case]
    assert len(g) == 2
    des, df = design(case)
    keep = np.ones(len(df), dtype=bool)
    cells = encode_cells(df, ["grp", "sx"], keep)
    doms = all_domains(cells)
    got = quantile_domains(
        des, cells, doms, df["api00"].to_numpy(float), keep, 0.5, "math", 0.95, covariance=True
    )
    key = list(doms.labels["grp"].astype(str) + "|" + doms.labels["sx"].astype(str))
    for _, row in g.iterrows():
        i, r = key.index(f"{row.group}|_T"), key.index(f"{row.reference}|_T")
        v = got.cov[i, i] + got.cov[r, r] - 2 * got.cov[i, r]
        assert v == pytest.approx(row.difference_variance, rel=RTOL)
