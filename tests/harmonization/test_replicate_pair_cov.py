"""Replicate covariance (R svrVar over the domains of one svyby call): an empty domain, which
svyby never lists, no longer turns every covariance into NaN; a listed domain undefined in
some replicates still drops them for all, as na.omit does."""

from __future__ import annotations

import numpy as np
import pytest

from mhindicators.core.replicates import svr_cov


def _r_svrvar(thetas, full, meta):
    keep = ~np.isnan(thetas).any(axis=0)
    t, rs = thetas[:, keep], np.asarray(meta["rscales"])[keep]
    centre = full if meta["mse"] else t[:, rs > 0].mean(axis=1)
    dev = t - centre[:, None]
    return meta["scale"] * (dev * rs) @ dev.T


@pytest.mark.parametrize("mse", [False, True])
def test_an_empty_domain_is_not_listed(mse) -> None:
    rng = np.random.default_rng(7)
    thetas = 0.3 + 0.02 * rng.standard_normal((5, 40))
    thetas[3, rng.choice(40, 5, replace=False)] = np.nan  # a small cell, 0/0 in 5 replicates
    meta = {"scale": 1 / 39, "rscales": np.where(np.arange(40) == 5, 0.0, 1.0), "mse": mse}
    full = thetas[:, 0].copy()
    full[3] = 0.31
    listed = svr_cov(thetas[:4], full[:4], meta)
    np.testing.assert_allclose(listed, _r_svrvar(thetas[:4], full[:4], meta), rtol=1e-12)
    thetas[4] = np.nan  # an empty domain (n = 0)
    cov = svr_cov(thetas, full, meta)
    np.testing.assert_allclose(cov[:4, :4], listed, rtol=1e-12)
    assert np.isnan(cov[4]).all() and np.isnan(cov[:, 4]).all()
