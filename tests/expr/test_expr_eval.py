"""Evaluation: missing-value semantics, column dtypes, Kleene logic (hand tables and hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mhindicators.expr import (
    ExprTypeError,
    TriBool,
    compile_expression,
    evaluate,
    parse,
)
from mhindicators.vocabulary import Vocabulary

T, F, U = True, False, None


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": pd.array([10, 20, None, 70, 40], dtype="Int64"),
            "sex": pd.Categorical(["F", "M", None, "F", "M"]),
            "ms": pd.Series(["a", None, "b", "a", "c"], dtype=object),
            "ins": pd.array([True, None, False, True, None], dtype="boolean"),
            "insf": [1.0, np.nan, 0.0, 1.0, np.nan],
            "insobj": pd.Series([True, None, False, True, None], dtype=object),
            "h": [1.0, 2.0, 3.0, np.nan, 5.0],
            "c": [2.0, 0.0, 6.0, 1.0, 10.0],
            "f": pd.array([1.5, None, 0.5, 2.0, 3.0], dtype="Float64"),
        }
    )


def run(text: str, frame: pd.DataFrame) -> list[bool | None]:
    result = evaluate(parse(text), frame)
    assert isinstance(result, TriBool)
    assert result.value.shape == result.known.shape == (len(frame),)
    assert not (result.value & ~result.known).any()
    return result.to_list()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("age >= 18", [F, T, U, T, T]),
        ("age < 18", [T, F, U, F, F]),
        ("age != 20", [T, F, U, T, T]),
        ("18 <= age < 65", [F, T, U, F, T]),
        ("age between 20 and 40", [F, T, U, F, T]),
        ("age between 15 and h * 100", [F, T, U, U, T]),
        ("age between 80 and h * 100", [F, F, U, U, F]),  # any missing operand: unknown
        ("age in [10, 70]", [T, F, U, T, F]),
        ("age not in [10, 70]", [F, T, U, F, T]),
        ('sex == "F"', [T, F, U, T, F]),
        ('sex != "F"', [F, T, U, F, T]),
        ('"F" == sex', [T, F, U, T, F]),
        ('sex == "X"', [F, F, U, F, F]),
        ('sex in ["F", "X"]', [T, F, U, T, F]),
        ('sex not in ["M"]', [T, F, U, T, F]),
        ('ms == "a"', [T, U, F, T, F]),
        ('ms in ["a", "c"]', [T, U, F, T, T]),
        ('ms not in ["a"]', [F, U, T, F, T]),
        ("sex == ms", [F, U, U, F, F]),
        ("ins", [T, U, F, T, U]),
        ("not ins", [F, U, T, F, U]),
        ("ins == true", [T, U, F, T, U]),
        ("ins != true", [F, U, T, F, U]),
        ("ins in [false]", [F, U, T, F, U]),
        ("ins in [true, false]", [T, U, T, T, U]),
        ("insf and true", [T, U, F, T, U]),
        ("not insf", [F, U, T, F, U]),
        ("insobj", [T, U, F, T, U]),
        ("ins and age > 30", [F, F, F, T, U]),
        ("ins or age > 30", [T, U, U, T, T]),
        ("not (ins or age > 30)", [F, U, U, F, F]),
        ("age is missing", [F, F, T, F, F]),
        ("age is not missing", [T, T, F, T, T]),
        ("ms is missing", [F, T, F, F, F]),
        ("sex is not missing", [T, T, F, T, T]),
        ("ins is missing", [F, T, F, F, T]),
        ("age + 1 is missing", [F, F, T, F, F]),
        ("h / c > 0.4", [T, U, T, U, T]),
        ("h / c is missing", [F, T, F, T, F]),
        ("f * 2 >= 3", [T, U, F, T, T]),
        ("-(h) * 2 + 1 < 0", [T, T, T, U, T]),
        ("true", [T, T, T, T, T]),
        ("false or ins", [T, U, F, T, U]),
        ("1 < 2", [T, T, T, T, T]),
        ("'a' == 'b'", [F, F, F, F, F]),
    ],
)
def test_condition_values(text: str, expected: list, frame: pd.DataFrame) -> None:
    assert run(text, frame) == expected


def test_numeric_values(frame: pd.DataFrame) -> None:
    out = evaluate(parse("-(h) * 2 + 1"), frame)
    np.testing.assert_array_equal(out, [-1.0, -3.0, -5.0, np.nan, -9.0])
    out = evaluate(parse("h / c"), frame)
    np.testing.assert_array_equal(out, [0.5, np.nan, 0.5, np.nan, 0.5])  # x / 0 is missing
    assert not np.isinf(evaluate(parse("1 / (c - c)"), frame)).any()
    np.testing.assert_array_equal(evaluate(parse("2"), frame), [2.0] * 5)
    np.testing.assert_array_equal(evaluate(parse("age - 10"), frame), [0, 10, np.nan, 60, 30])
    out = evaluate(parse("h"), frame)
    out[0] = 99.0  # results are writable and never alias the frame
    assert frame["h"].iloc[0] == 1.0


def test_kleene_truth_tables() -> None:
    values = [T, F, U]
    frame = pd.DataFrame(
        {
            "p": pd.array([a for a in values for _ in values], dtype="boolean"),
            "q": pd.array([b for _ in values for b in values], dtype="boolean"),
        }
    )
    and_table = [T, F, U, F, F, F, U, F, U]
    or_table = [T, T, T, T, F, U, T, U, U]
    assert run("p and q", frame) == and_table
    assert run("p or q", frame) == or_table
    assert run("not p", frame) == [F, F, F, T, T, T, U, U, U]


def test_categorical_dtypes_agree() -> None:
    raw = ["F", None, "M", "F", np.nan]
    variants = [
        pd.Series(raw, dtype=object),
        pd.Series(raw, dtype="category"),
        pd.Series(raw, dtype="string"),
        pd.Series(pd.Categorical(raw, categories=["M", "F", "X"])),
    ]
    for series in variants:
        frame = pd.DataFrame({"sex": series})
        assert run('sex == "F"', frame) == [T, U, F, T, U]
        assert run('sex in ["M", "X"]', frame) == [F, U, T, F, U]
        assert run("sex is missing", frame) == [F, T, F, F, T]


def test_numeric_codes_read_as_categorical(vocab: Vocabulary) -> None:
    frame = pd.DataFrame({"area": [1.0, 2.0, np.nan], "sex": pd.Categorical([1, 2, 1])})
    expr = compile_expression('area == "1"', vocab)
    assert expr.evaluate(frame).to_list() == [T, F, U]


def test_boolean_dtypes_agree(vocab: Vocabulary) -> None:
    raw = [True, None, False]
    variants = [
        pd.array(raw, dtype="boolean"),
        [1.0, np.nan, 0.0],
        pd.array([1, None, 0], dtype="Int64"),
        pd.Series(raw, dtype=object),
    ]
    expr = compile_expression("not has_health_insurance", vocab)
    for column in variants:
        frame = pd.DataFrame({"has_health_insurance": column})
        assert expr.evaluate(frame).to_list() == [F, U, T]
    frame = pd.DataFrame({"has_health_insurance": [True, False, True]})
    assert expr.evaluate(frame).to_list() == [F, T, F]


def test_compiled_value_and_condition(vocab: Vocabulary) -> None:
    frame = pd.DataFrame({"oop_spending": [1.0, np.nan], "has_health_insurance": [1.0, 0.0]})
    value = compile_expression("oop_spending", vocab, kind="value").evaluate(frame)
    np.testing.assert_array_equal(value, [1.0, np.nan])
    cond = compile_expression("has_health_insurance", vocab).evaluate(frame)
    assert cond.to_list() == [T, F]


def test_tribool_api() -> None:
    tb = TriBool(np.array([True, True, False]), np.array([True, False, True]))
    assert tb.value.tolist() == [True, False, False]  # value is normalised to known
    assert tb.true_mask().tolist() == [True, False, False]
    assert tb.false_mask().tolist() == [False, False, True]
    assert tb.unknown_mask().tolist() == [False, True, False]
    assert tb.to_pandas().tolist() == [True, pd.NA, False]
    assert len(tb) == 3 and tb == TriBool(tb.value, tb.known)
    assert TriBool.constant(None, 2).to_list() == [U, U]
    assert repr(tb) == "TriBool([True, None, False])"
    big = TriBool.constant(None, 20) | TriBool(np.arange(20) < 5, np.arange(20) < 10)
    assert repr(big) == "TriBool(n=20, true=5, false=0, unknown=15)"


def test_errors(frame: pd.DataFrame) -> None:
    with pytest.raises(KeyError, match="zzz"):
        evaluate(parse("zzz > 1"), frame)
    with pytest.raises(ExprTypeError):
        evaluate(parse('sex < "M"'), frame)
    with pytest.raises(ExprTypeError):
        evaluate(parse("sex + 1 > 1"), frame)
    with pytest.raises(ExprTypeError):
        evaluate(parse("sex"), frame)


def test_empty_frame() -> None:
    frame = pd.DataFrame({"age": pd.Series([], dtype=float), "sex": pd.Categorical([])})
    assert run('age > 1 and sex == "F"', frame) == []


# --- property: random and/or/not trees against a plain Kleene reference --------------------

_LEAVES = {
    "p": "p",
    "q": "q",
    "r": "r",
    "n > 2": "num",
    'c == "a"': "cat",
    "n is missing": "nmiss",
    "true": "true",
    "false": "false",
}


def _kleene(tree: object, row: dict) -> bool | None:
    if isinstance(tree, str):
        return row[_LEAVES[tree]]
    op, *args = tree  # type: ignore[misc]
    vals = [_kleene(a, row) for a in args]
    if op == "not":
        return None if vals[0] is None else not vals[0]
    if op == "and":
        if any(v is False for v in vals):
            return False
        return None if any(v is None for v in vals) else True
    if any(v is True for v in vals):
        return True
    return None if any(v is None for v in vals) else False


def _render(tree: object) -> str:
    if isinstance(tree, str):
        return tree
    op, *args = tree  # type: ignore[misc]
    if op == "not":
        return f"not ({_render(args[0])})"
    return f" {op} ".join(f"({_render(a)})" for a in args)


_TREES = st.recursive(
    st.sampled_from(sorted(_LEAVES)),
    lambda kids: st.one_of(
        st.tuples(st.just("not"), kids),
        st.tuples(st.sampled_from(["and", "or"]), kids, kids),
        st.tuples(st.sampled_from(["and", "or"]), kids, kids, kids),
    ),
    max_leaves=12,
)
_TRI = st.sampled_from([True, False, None])


@settings(max_examples=300, deadline=None)
@given(
    _TREES,
    st.lists(
        st.tuples(_TRI, _TRI, _TRI, st.sampled_from([0.0, 3.0, None]), st.sampled_from("ab-")),
        min_size=1,
        max_size=12,
    ),
)
def test_kleene_property(tree: object, rows: list[tuple]) -> None:
    frame = pd.DataFrame(
        {
            "p": pd.array([r[0] for r in rows], dtype="boolean"),
            "q": [np.nan if r[1] is None else float(r[1]) for r in rows],
            "r": pd.Series([r[2] for r in rows], dtype=object),
            "n": pd.array([r[3] for r in rows], dtype="Float64"),
            "c": pd.Categorical([None if r[4] == "-" else r[4] for r in rows]),
        }
    )
    expected = []
    for p, q, r, n, c in rows:
        row = {
            "p": p,
            "q": q,
            "r": r,
            "num": None if n is None else n > 2,
            "cat": None if c == "-" else c == "a",
            "nmiss": n is None,
            "true": True,
            "false": False,
        }
        expected.append(_kleene(tree, row))
    types = {"p": "boolean", "q": "boolean", "r": "boolean", "n": "number", "c": "categorical"}
    result = evaluate(parse(_render(tree)), frame, types)
    if not isinstance(result, TriBool):  # a bare float column like `q` evaluates to numbers
        assert tree == "q" and result.shape == (len(rows),)
        return
    assert result.to_list() == expected
