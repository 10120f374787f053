"""HEAT inequality measures over groups against tests/reference/inequality_measures_goldens.R.

Survey: svyby(covmat = TRUE) + svycontrast with the measures as nonlinear expressions, for a
stratified clustered design and a BRR design; registry: independent Poisson rates. Relative
tolerance 1e-9; a missing golden file fails (never skips).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mhindicators.core.design import ReplicateSpec, SurveyDesign, nest_psu
from mhindicators.core.stats import Column, accumulate
from mhindicators.frame.domains import all_domains, encode_cells
from mhindicators.survey.estimate import estimate_domains
from mhindicators.survey.inequality_table import inequality_rows, registry_rows

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "golden" / "inequality_measures"
FIX = ROOT / "fixtures" / "survey"
RTOL, ATOL = 1e-9, 1e-13


def _gold(name: str) -> Path:
    path = GOLD / name
    if not path.exists():
        script = "tests/reference/inequality_measures_goldens.R"
        pytest.fail(f"golden missing: {path} (run Rscript {script})")
    return path


@cache
def golden() -> pd.DataFrame:
    return pd.read_csv(_gold("measures.csv"), na_values=["NA"], keep_default_na=False)


def test_golden_files_present():
    assert len(golden()) > 200
    assert _gold("VERSIONS.txt").stat().st_size > 0


def close(a, b) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both_nan = np.isnan(a) & np.isnan(b)
    return both_nan | np.isclose(a, b, rtol=RTOL, atol=ATOL)


@cache
def survey_rows(cid: str, outcome: str, favourable: str) -> pd.DataFrame:
    df = pd.read_csv(FIX / "nhanes_sub.csv")
    df["old"] = (df["agegrp"] == "(59,Inf]").astype(float)
    w = df["WTMEC2YR"].to_numpy(float)
    if cid == "nhanes":
        strata, labels = pd.factorize(df["SDMVSTRA"], sort=True)
        psu = nest_psu(strata.astype(np.int64), pd.factorize(df["SDMVPSU"], sort=True)[0])
        design = SurveyDesign(
            weights=w, strata=strata.astype(np.int64), strata_labels=[str(v) for v in labels],
            psu=psu,
        )  # fmt: skip
    else:
        rw = pd.read_csv(FIX / "brr_nhanes_repweights.csv.gz").to_numpy(float)
        spec = ReplicateSpec(
            weights=rw, type="BRR", scale=1 / rw.shape[1], rscales=np.ones(rw.shape[1]),
            mse=False, rho=None,
        )  # fmt: skip
        design = SurveyDesign(weights=w, replicates=spec)
    universe = df["has_chol"].to_numpy() == 1
    y = np.where(universe, df[outcome].fillna(0).to_numpy(float), 0.0)
    frame = df[["grp", "sx"]].astype(str)
    cells = encode_cells(frame, ["grp", "sx"], universe)
    stats = accumulate(design, cells.codes, cells.n_cells, [Column(y, None, universe)])
    doms = all_domains(cells)
    est = estimate_domains(stats, doms.membership, estimator="proportion", covariance=True)
    block = None
    if stats.kind != "taylor":  # as compute_survey: one svyby call per margin

        def block(rows):
            return estimate_domains(
                stats, doms.membership[rows], estimator="ratio", covariance=True
            ).cov

    ind = SimpleNamespace(
        reference_group={"grp": "r3"}, disaggregate_by=["grp", "sx"], favourable=favourable
    )
    return inequality_rows(
        ind, doms.labels, est.estimate, est.cov, est.denominator, est.df, 0.95, 1.0, block
    )


def registry_table(within: str) -> pd.DataFrame:
    gold = {
        "_T": ([412, 96, 57, 21], [2.61e6, 3.1e5, 2.05e5, 4.3e4]),
        "F": ([190, 51, 22, 12], [1.32e6, 1.6e5, 1.01e5, 2.2e4]),
    }[within]
    x, n = (np.asarray(v, dtype=float) for v in gold)
    return pd.DataFrame(
        {
            "nativity": ["g1", "g2", "g3", "g4"],
            "sex": within,
            "estimate": 1e5 * x / n,
            "se": np.sqrt(x) * 1e5 / n,  # the registry engine's Poisson SE
            "weighted_denominator": n,
        }
    )


def ours(case: str, within: str, favourable: str) -> pd.DataFrame:
    kind, outcome = case.split(":")
    if kind == "registry":
        ind = SimpleNamespace(
            reference_group={"nativity": "g1"},
            disaggregate_by=["nativity", "sex"],
            favourable=favourable,
        )
        return registry_rows(ind, registry_table(within), 0.95, 1.0)
    rows = survey_rows(kind, outcome, favourable)
    return rows[rows["sx"] == within]


CASES = sorted(golden().groupby(["case", "within", "favourable"]).groups) if GOLD.exists() else []


@pytest.mark.parametrize(("case", "within", "favourable"), CASES)
def test_measures_match_r(case, within, favourable):
    g = golden()
    want = g[(g.case == case) & (g.within == within) & (g.favourable == favourable)]
    got = ours(case, within, favourable).set_index("measure").loc[want.measure]
    for col in ("estimate", "se", "ci_lower", "ci_upper"):
        assert close(got[col], want[col]).all(), (col, got[col].to_numpy(), want[col].to_numpy())
    assert list(got["status"]) == list(want["status"])
    assert list(got["compared_group"]) == list(want["compared_group"])
    assert (got["n_groups"] == 4).all()
