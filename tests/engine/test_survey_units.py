"""Unit tests of the survey core: validation, edge cases, CI statuses, replicate defaults."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sstats

from mhindicators.core import intervals as ci
from mhindicators.core.design import (
    ReplicateSpec,
    SurveyDesign,
    check_psu_nested,
    nest_psu,
    replicate_defaults,
)
from mhindicators.core.replicates import gram_rank
from mhindicators.core.stats import Column, accumulate
from mhindicators.errors import DataError, EstimationError
from mhindicators.survey.estimate import estimate_domains


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
    import mhindicators.core.stats as stats_mod

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


# --- R's svyciprop(method = "logit"): svyglm's IRLS coefficient, SE and confint quantiles ---

# Rscript: k <- 0:199; d <- data.frame(w = ((k * 7919) %% 1000 + 1)^2,
#   y = as.numeric((k * 5) %% 11 < 3), g = k %% 3, s = k %/% 50); d$w[k %% 37 == 5] <- 0;
#   d$w[d$g == 2] <- d$w[d$g == 2] / 1000
#   des <- svydesign(id = ~1, strata = ~s, weights = ~w, data = d)
#   confint(svyciprop(~y, des[<cond>, ], method = "logit", level = <level>)) (survey 4.1.1)
#   and coef(svyglm(y ~ 1, des[<cond>, ], family = quasibinomial)).
R_LOGIT_DISPERSED = [
    ("g == 0", 0.95, 0.19934062448667225, 0.5217925557506512, -0.65159754064184006),
    ("g == 0", 0.9, 0.21947781761013074, 0.49138008171482567, -0.65159754064184006),
    ("g == 2", 0.95, 0.14349879375695657, 0.43414686530676572, -1.025740392912458),
    ("g == 2", 0.9, 0.15960752718336177, 0.40363795385302348, -1.025740392912458),
    ("g != 1", 0.95, 0.20060120997609385, 0.51964827248480105, -0.65195372147309938),
    ("g != 1", 0.9, 0.22034107763998764, 0.48994445684641563, -0.65195372147309938),
    ("TRUE", 0.95, 0.20151537166787875, 0.41488638106882864, -0.86032569934980918),
    ("TRUE", 0.9, 0.21531911911286769, 0.39472454437232013, -0.86032569934980918),
]


def test_logit_ci_matches_r_with_dispersed_weights():
    """Weights over nine orders of magnitude, zero weights, domains whose mean weights differ
    1000-fold (svyglm rescales by the domain's mean weight, which drives glm's mustart)."""
    k = np.arange(200)
    w = ((k * 7919) % 1000 + 1.0) ** 2
    y = ((k * 5) % 11 < 3).astype(float)
    g = k % 3
    w[k % 37 == 5] = 0
    w[g == 2] /= 1000
    d = SurveyDesign(weights=w, strata=k // 50)
    conds = ["g == 0", "g == 2", "g != 1", "TRUE"]
    dom = np.array([[1, 0, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1]], float)
    est = estimate_domains(accumulate(d, g, 3, [Column(y)]), dom, estimator="proportion")
    for cond, level, lo, hi, beta in R_LOGIT_DISPERSED:
        i = conds.index(cond)
        iv = ci.proportion_ci("logit", est, level)
        np.testing.assert_allclose(est.logit_fit[i], [est.estimate[i], beta], rtol=1e-12)
        np.testing.assert_allclose([iv.lower[i], iv.upper[i]], [lo, hi], rtol=1e-12)
    # the converged interval is ~4e-9 away from R's for the whole sample
    exact = ci.xlogit(est.estimate, est.se, est.df, level=0.95)
    assert abs(exact.lower[3] / R_LOGIT_DISPERSED[6][2] - 1) > 1e-9


def test_glm_wald_factors_reproduce_r_round_trip():
    # R: tl <- 1 - 2 * pnorm(qt(0.05, df)); qnorm((1 - tl) / 2); qnorm(1 - (1 - tl) / 2)
    lo, hi = ci.glm_wald_factors(0.9, np.array([1.0, 3.0, 0.0]))
    np.testing.assert_allclose(lo[:2], [-6.3137515006501008, -2.3533634348018246], rtol=1e-15)
    assert hi[0] == pytest.approx(6.3137515637037431, rel=1e-15)  # not -lo[0]: R's rounding
    assert abs(hi[0] / -lo[0] - 1) > 1e-9
    assert np.isnan(lo[2]) and np.isnan(hi[2])
    # df = 1, level 0.95: R's 1 - 2 pnorm(qt) is exactly 1, so R gives (0, 1); we keep qt
    lo, hi = ci.glm_wald_factors(0.95, np.array([1.0]))
    assert lo[0] == pytest.approx(sstats.t.ppf(0.025, 1)) and hi[0] == -lo[0]


def _glm_fit_rows(y, w, maxit=25, eps=1e-8):
    """Row-level transcription of R's glm.fit for y ~ 1, quasibinomial, weights w/mean(w)."""
    a = w / w.mean()
    mu = (a * y + 0.5) / (a + 1)
    eta = np.log(mu / (1 - mu))

    def dev(m):
        return (2 * a * np.where(y == 1, -np.log(m), -np.log(1 - m))).sum()

    devold, good = dev(mu), a > 0
    for it in range(1, maxit + 1):
        v = mu * (1 - mu)
        z, wt = eta + (y - mu) / v, a * v
        beta = (wt * z)[good].sum() / wt[good].sum()
        eta = np.full_like(y, beta)
        mu = 1 / (1 + np.exp(-eta))
        d = dev(mu)
        if abs(d - devold) / (abs(d) + 0.1) < eps:
            return beta, it
        devold = d
    return beta, maxit


@pytest.mark.parametrize("seed", range(6))
def test_glm_logit_from_sufficient_statistics_equals_row_level_glm_fit(seed, monkeypatch):
    import mhindicators.core.stats as stats_mod
    from mhindicators.core.replicates import glm_logit, glm_logit_start

    rng = np.random.default_rng(seed)
    n, nc = 3000, 5
    cell = rng.integers(0, nc, n)
    w = np.exp(rng.normal(0, [0.1, 0.7, 1.5, 2.5, 3.0][seed % 5], n) + 1.2 * cell)
    if seed % 2:
        w = np.round(w, 1)  # ties and zero weights
    y = (rng.uniform(size=n) < rng.uniform(0.02, 0.6)).astype(float)
    dom = np.vstack([np.eye(nc), np.ones((1, nc)), [[1, 0, 0, 0, 1]]])
    d = SurveyDesign(weights=w)
    st = accumulate(d, cell, nc, [Column(y)])
    est = estimate_domains(st, dom, estimator="proportion")
    for i in range(dom.shape[0]):
        rows = dom[i, cell] == 1
        beta, iters = _glm_fit_rows(y[rows], w[rows])
        assert est.logit_fit[i, 1] == pytest.approx(beta, rel=1e-11, abs=1e-12)
        _, ours = glm_logit(
            est.estimate[i : i + 1],
            est.n[i : i + 1],
            glm_logit_start(st.logit_parts[0], dom[i : i + 1], est.sum_w[i : i + 1] / est.n[i]),
        )
        assert ours[0] == iters
    # two chunks merged, and the sort-based grouping, give the same fit
    cut = n // 3
    a = accumulate(SurveyDesign(weights=w[:cut]), cell[:cut], nc, [Column(y[:cut])])
    b = accumulate(SurveyDesign(weights=w[cut:]), cell[cut:], nc, [Column(y[cut:])])
    merged = estimate_domains(a.merge(b), dom, estimator="proportion")
    np.testing.assert_allclose(merged.logit_fit, est.logit_fit, rtol=1e-13)
    monkeypatch.setattr(stats_mod, "_DENSE_KEYS", 0)
    sparse = estimate_domains(accumulate(d, cell, nc, [Column(y)]), dom, estimator="proportion")
    np.testing.assert_allclose(sparse.logit_fit, est.logit_fit, rtol=1e-13)


def test_logit_centre_falls_back_when_estimates_are_replaced():
    from dataclasses import replace

    rng = np.random.default_rng(3)
    n = 300
    w, y = rng.uniform(1, 9, n), (rng.uniform(size=n) < 0.3).astype(float)
    est = estimate_domains(
        accumulate(SurveyDesign(weights=w), np.zeros(n, dtype=np.int64), 1, [Column(y)]),
        np.ones((1, 1)),
        estimator="proportion",
    )
    ours = ci.proportion_ci("logit", est)
    f_lo, _ = ci.glm_wald_factors(0.95, est.df)
    beta = est.logit_fit[0, 1]
    assert ours.lower[0] == pytest.approx(1 / (1 + np.exp(-(beta + f_lo[0] * est.se_logit[0]))))
    std = replace(est, estimate=est.estimate * 0.9)  # e.g. standardised estimates
    other = ci.proportion_ci("logit", std)
    eta = np.log(std.estimate / (1 - std.estimate))
    assert other.lower[0] == pytest.approx(1 / (1 + np.exp(-(eta + f_lo * est.se_logit)))[0])


def test_no_logit_fit_for_non_binary_or_ratio_columns():
    rng = np.random.default_rng(4)
    n = 50
    d = SurveyDesign(weights=rng.uniform(1, 3, n))
    cell = np.zeros(n, dtype=np.int64)
    cols = [Column(rng.uniform(size=n)), Column(np.ones(n), x=np.full(n, 2.0))]
    st = accumulate(d, cell, 1, cols)
    assert st.logit_parts == [None, None]
    est = estimate_domains(st, np.ones((1, 1)), estimator="proportion")
    assert est.logit_fit is None
    np.testing.assert_allclose(est.se_logit, est.se / (est.estimate * (1 - est.estimate)))
