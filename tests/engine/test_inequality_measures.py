"""HEAT conventions and applicability tests of the inequality measures; gradients checked
against numerical differentiation, invariances of the relative measures."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mhindicators.core.inequality_measures import (
    MEASURES,
    GroupSets,
    _values,
    inequality_measures,
)


def sets(y, pop=None, se=None, ref=0, cov=None):
    y = np.atleast_2d(np.asarray(y, dtype=float))
    S, G = y.shape
    pop = np.ones((S, G)) if pop is None else np.atleast_2d(np.asarray(pop, dtype=float))
    if cov is None:
        se = np.full((S, G), 0.5) if se is None else np.atleast_2d(np.asarray(se, dtype=float))
        cov = np.einsum("sg,gh->sgh", se**2, np.eye(G))
    listed = np.ones((S, G), dtype=bool)
    return GroupSets(y, cov, pop, listed, np.full(S, ref, dtype=np.int64))


def run(s, favourable=1, df=np.inf):
    return {m.name: m for m in inequality_measures(s, favourable, 0.95, df)}


def test_four_groups_every_measure():
    out = run(sets([80.0, 70.0, 60.0, 75.0], pop=[5, 2, 1, 2]))
    assert set(out) == set(MEASURES)
    assert all(out[k].status[0] == "ok" for k in MEASURES), {k: out[k].reason for k in out}
    assert out["D"].estimate[0] == -20.0 and out["D"].group[0] == 2  # furthest from the ref
    assert out["R"].estimate[0] == pytest.approx(60 / 80)
    mu = (5 * 80 + 2 * 70 + 60 + 2 * 75) / 10
    assert out["PAR"].estimate[0] == pytest.approx(80 - mu)
    assert out["BGV"].estimate[0] == pytest.approx(
        np.dot([0.5, 0.2, 0.1, 0.2], (np.array([80, 70, 60, 75]) - mu) ** 2)
    )


def test_fewer_than_two_groups():
    s = sets([[50.0, 60.0]])
    s = GroupSets(s.y, s.cov, s.pop, np.array([[True, False]]), s.ref)
    out = run(s)
    assert all(m.status[0] == "not-applicable" for m in out.values())
    assert {m.reason[0] for m in out.values()} == {"fewer than 2 migratory groups"}


def test_under_85_percent_of_groups_with_estimates():
    out = run(sets([50.0, np.nan, 60.0, 70.0, 65.0]))  # 4 of 5 = 80 %
    assert {m.reason[0] for m in out.values()} == {
        "fewer than 85 % of the groups have an estimate (HEAT)"
    }
    out = run(sets([50.0, np.nan, 60.0, 70.0, 65.0, 55.0, 52.0]))  # 6 of 7 = 86 %
    assert out["D"].reason[0] == "a group has no estimate"
    assert out["BGV"].status[0] == "ok"


def test_direction_missing_leaves_out_directed_measures():
    out = run(sets([80.0, 70.0, 60.0]), favourable=0)
    for k in ("PAF", "PAR", "MDBU", "MDBW"):
        assert out[k].status[0] == "not-applicable"
        assert out[k].reason[0] == "the definition sets no `favourable` direction"
    assert out["BGV"].status[0] == "ok" and out["MDRU"].status[0] == "ok"


def test_no_reference_group():
    out = run(sets([80.0, 70.0, 60.0], ref=-1), favourable=-1)
    for k in ("D", "R", "MDRU", "MDRW"):
        assert out[k].reason[0] == "the definition names no reference group"
    assert out["PAR"].group[0] == 2  # the best group: lowest where lower is favourable
    assert out["PAR"].estimate[0] == pytest.approx(60 - 70)


def test_two_groups_need_more_for_the_complex_measures():
    out = run(sets([80.0, 70.0]))
    assert out["D"].status[0] == "ok"
    for k in MEASURES[4:]:
        assert out[k].reason[0] == "needs more than 2 groups with an estimate"


@pytest.mark.parametrize(("favourable", "y"), [(1, [60.0, 80.0, 70.0]), (-1, [80.0, 60.0, 70.0])])
def test_paf_par_clamped_to_zero_with_the_wrong_sign(favourable, y):
    out = run(sets(y), favourable=favourable)
    for k in ("PAF", "PAR"):
        assert out[k].status[0] == "clamped" and out[k].estimate[0] == 0.0
        assert np.isnan(out[k].se[0]) and np.isnan(out[k].ci_lower[0])


def test_zero_se_gives_no_interval():
    out = run(sets([80.0, 70.0, 60.0], se=[0.5, 0.0, 0.4]))
    assert out["BGV"].status[0] == "no-interval" and np.isfinite(out["BGV"].estimate[0])
    assert np.isnan(out["BGV"].ci_lower[0])


def test_logs_undefined():
    out = run(sets([80.0, 0.0, 60.0]))
    assert out["MLD"].reason[0] == "a group estimate is 0 or negative (log undefined)"
    assert out["TI"].status[0] == "ok"
    out = run(sets([0.0, 0.0, 0.0]))
    assert out["D"].reason[0] == "every group estimate is 0"


def test_ratio_interval_on_the_log_scale():
    out = run(sets([50.0, 100.0, 75.0]), df=10)
    r = out["R"]
    assert r.ci_lower[0] * r.ci_upper[0] == pytest.approx(r.estimate[0] ** 2)


@pytest.mark.parametrize("seed", range(5))
def test_gradients_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    G = 5
    y = rng.uniform(10, 90, size=(1, G))
    p = rng.uniform(0.5, 3, size=(1, G))
    p /= p.sum()
    present = np.ones((1, G), dtype=bool)
    ref, best, far = np.array([0]), np.array([int(np.argmax(y))]), np.array([1])

    def value(v, name):
        mu = np.sum(p * v, axis=1)
        return _values(name, v, p, present, mu, ref, best, far)

    for name in MEASURES:
        _, grad = value(y, name)
        for k in range(G):
            h = 1e-6 * y[0, k]
            up, dn = y.copy(), y.copy()
            up[0, k] += h
            dn[0, k] -= h
            num = (value(up, name)[0] - value(dn, name)[0]) / (2 * h)
            assert num[0] == pytest.approx(grad[0, k], rel=1e-5, abs=1e-7), (name, k)


def test_relative_measures_do_not_depend_on_the_scale():
    y = np.array([0.8, 0.7, 0.6, 0.75])
    a = run(sets(y, se=[0.01] * 4))
    b = run(sets(100 * y, se=[1.0] * 4))
    for k in ("R", "PAF", "COV", "IDISU", "IDISW", "TI", "MLD"):
        assert b[k].estimate[0] == pytest.approx(a[k].estimate[0], rel=1e-12)
        assert b[k].se[0] == pytest.approx(a[k].se[0], rel=1e-12)
    for k in ("D", "BGSD", "MDMW"):
        assert b[k].estimate[0] == pytest.approx(100 * a[k].estimate[0], rel=1e-12)


def test_correlated_groups_change_the_se():
    y = [80.0, 75.0, 60.0]
    independent = run(sets(y, cov=np.diag([1.0, 1.0, 1.0])[None]))
    correlated = run(sets(y, cov=np.array([[[1.0, 0.8, 0.0], [0.8, 1.0, 0.0], [0, 0, 1.0]]])))
    # D compares group 2 with the reference 0: the 0-1 covariance does not enter
    assert correlated["D"].se[0] == pytest.approx(independent["D"].se[0])
    assert correlated["BGV"].se[0] != pytest.approx(independent["BGV"].se[0])


def test_a_measure_takes_the_df_of_the_groups_it_depends_on():
    """A one-PSU group (df 0) leaves D and R between two other groups with their interval;
    measures over every group (BGV) have none. Old rule: the set's smallest df for all."""
    s = sets([80.0, 70.0, 60.0, 75.0], pop=[5, 2, 1, 2])  # reference 0; farthest: group 2
    group_df = np.array([[40.0, 0.0, 30.0, 25.0]])
    out = run(s, df=group_df)
    for name in ("D", "R"):
        assert out[name].status[0] == "ok", (name, out[name].reason[0])
        assert np.isfinite(out[name].ci_lower[0])
    d = out["D"]
    t = stats.t.ppf(0.975, 30.0)  # min(df of reference 40, of group 2 30)
    assert d.ci_upper[0] - d.estimate[0] == pytest.approx(t * d.se[0], rel=1e-12)
    assert out["BGV"].status[0] == "no-interval"
    assert np.isfinite(out["BGV"].se[0]) and np.isnan(out["BGV"].ci_lower[0])
