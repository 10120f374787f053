"""Reliability and disclosure policies: shipped rules, schema validation, evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mhindicators.errors import DefinitionError, EstimationError
from mhindicators.pipeline.quality import apply_policy, list_policies, load_policy, worst_action

SHIPPED = ["dhs", "nchs-counts-rates-2023", "nchs-proportions-2017", "none", "ons-sdg",
           "phe-dsr", "small-counts"]  # fmt: skip


def test_shipped_policies_load_and_document_every_flag():
    assert list_policies() == SHIPPED
    for name in SHIPPED:
        p = load_policy(name)
        assert p.policy == name and p.source
        assert {r.flag for r in p.rules} == set(p.flags)
        assert all(f.meaning for f in p.flags.values())


def nchs_row(p, lo, hi, n_eff, n, df=20):
    return {"estimate": p, "lower": lo, "upper": hi, "n_eff": n_eff, "n_unweighted": n, "df": df}


@pytest.mark.parametrize(
    ("row", "flags"),
    [
        (nchs_row(0.5, 0.48, 0.52, 1000, 1000), ""),  # width <= 0.05: present
        (nchs_row(0.5, 0.48, 0.52, 29, 1000), "Px"),  # n_eff < 30
        (nchs_row(0.5, 0.48, 0.52, 100, 25), "Px"),  # n_eff capped at n
        (nchs_row(0.5, 0.30, 0.62, 100, 200), "Px"),  # width >= 0.30
        (nchs_row(0.1, 0.02, 0.16, 100, 200), "Px"),  # relative width 1.4 > 1.3
        (nchs_row(0.1, 0.04, 0.16, 100, 200), ""),  # relative width 1.2
        (nchs_row(0.9, 0.80, 0.95, 100, 200), "Pc"),  # complement 0.15/0.1
        (nchs_row(0.5, 0.49, 0.51, 100, 200, df=7), "Pdf"),
        (nchs_row(0.0, 0.0, 0.08, np.nan, 40), "P0"),  # p = 0: n_eff := n, width := 0
        (nchs_row(1.0, 0.9, 1.0, np.nan, 29), "Px"),  # p = 1, n < 30
        (nchs_row(0.9, 0.80, 0.95, 100, 200, df=3), "Pc;Pdf"),
    ],
)
def test_nchs_proportions(row, flags):
    table = {k: np.array([v], dtype=float) for k, v in row.items()}
    assert apply_policy(load_policy("nchs-proportions-2017"), table).tolist() == [flags]


def test_nchs_counts_rates_registry_uses_events():
    p = load_policy("nchs-counts-rates-2023")
    t = pd.DataFrame({"estimate": [10.0, 10.0, 10.0], "lower": [5.0, 1.0, 8.0],
                      "upper": [20.0, 30.0, 12.0], "events": [12, 40, 9]})  # fmt: skip
    assert apply_policy(p, t).tolist() == ["", "Cx", "Cx"]
    t["n_eff"], t["df"] = [12.0, 12.0, 12.0], [5, 5, 5]
    assert apply_policy(p, t).tolist() == ["Cdf", "Cx", "Cdf"]


def test_dhs_ons_phe_small_counts():
    assert apply_policy(load_policy("dhs"), {"n_unweighted": [24, 25, 49, 50]}).tolist() == [
        "DHSx", "DHSp", "DHSp", ""]  # fmt: skip
    ev = {"events": np.array([0, 2, 3, 4, 19, 20])}
    assert apply_policy(load_policy("ons-sdg"), ev).tolist() == [
        "ONSx", "ONSx", "ONSu", "ONSu", "ONSu", ""]  # fmt: skip
    five = load_policy("ons-sdg", {"suppress_below": 5})
    assert apply_policy(five, ev).tolist() == ["ONSx", "ONSx", "ONSx", "ONSx", "ONSu", ""]
    assert apply_policy(load_policy("phe-dsr"), ev).tolist() == ["PHEx"] * 4 + ["", ""]
    sc = apply_policy(load_policy("small-counts", {"threshold": 3}), ev)
    assert sc.tolist() == ["", "R", "", "", "", ""]
    assert apply_policy(load_policy("none"), ev).tolist() == [""] * 6


def test_worst_action():
    p = load_policy("nchs-proportions-2017")
    flags = np.array(["", "Px", "Pc;Pdf", "P0"], dtype=object)
    assert worst_action(p, flags).tolist() == ["", "suppress", "review", "review"]


def test_missing_statistic_is_an_error():
    with pytest.raises(EstimationError) as err:
        apply_policy(load_policy("dhs"), {"events": [3]})
    assert err.value.issues[0].code == "MHI436"


def test_nan_statistics_raise_no_flag():
    out = apply_policy(load_policy("ons-sdg"), {"events": [np.nan]})
    assert out.tolist() == [""]


def test_vectorised_over_many_rows():
    rng = np.random.default_rng(0)
    ev = rng.integers(0, 40, 200_000)
    out = apply_policy(load_policy("ons-sdg"), {"events": ev})
    assert (out[ev < 3] == "ONSx").all() and (out[ev >= 20] == "").all()


def write(tmp_path, text):
    p = tmp_path / "p.yaml"
    p.write_text(text)
    return p


BASE = """policy: mine
title: t
source: s
flags:
  X: {action: suppress, meaning: m}
rules:
"""


@pytest.mark.parametrize(
    ("rules", "code", "line"),
    [
        ("  - flag: X\n    when: {stat: events, op: '<', value: 3, extra: 1}\n", "MHI432", 8),
        ("  - flag: X\n    when: {stat: colour, op: '<', value: 3}\n", None, 8),
        ("  - flag: X\n    when: {stat: events, op: '=~', value: 3}\n", None, 8),
        ("  - flag: Y\n    when: {stat: events, op: '<', value: 3}\n", "MHI431", 7),
        ("  - flag: X\n    when: {stat: events, op: '<', value: lim}\n", "MHI431", 8),
        ("  - flag: X\n    when: {flagged: X}\n", "MHI431", 8),
    ],
)
def test_invalid_policy_is_located(tmp_path, rules, code, line):
    with pytest.raises(DefinitionError) as err:
        load_policy(write(tmp_path, BASE + rules))
    first = err.value.issues[0]
    assert first.code.startswith("MHI43") and first.line == line
    if code:
        assert first.code == code


def test_policy_yaml_cannot_run_code(tmp_path):
    text = BASE + "  - flag: X\n    when: !!python/object/apply:os.system ['echo hi']\n"
    with pytest.raises(DefinitionError) as err:
        load_policy(write(tmp_path, text))
    assert err.value.issues[0].code == "MHI106"


def test_unknown_policy_and_parameter():
    with pytest.raises(DefinitionError) as err:
        load_policy("nchs")
    assert err.value.issues[0].code == "MHI430"
    with pytest.raises(DefinitionError):
        load_policy("ons-sdg", {"threshold": 5})
