"""Taylor variance numerics: chunk merges with different shifts, no silent clamping (MHI440)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mhindicators.core import intervals as ci
from mhindicators.core.design import SurveyDesign
from mhindicators.core.stats import Column, accumulate
from mhindicators.issues import CODES
from mhindicators.survey.contrasts import domain_contrasts
from mhindicators.survey.estimate import DomainEstimates, estimate_domains

DOMAINS = np.vstack([np.ones((1, 3)), np.eye(3), [[1, 1, 0]]])


def _sample(offset: float, seed: int = 3):
    rng = np.random.default_rng(seed)
    strata = np.repeat(np.arange(6), 120)
    psu = np.repeat(np.arange(6 * 8), 15)
    n = strata.size
    w = 1e6 * rng.uniform(0.5, 1.5, n)
    y = offset + rng.normal(size=n) + 0.5 * strata
    x = 30 + 10 * rng.uniform(size=n)
    cell = rng.integers(-1, 3, n)
    return strata, psu, w, y, x, cell


def _design(strata, psu, w, sl, clustered):
    return SurveyDesign(weights=w[sl], strata=strata[sl], psu=psu[sl] if clustered else None)


@pytest.mark.parametrize("clustered", [True, False])
@pytest.mark.parametrize("offset", [0.0, 1e6, 1e8])
def test_chunks_with_different_shifts_merge_to_the_single_pass(offset, clustered):
    """Each chunk shifts y by its own mean; merging re-shifts (and, for rows-as-PSUs, adds the
    Chan between-chunk term), giving the single pass's variances to 1e-12."""
    strata, psu, w, y, x, cell = _sample(offset)
    n = y.size

    def stats(sl):
        cols = [Column(y[sl]), Column(y[sl], x[sl])]
        return accumulate(_design(strata, psu, w, sl, clustered), cell[sl], 3, cols)

    whole = stats(slice(None))
    cuts = [0, 97, 401, n]  # chunks cut across strata and PSUs
    parts = [stats(slice(a, b)) for a, b in itertools.pairwise(cuts)]
    assert len({float(p.shift[0]) for p in parts}) == 3  # the chunks' shifts differ
    merged = parts[0].merge(parts[1]).merge(parts[2])
    for j, estimator in ((0, "mean"), (1, "ratio"), (0, "total")):
        a = estimate_domains(whole, DOMAINS, column=j, estimator=estimator, covariance=True)
        b = estimate_domains(merged, DOMAINS, column=j, estimator=estimator, covariance=True)
        np.testing.assert_allclose(b.estimate, a.estimate, rtol=1e-12)
        np.testing.assert_allclose(b.variance, a.variance, rtol=1e-12)
        np.testing.assert_allclose(b.cov, a.cov, rtol=1e-9, atol=1e-12 * a.variance.max())
        np.testing.assert_allclose(b.deff, a.deff, rtol=1e-11)


@pytest.mark.parametrize("clustered", [True, False])
def test_offset_leaves_the_se_of_a_mean_unchanged(clustered):
    """y + 1e8 has the same SE as y (y chosen on a 2^-20 grid, so y + 1e8 is exact)."""
    strata, psu, w, y, _x, cell = _sample(0.0)
    y = np.round(y * 2**20) / 2**20
    design = _design(strata, psu, w, slice(None), clustered)
    se = [
        estimate_domains(accumulate(design, cell, 3, [Column(y + c)]), DOMAINS, estimator="mean").se
        for c in (0.0, 1e8)
    ]
    np.testing.assert_allclose(se[1], se[0], rtol=1e-12)


def test_non_finite_variance_is_a_status_not_a_zero():
    strata, psu, w, y, _x, cell = _sample(0.0)
    y = 1e200 * (1 + y)  # squares overflow
    design = _design(strata, psu, w, slice(None), True)
    est = estimate_domains(accumulate(design, cell, 3, [Column(y)]), DOMAINS, estimator="mean")
    assert np.isfinite(est.estimate).all() and not np.isfinite(est.se).any()
    iv = ci.wald(est.estimate, est.se, est.df, n=est.n)
    assert {ci.STATUS[int(s)] for s in iv.status} == {"variance-not-finite"}
    assert np.isnan(iv.lower).all() and np.isnan(iv.upper).all()
    assert CODES["MHI440"].name == "variance-not-finite"


def _est_with_cov(cov):
    k = cov.shape[0]
    one = np.ones(k)
    return DomainEstimates(
        "mean",
        np.arange(1.0, k + 1),
        np.diag(cov),
        np.sqrt(np.diag(cov)),
        one,
        one,
        one,
        one,
        one,
        one,
        one,
        one,
        None,
        cov=cov,
    )


def test_negative_contrast_variance_is_missing_not_zero():
    """A covariance matrix that is not positive semi-definite (beyond rounding) gives NaN."""
    est = _est_with_cov(np.array([[1.0, 2.0], [2.0, 1.0]]))  # V(a - b) = -2
    c = domain_contrasts(est, [0], [1])
    assert np.isnan(c.se_difference[0])
    # a negative value within rounding of its terms is a true 0
    tiny = _est_with_cov(np.array([[1.0, 1.0 + 1e-15], [1.0 + 1e-15, 1.0]]))
    assert domain_contrasts(tiny, [0], [1]).se_difference[0] == 0.0


@pytest.mark.parametrize("offset", [0.0, 1e8])
def test_dense_and_sparse_covariance_paths_agree(offset, monkeypatch):
    """Domains spanning most PSUs are centred densely; sparse ones use sum e e' - n ebar ebar'.
    Both give the same matrix, and a margin's variance is the sum of its cells' block."""
    from mhindicators.core import linearization

    strata, psu, w, y, _x, cell = _sample(offset)
    design = _design(strata, psu, w, slice(None), True)
    stats = accumulate(design, cell, 3, [Column(y)])
    out = {}
    for name, limit in (("dense", linearization._DENSE_COV), ("sparse", 0)):
        monkeypatch.setattr(linearization, "_DENSE_COV", limit)
        for estimator in ("mean", "total"):
            est = estimate_domains(stats, DOMAINS, estimator=estimator, covariance=True)
            out[name, estimator] = est.cov
            block = est.cov[1:4, 1:4]
            if estimator == "total":  # total = A + B + C
                scale = np.abs(block).sum()
                assert abs(block.sum() - est.variance[0]) <= 1e-13 * scale
    for estimator in ("mean", "total"):
        a, b = out["dense", estimator], out["sparse", estimator]
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-13 * np.abs(a).max())
