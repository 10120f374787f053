"""Unit tests of the survey core: validation, edge cases, CI statuses, replicate defaults."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sstats

from mhindicators.engine import ci
from mhindicators.engine.design import (
    ReplicateSpec,
    SurveyDesign,
    check_psu_nested,
    nest_psu,
    replicate_defaults,
)
from mhindicators.engine.replicates import gram_rank
from mhindicators.engine.stats import Column, accumulate
from mhindicators.engine.survey_estimate import estimate_domains
from mhindicators.errors import DataError, EstimationError


def test_weights_validation_reports_counts_not_values():
    w = np.array([1.0, -7.5, np.nan, 3.0, -2.0])
    with pytest.raises(DataError) as err:
        SurveyDesign(weights=w)
    msg = str(err.value)
    assert "missing 1" in msg and "negative 2" in msg and "7.5" not in msg
    assert err.value.issues[0].code == "MHI360"
    with pytest.raises(DataError):
        SurveyDesign(weights=np.array(["a", "b"]))


def test_psu_nesting():
    strata = np.array([0, 0, 1, 1])
    psu = np.array([1, 2, 1, 2])
    with pytest.raises(DataError) as err:
        check_psu_nested(strata, psu)
    assert err.value.issues[0].code == "MHI361"
    nested = nest_psu(strata, psu)
    assert len(set(nested)) == 4
    SurveyDesign(weights=np.ones(4), strata=strata, psu=nested)


def test_fpc_fraction_equals_population_size():
    rng = np.random.default_rng(1)
    strata = np.repeat([0, 1], 10)
    w = np.repeat([5.0, 8.0], 10)
    y = rng.normal(size=20)
    pop = np.repeat([50.0, 80.0], 10)
    a = SurveyDesign(weights=w, strata=strata, fpc=pop)
    b = SurveyDesign(weights=w, strata=strata, fpc=10 / pop)
    cell = np.zeros(20, dtype=np.int64)
    ea = estimate_domains(accumulate(a, cell, 1, [Column(y)]), np.ones((1, 1)), estimator="mean")
    eb = estimate_domains(accumulate(b, cell, 1, [Column(y)]), np.ones((1, 1)), estimator="mean")
    np.testing.assert_allclose(ea.se, eb.se, rtol=1e-12)


def test_empty_domain_is_nan_with_status():
    d = SurveyDesign(weights=np.ones(6), strata=np.array([0, 0, 0, 1, 1, 1]))
    cell = np.array([0, 0, 1, 1, 0, 1])
    st = accumulate(d, cell, 3, [Column(np.array([1.0, 0, 1, 0, 1, 1]))])
    e = estimate_domains(st, np.eye(3), estimator="proportion")
    assert np.isnan(e.estimate[2]) and e.n[2] == 0
    iv = ci.proportion_ci("logit", e)
    assert iv.status[2] == ci.EMPTY and np.isnan(iv.lower[2])


def test_lonely_fail_names_strata_and_other_policies_run():
    d = SurveyDesign(
        weights=np.ones(5),
        strata=np.array([0, 0, 1, 2, 2]),
        psu=np.array([0, 1, 2, 3, 4]),
        strata_labels=["north", "island", "south"],
    )
    st = accumulate(d, np.zeros(5, dtype=np.int64), 1, [Column(np.arange(5.0))])
    with pytest.raises(EstimationError, match="island"):
        estimate_domains(st, np.ones((1, 1)), estimator="mean")
    for policy in ("remove", "certainty", "adjust", "average"):
        st.lonely_psu = policy
        e = estimate_domains(st, np.ones((1, 1)), estimator="mean")
        assert np.isfinite(e.se[0])


def test_replicate_defaults_follow_svrepdesign():
    assert replicate_defaults("BRR", 16, None, None, None, None)[0] == pytest.approx(1 / 16)
    s, _, _ = replicate_defaults("Fay", 16, None, None, None, 0.3)
    assert s == pytest.approx(1 / (16 * 0.7**2))
    s, rs, mse = replicate_defaults("successive-difference", 80, None, None, None, None)
    assert s == pytest.approx(0.05) and mse and (rs == 1).all()
    assert replicate_defaults("JK1", 15, None, None, None, None)[0] == pytest.approx(14 / 15)
    assert replicate_defaults("bootstrap", 51, None, None, None, None)[0] == pytest.approx(1 / 50)
    with pytest.raises(EstimationError):
        ReplicateSpec(weights=np.ones((4, 3)), type="JKn")


def test_gram_rank_matches_matrix_rank():
    rng = np.random.default_rng(3)
    mats = []
    for rank in (1, 3, 5, 6):
        m = rng.normal(size=(10, rank)) @ rng.normal(size=(rank, 6))
        mats.append(m)
    g = np.stack([m.T @ m for m in mats])
    np.testing.assert_array_equal(gram_rank(g), [np.linalg.matrix_rank(m) for m in mats])


def test_ci_boundaries_and_degenerate_cases():
    p = np.array([0.0, 1.0, 0.3, 0.3])
    var = np.array([0.0, 0.0, 0.01, 0.0])
    df = np.array([14.0, 14.0, 0.0, 14.0])
    n = np.array([183.0, 183.0, 50.0, 50.0])
    lg = ci.xlogit(p, np.sqrt(var), df, n=n)
    assert list(lg.status) == [ci.BOUNDARY, ci.BOUNDARY, ci.NO_DF, ci.ZERO_SE]
    assert np.isnan(lg.lower[:3]).all() and lg.lower[3] == lg.upper[3] == 0.3
    kg = ci.korn_graubard_nchs(p, var, n, df)
    assert kg.lower[0] == 0 and kg.upper[0] == pytest.approx(sstats.beta.ppf(0.975, 1, 183))
    assert kg.upper[1] == 1 and kg.lower[1] == pytest.approx(sstats.beta.ppf(0.025, 183, 1))
    assert (kg.lower[2], kg.upper[2]) == (0.0, 1.0)
    wil = ci.wilson(p, var, df, n=n)
    assert wil.status[0] == ci.BOUNDARY and np.isnan(wil.upper[0])
    wd = ci.wald(np.array([5.0]), np.array([1.0]), np.array([np.inf]), level=0.9)
    assert wd.upper[0] == pytest.approx(5 + sstats.norm.ppf(0.95))


def test_unknown_ci_method():
    with pytest.raises(ValueError):
        ci.proportion_ci("clopper", None)


def test_sort_based_grouping_equals_bincount(monkeypatch):
    import mhindicators.engine.stats as stats_mod

    rng = np.random.default_rng(5)
    n = 400
    strata = rng.integers(0, 5, n)
    psu = strata * 10 + rng.integers(0, 4, n)
    d = SurveyDesign(weights=rng.uniform(1, 9, n), strata=strata, psu=psu, lonely_psu="adjust")
    cell = rng.integers(-1, 6, n)
    cols = [Column(rng.normal(size=n)), Column((rng.uniform(size=n) < 0.4).astype(float))]
    dom = np.vstack([np.eye(6), np.ones((1, 6))])
    a = estimate_domains(accumulate(d, cell, 6, cols), dom, column=1, estimator="proportion")
    monkeypatch.setattr(stats_mod, "_DENSE_KEYS", 0)
    b = estimate_domains(accumulate(d, cell, 6, cols), dom, column=1, estimator="proportion")
    np.testing.assert_allclose(b.se, a.se, rtol=1e-12)
    np.testing.assert_array_equal(b.df, a.df)
