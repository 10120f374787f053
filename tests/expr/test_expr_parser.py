"""Parser: grammar, precedence, offsets, rejections and limits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mhindicators.expr import (
    MAX_DEPTH,
    And,
    Arith,
    Between,
    Boolean,
    Compare,
    ExprSyntaxError,
    InList,
    IsMissing,
    Name,
    Negate,
    Node,
    Not,
    Number,
    Or,
    String,
    parse,
    unparse,
    walk,
)


def sx(node: Node) -> str:
    """S-expression of a tree, written plainly so the test does not trust `unparse`."""
    match node:
        case Number(value=v) | Boolean(value=v):
            return repr(v)
        case String(value=v):
            return f"'{v}'"
        case Name(name=n):
            return n
        case Negate(operand=o):
            return f"(neg {sx(o)})"
        case Arith(op=op, left=a, right=b) | Compare(op=op, left=a, right=b):
            return f"({op} {sx(a)} {sx(b)})"
        case Not(operand=o):
            return f"(not {sx(o)})"
        case And(operands=ops):
            return "(and " + " ".join(sx(o) for o in ops) + ")"
        case Or(operands=ops):
            return "(or " + " ".join(sx(o) for o in ops) + ")"
        case InList(operand=o, items=items, negated=neg):
            return f"({'notin' if neg else 'in'} {sx(o)} " + " ".join(sx(i) for i in items) + ")"
        case Between(operand=o, low=lo, high=hi):
            return f"(between {sx(o)} {sx(lo)} {sx(hi)})"
        case IsMissing(operand=o, negated=neg):
            return f"({'notmissing' if neg else 'missing'} {sx(o)})"
    raise AssertionError(node)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        (
            'age >= 18 and migratory_status != "unknown"',
            "(and (>= age 18) (!= migratory_status 'unknown'))",
        ),
        (
            'self_perceived_health in ["good", "very_good"]',
            "(in self_perceived_health 'good' 'very_good')",
        ),
        ("not has_health_insurance", "(not has_health_insurance)"),
        ("age between 15 and 49", "(between age 15 49)"),
        ("18 <= age < 65", "(and (<= 18 age) (< age 65))"),
        ("year_of_arrival is missing", "(missing year_of_arrival)"),
        ("country_of_birth is not missing", "(notmissing country_of_birth)"),
        (
            "health_spending / household_consumption > 0.10",
            "(> (/ health_spending household_consumption) 0.1)",
        ),
        ("-(x) * 2 + 1", "(+ (* (neg x) 2) 1)"),
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("not a and b", "(and (not a) b)"),
        ("not a == 1", "(not (== a 1))"),
        ("not not a", "(not (not a))"),
        ("a + b * c - d / e", "(- (+ a (* b c)) (/ d e))"),
        ("a - b - c", "(- (- a b) c)"),
        ("a / b / c", "(/ (/ a b) c)"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("-a * -b", "(* (neg a) (neg b))"),
        ("- -1", "(neg -1)"),
        ("a + 1 > b * 2", "(> (+ a 1) (* b 2))"),
        ("a < b <= c == d", "(and (< a b) (<= b c) (== c d))"),
        ("x between 1 + 1 and y * 2", "(between x (+ 1 1) (* y 2))"),
        ("x between 1 and 2 and y", "(and (between x 1 2) y)"),
        ("x not in [-1, 2.5, ]", "(notin x -1 2.5)"),
        ("x in [true, false]", "(in x True False)"),
        ("x + 1 is missing or y", "(or (missing (+ x 1)) y)"),
        ("a or (b or c)", "(or a (or b c))"),
        ("1e3 == 1000.0", "(== 1000.0 1000.0)"),
        ("''", "''"),
        ("x == 'it\\'s' or x == \"a\\\\b\\\"\"", "(or (== x 'it's') (== x 'a\\b\"'))"),
        ('x == "Zürich ✓"', "(== x 'Zürich ✓')"),
        ("\n\tage\r\n>= 1 ", "(>= age 1)"),
    ],
)
def test_grammar_and_precedence(text: str, tree: str) -> None:
    node = parse(text)
    assert sx(node) == tree
    assert sx(parse(unparse(node))) == tree


def test_literal_values() -> None:
    assert parse("18").value == 18 and isinstance(parse("18").value, int)
    assert parse("0.10").value == 0.1
    assert parse("-1.5e-2").value == -0.015
    assert parse("true").value is True
    assert parse("'a\\\\b'").value == "a\\b"


def test_offsets() -> None:
    text = '  age >= 18 and (sex == "F" or x in [1, 2])'
    node = parse(text)
    assert isinstance(node, And)
    assert (node.start, node.end) == (2, len(text))
    cmp_, paren = node.operands
    assert text[cmp_.start : cmp_.end] == "age >= 18"
    assert text[paren.start : paren.end] == '(sex == "F" or x in [1, 2])'
    for sub in walk(node):
        assert 0 <= sub.start < sub.end <= len(text)
    names = {n.name: (n.start, n.end) for n in walk(node) if isinstance(n, Name)}
    assert names == {"age": (2, 5), "sex": (17, 20), "x": (31, 32)}
    neg = parse("-(x)")
    assert (neg.start, neg.end) == (0, 4)
    assert parse("x - -1").right.start == 4


def test_chain_shares_middle_operand() -> None:
    node = parse("18 <= age < 65")
    first, second = node.operands
    assert first.right == second.left == Name(name="age", start=6, end=9)


def test_nodes_are_immutable() -> None:
    node = parse("age > 1")
    with pytest.raises(AttributeError):
        node.op = "<"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "offset", "words"),
    [
        ("__import__('os')", 10, "function calls"),
        ("().__class__", 1, "expected a value"),
        ("lambda: 1", 0, "lambda"),
        ("a.b", 1, "attribute"),
        ("f(x)", 1, "function calls"),
        ("x[0]", 1, "subscripts"),
        ("(a)(b)", 3, "function calls"),
        ("`ls`", 0, "backticks"),
        ("a; b", 1, "';'"),
        ("a = 1", 2, "=="),
        ("a ** 2", 2, "**"),
        ("a && b", 2, "use and"),
        ("a || b", 2, "use or"),
        ("!a", 0, "use not"),
        ("a <> 1", 2, "!="),
        ("a % 2", 2, "modulo"),
        ("{1: 2}", 0, "braces"),
        ("a if b else c", 2, "reserved word"),
        ("x == True", 5, "lowercase"),
        ("x == None", 5, "is missing"),
        ("a AND b", 2, "lowercase: and"),
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("age >=", 6, "expected a value"),
        ("age >= 18 and", 13, "expected a value"),
        ("(age > 1", 8, "')'"),
        ("age > 1)", 7, "no '('"),
        ("a b", 2, "two values"),
        ("x in y", 5, "'['"),
        ("x in []", 6, "at least one"),
        ("x in [y]", 6, "constants"),
        ("x in [1 2]", 8, "',' or ']'"),
        ("x in [1,", 8, "constant"),
        ("x not y", 6, "'in' after 'not'"),
        ("x is null", 5, "is missing"),
        ("x is 1", 5, "'missing'"),
        ("x is not 1", 9, "'missing'"),
        ("x between 1 or 2", 12, "'and'"),
        ("x == 'abc", 5, "unterminated"),
        ("x == 'a\\nb'", 7, "escape"),
        ("x == 1_000", 5, "malformed number"),
        ("x == 18abc", 5, "malformed number"),
        ("x == .5", 5, "0.5"),
        ("x == 1e999", 5, "out of range"),
        ("x == +1", 5, "expected a value"),
        ("x == not y", 5, "keyword"),
        ("between", 0, "keyword"),
        ("a < b in [1]", 6, "expected"),
        ("x == “a”", 5, "straight quotes"),
        ("âge > 1", 0, "ASCII"),
        ("age\u00a0> 1", 3, "plain spaces"),
        ("x == 1 \x00", 7, "U+0000"),
        ("a\u200b", 1, "U+200B"),
    ],
)
def test_rejections(text: str, offset: int, words: str) -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse(text)
    err = info.value
    assert err.offset == offset, (err.message, err.hint)
    assert words in f"{err.message} {err.hint}", (err.message, err.hint)
    assert err.message.startswith("found") or err.code == "MHI206" or "empty" in err.message
    assert err.code == "MHI201"
    assert err.problem.offset == offset


def test_found_and_expected_are_named() -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse("age >= 18 and sex ===")
    assert (
        info.value.message
        == "found '='; expected a value (a name, number, quoted code, true, false or '(')"
    )
    assert "==" in info.value.hint


def test_keywords_are_reserved() -> None:
    for word in ("and", "or", "not", "in", "between", "is", "missing"):
        with pytest.raises(ExprSyntaxError):
            parse(f"{word} > 1")


@pytest.mark.parametrize(
    "text",
    [
        "(" * 10_000 + "x" + ")" * 10_000,
        "x" + " or x" * 500,
        "a" * 2001,
    ],
)
def test_too_long(text: str) -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse(text)
    assert info.value.code == "MHI206"
    assert info.value.offset == 2000


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("(" * 60 + "x" + ")" * 60, 50),
        ("not " * 60 + "x", 200),
        ("-" * 60 + "x", 50),
        ("x" + " + 1" * 60, 0),
        ("((((" * 200 + "x", 50),
        ("[" * 999, 0),
    ],
)
def test_too_deep_never_recursion_error(text: str, offset: int) -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse(text)
    if text[0] != "[":
        assert info.value.code == "MHI206"
    assert info.value.offset == offset


def test_depth_limit_is_inclusive() -> None:
    parse("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)
    parse("not " * MAX_DEPTH + "x")
    parse("x" + " + 1" * MAX_DEPTH)
    parse(" or ".join(["a == 1"] * 190))


def test_not_a_string() -> None:
    with pytest.raises(TypeError):
        parse(18)  # type: ignore[arg-type]


_TOKENS = st.sampled_from(
    [
        "age", "x", "sex", "1", "0.5", "-", "+", "*", "/", "(", ")", "[", "]", ",", "==", "!=",
        "<", "<=", ">", ">=", "and", "or", "not", "in", "between", "is", "missing", "true",
        "false", '"F"', "'a'", ".", "=", "**", ";", "é", "\u00a0", "\\", "'", '"', "__import__",
        "lambda", ":", "1e", "1.", "`",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_parses_or_raises_syntax_error(text: str) -> None:
    try:
        node = parse(text)
    except ExprSyntaxError as err:
        assert 0 <= err.offset <= max(len(text), 2000)
        return
    assert isinstance(node, Node)


@settings(max_examples=600, deadline=None)
@given(st.lists(_TOKENS, max_size=40), st.sampled_from([" ", ""]))
def test_token_soup_parses_or_raises_syntax_error(tokens: list[str], sep: str) -> None:
    text = sep.join(tokens)
    try:
        node = parse(text)
    except ExprSyntaxError as err:
        assert 0 <= err.offset <= len(text)
        return
    assert isinstance(node, Node)
    assert sx(parse(unparse(node))) == sx(node)
    for sub in walk(node):
        assert 0 <= sub.start < sub.end <= len(text)
