"""Property tests (hypothesis) for rates and standardisation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mhindicators.registry import contrasts as rate_contrasts
from mhindicators.registry import rates

counts = st.integers(min_value=0, max_value=5000)
pops = st.integers(min_value=1, max_value=10**7)
confs = st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998])


@given(x=counts, n=pops, conf=confs, method=st.sampled_from(["garwood", "byar", "phe"]))
def test_rate_ci_contains_estimate(x, n, conf, method):
    r = rates.crude_rate(x, n, conf_level=conf, method=method)
    assert r.lower <= r.estimate <= r.upper
    assert r.lower >= 0 and np.isfinite(r.upper)


@st.composite
def dsr_inputs(draw):
    k = draw(st.integers(min_value=1, max_value=8))
    x = draw(arrays(float, k, elements=st.integers(0, 300).map(float)))
    n = draw(arrays(float, k, elements=st.integers(1, 10**6).map(float)))
    s = draw(arrays(float, k, elements=st.integers(1, 10**5).map(float)))
    return x, n, s


@settings(max_examples=200)
@given(data=dsr_inputs(), scale=st.floats(1e-3, 1e6), method=st.sampled_from(
    ["fay-feuer", "tiwari", "dobson"]))  # fmt: skip
def test_dsr_invariant_to_scaling_the_standard(data, scale, method):
    x, n, s = data
    a, b = rates.dsr(x, n, s, method=method), rates.dsr(x, n, s * scale, method=method)
    np.testing.assert_allclose([a.estimate, a.lower, a.upper], [b.estimate, b.lower, b.upper],
                               rtol=1e-9, atol=1e-12)  # fmt: skip


@settings(max_examples=200)
@given(data=dsr_inputs(), method=st.sampled_from(["fay-feuer", "tiwari", "dobson"]))
def test_dsr_ci_contains_estimate(data, method):
    x, n, s = data
    r = rates.dsr(x, n, s, method=method)
    assert r.lower <= r.estimate * (1 + 1e-12) and r.estimate <= r.upper * (1 + 1e-12)
    assert r.lower >= 0


@given(x=counts, n=pops, w=st.floats(1e-3, 1e6), conf=confs)
def test_one_band_dsr_is_crude_rate(x, n, w, conf):
    d = rates.dsr([x], [n], [w], conf_level=conf)
    c = rates.crude_rate(x, n, conf_level=conf)
    np.testing.assert_allclose([d.estimate, d.lower, d.upper], [c.estimate, c.lower, c.upper],
                               rtol=1e-9, atol=1e-12)  # fmt: skip


@given(x1=counts, n1=pops, x0=st.integers(1, 5000), n0=pops)
def test_rate_ratio_ci_contains_estimate(x1, n1, x0, n0):
    c = rate_contrasts.rate_ratio(x1, n1, x0, n0)
    assert c.lower <= c.estimate * (1 + 1e-12) and c.estimate <= c.upper * (1 + 1e-12)
