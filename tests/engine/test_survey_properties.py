"""Property tests of the survey core (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mhindicators.core.design import ReplicateSpec, SurveyDesign
from mhindicators.core.stats import Column, accumulate
from mhindicators.survey.estimate import estimate_domains


@st.composite
def samples(draw, replicates: bool = False):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_strata = draw(st.integers(1, 4))
    psu_per = draw(st.integers(2, 4))
    rows_per = draw(st.integers(1, 5))
    strata = np.repeat(np.arange(n_strata), psu_per * rows_per)
    psu = np.repeat(np.arange(n_strata * psu_per), rows_per)
    n = strata.size
    w = rng.uniform(0.5, 50, n)
    y = (rng.uniform(size=n) < draw(st.floats(0.05, 0.95))).astype(float)
    v = rng.normal(10, 3, n)
    cell = rng.integers(-1, 4, n)
    rep = None
    if replicates:
        mult = rng.choice([0.0, 2.0], size=(n_strata * psu_per, 8))
        rep = ReplicateSpec(weights=w[:, None] * mult[psu], type="BRR")
    design = SurveyDesign(weights=w, strata=strata, psu=psu, lonely_psu="adjust", replicates=rep)
    return design, cell, y, v


DOMAINS = np.vstack([np.eye(4), np.ones((1, 4)), [[1, 1, 0, 0]]])


def _est(design, cell, y, v, estimator):
    col = Column(y) if estimator != "mean" else Column(v)
    stats = accumulate(design, cell, 4, [col])
    return estimate_domains(stats, DOMAINS, estimator=estimator, covariance=True)


@settings(max_examples=40, deadline=None)
@given(samples())
def test_proportions_in_unit_interval(s):
    e = _est(*s, "proportion")
    ok = ~np.isnan(e.estimate)
    assert ((e.estimate[ok] >= 0) & (e.estimate[ok] <= 1)).all()
    assert (e.variance[ok] >= 0).all()


@settings(max_examples=40, deadline=None)
@given(samples(), st.floats(1e-3, 1e3), st.sampled_from(["proportion", "mean"]))
def test_invariant_to_weight_scaling(s, k, estimator):
    design, cell, y, v = s
    scaled = SurveyDesign(
        weights=design.weights * k,
        strata=design.strata,
        psu=design.psu,
        lonely_psu=design.lonely_psu,
    )
    a, b = _est(design, cell, y, v, estimator), _est(scaled, cell, y, v, estimator)
    np.testing.assert_allclose(b.estimate, a.estimate, rtol=1e-10)
    if estimator == "proportion":  # svyglm rescales the weights by their mean in the domain
        inside = (a.estimate > 0) & (a.estimate < 1)  # at 0/1 glm.fit diverges on rounding
        np.testing.assert_allclose(b.logit_fit[inside], a.logit_fit[inside], rtol=1e-9)
    # a true SE of 0 (a domain inside one PSU) is 0 or rounding of order eps * |estimate|
    floor = 1e-14 * np.nan_to_num(np.abs(a.estimate)).max()
    np.testing.assert_allclose(b.se, a.se, rtol=1e-8, atol=floor)


@settings(max_examples=25, deadline=None)
@given(samples(replicates=True), st.floats(1e-2, 1e2))
def test_replicate_invariant_to_weight_scaling(s, k):
    design, cell, y, v = s
    rep = design.replicates
    scaled = SurveyDesign(
        weights=design.weights * k,
        replicates=ReplicateSpec(weights=np.asarray(rep.weights) * k, type="BRR"),
    )
    a, b = _est(design, cell, y, v, "proportion"), _est(scaled, cell, y, v, "proportion")
    np.testing.assert_allclose(b.estimate, a.estimate, rtol=1e-10)
    np.testing.assert_allclose(b.se, a.se, rtol=1e-8, atol=1e-14)


@settings(max_examples=40, deadline=None)
@given(samples())
def test_margins_are_sums_of_cells_for_totals(s):
    e = _est(*s, "total")
    cells = np.nan_to_num(e.estimate[:4])
    np.testing.assert_allclose(np.nan_to_num(e.estimate[4]), cells.sum(), rtol=1e-12, atol=1e-9)
    # the variance of a margin is the sum of the cells' covariance block
    cov = np.nan_to_num(e.cov[:4, :4])
    for d, block in ((4, cov), (5, cov[:2, :2])):
        if e.n[d] > 0:  # an empty domain has NaN variance by definition
            np.testing.assert_allclose(e.variance[d], block.sum(), rtol=1e-9, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(samples(), st.integers(1, 10))
def test_chunks_merge_to_the_single_pass(s, cut):
    design, cell, y, v = s
    n = design.n
    cut = min(cut, n - 1)
    whole = accumulate(design, cell, 4, [Column(y), Column(v)])
    parts = []
    for sl in (slice(0, cut), slice(cut, n)):
        d = SurveyDesign(
            weights=design.weights[sl],
            strata=design.strata[sl],
            psu=design.psu[sl],
            lonely_psu=design.lonely_psu,
        )
        parts.append(accumulate(d, cell[sl], 4, [Column(y[sl]), Column(v[sl])]))
    merged = parts[0].merge(parts[1])
    for j, estimator in ((0, "proportion"), (1, "mean")):
        a = estimate_domains(whole, DOMAINS, column=j, estimator=estimator)
        b = estimate_domains(merged, DOMAINS, column=j, estimator=estimator)
        np.testing.assert_allclose(b.estimate, a.estimate, rtol=1e-12)
        floor = 1e-14 * np.nan_to_num(np.abs(a.estimate)).max()  # see above
        np.testing.assert_allclose(b.se, a.se, rtol=1e-12, atol=floor)
        np.testing.assert_array_equal(b.df, a.df)
        if estimator == "proportion":
            inside = (a.estimate > 0) & (a.estimate < 1)
            np.testing.assert_allclose(b.logit_fit[inside], a.logit_fit[inside], rtol=1e-11)
