"""Merging statistics of chunks: PSU and stratum keys unioned, cells relabelled, replicate sums
re-shifted (each chunk centres its variance sums on its own ratio)."""

from __future__ import annotations

import numpy as np

from mhindicators.core.design import ReplicateSpec, SurveyDesign
from mhindicators.core.replicate_columns import ReplicateColumns
from mhindicators.core.stats import Column, accumulate
from mhindicators.pipeline.keyed import GroupPart, cell_map, merge_parts, recell
from mhindicators.survey.estimate import estimate_domains

DOMAINS = np.vstack([np.eye(3), np.ones((1, 3))])


def _sample(seed: int = 5):
    rng = np.random.default_rng(seed)
    strata = np.repeat(np.arange(3), 40)
    psu = np.repeat(np.arange(12), 10)
    w = rng.uniform(1, 30, 120)
    y = rng.normal(1e6, 5.0, 120)  # a large offset: chunk shifts differ by far more than 1e-12
    cell = rng.integers(0, 3, 120)
    rep = w[:, None] * rng.choice([0.5, 1.5], size=(12, 6))[psu]
    return strata, psu, w, y, cell, rep


def _design(strata, psu, w, rep=None):
    spec = None if rep is None else ReplicateSpec(ReplicateColumns(list(rep.T)), "BRR")
    return SurveyDesign(w, strata, psu, lonely_psu="adjust", replicates=spec)


def test_replicate_chunks_with_their_own_shifts_merge_to_the_single_pass() -> None:
    strata, psu, w, y, cell, rep = _sample()
    whole = accumulate(_design(strata, psu, w, rep), cell, 3, [Column(y)])
    cut = 50
    a, b = (
        accumulate(_design(strata[s], psu[s], w[s], rep[s]), cell[s], 3, [Column(y[s])])
        for s in (slice(0, cut), slice(cut, None))
    )
    assert a.shift[0] != b.shift[0]
    merged = a.merge(b)
    x, m = (estimate_domains(s, DOMAINS, column=0, estimator="mean") for s in (whole, merged))
    np.testing.assert_allclose(m.estimate, x.estimate, rtol=1e-12)
    np.testing.assert_allclose(m.se, x.se, rtol=1e-9)


def _part(rows: np.ndarray, sample, levels) -> GroupPart:
    """A chunk coded on its own: strata and PSUs numbered in first-seen order."""
    strata, psu, w, y, cell, _ = sample
    s_codes, s_keys = _own_codes(strata[rows])
    p_codes, p_keys = _own_codes(psu[rows])
    design = SurveyDesign(w[rows], s_codes, p_codes, lonely_psu="adjust")
    stats = accumulate(design, cell[rows], 3, [Column(y[rows])], shifts=[1e6])
    k = np.zeros(1, dtype=np.int64)
    return GroupPart(stats, levels, s_keys, p_keys, k, k, k, np.zeros((1, 2)))


def _own_codes(values: np.ndarray):
    keys, first = np.unique(values, return_index=True)
    order = keys[np.argsort(first)]
    lookup = {v: i for i, v in enumerate(order)}
    return np.asarray([lookup[v] for v in values]), np.asarray([str(v) for v in order], object)


def test_chunks_with_different_psu_sets_merge_by_key_in_any_order() -> None:
    sample = _sample(9)
    strata, psu, w, y, cell, _ = sample
    whole = accumulate(_design(strata, psu, w), cell, 3, [Column(y)], shifts=[1e6])
    rng = np.random.default_rng(1)
    order = rng.permutation(120)  # chunks cut PSUs and strata, each numbered its own way
    chunks = [order[i : i + 37] for i in range(0, 120, 37)]
    levels = (("a", "b", "c"),)
    parts = [_part(np.sort(c), sample, levels) for c in chunks]
    want = estimate_domains(whole, DOMAINS, column=0, estimator="mean")
    for sequence in (parts, parts[::-1]):
        total = sequence[0]
        for p in sequence[1:]:
            total = merge_parts(total, p)
        got = estimate_domains(total.stats, DOMAINS, column=0, estimator="mean")
        np.testing.assert_allclose(got.estimate, want.estimate, rtol=1e-12)
        np.testing.assert_allclose(got.se, want.se, rtol=1e-12)
        np.testing.assert_array_equal(got.df, want.df)


def test_cells_move_to_the_union_of_levels() -> None:
    old = (("F", "M"), ("x",))
    new = (("F", "M", "_U"), ("w", "x"))
    assert cell_map(old, new).tolist() == [1, 3]  # (F,x) -> 0*2+1, (M,x) -> 1*2+1
    strata, psu, w, y, cell, _ = _sample()
    stats = accumulate(_design(strata, psu, w), cell % 2, 2, [Column(y)])
    moved = recell(stats, cell_map(old, new), 6)
    assert moved.cs.shape[2] == 6
    np.testing.assert_array_equal(moved.cs[:, :, [1, 3]], stats.cs)
    assert moved.cs[:, :, [0, 2, 4, 5]].sum() == 0
