"""Static checks, variables() and implies()."""

from __future__ import annotations

import pytest

from mhindicators.expr import check, compile_expression, contradicts, implies, parse, variables
from mhindicators.issues import CODES
from mhindicators.vocabulary import Vocabulary


def problems(text: str, vocab: Vocabulary, kind: str = "condition") -> list:
    return check(parse(text), vocab, text, kind=kind)


def codes(text: str, vocab: Vocabulary, kind: str = "condition") -> list[str]:
    return [p.code for p in problems(text, vocab, kind)]


@pytest.mark.parametrize(
    "text",
    [
        'age >= 18 and migratory_status != "unknown"',
        'self_perceived_health in ["good", "very_good"]',
        "not has_health_insurance",
        "age between 15 and 49",
        "18 <= age < 65",
        "year_of_arrival is missing",
        "country_of_birth is not missing",
        "health_spending / household_consumption > 0.10",
        'citizenship == "XXA" or country_of_birth in ["MAR", "TUR"]',
        "mother_country_of_birth == father_country_of_birth",
        'area == "anything goes"',
        "has_health_insurance == true",
        "has_health_insurance != unmet_medical_need",
        'duration_group in ["5_to_9", "ge_10"]',
        "true",
        "-(age) * 2 + 1 > 0",
    ],
)
def test_valid_conditions(text: str, vocab: Vocabulary) -> None:
    assert problems(text, vocab) == []


@pytest.mark.parametrize(
    ("text", "code", "offset", "words"),
    [
        ("agee >= 18", "MHI202", 0, "did you mean 'age'"),
        ("zzz >= 18", "MHI202", 0, "unknown variable 'zzz'"),
        ('sex == "f"', "MHI203", 7, "did you mean 'F'"),
        ('self_perceived_health in ["good", "verygood"]', "MHI203", 34, "very_good"),
        ('"Female" == sex', "MHI203", 0, "not a code of sex"),
        ('country_of_birth == "Morocco"', "MHI203", 20, "ISO"),
        ('citizenship != "XX"', "MHI203", 15, "not a code"),
        ("age == 'old'", "MHI204", 0, "age is integer"),
        ("sex == 1", "MHI204", 0, "sex is categorical"),
        ('sex < "M"', "MHI204", 0, "no order"),
        ("sex + 1 > 2", "MHI204", 0, "sex is categorical"),
        ("has_health_insurance * 2 > 1", "MHI204", 0, "boolean"),
        ("-sex == 1", "MHI204", 1, "negate"),
        ('sex between "F" and "M"', "MHI204", 0, "between needs numbers"),
        ('age in [1, "2"]', "MHI204", 11, "mixes"),
        ('age in ["1", "2"]', "MHI204", 8, "list holds string"),
        ("sex in [1, 2]", "MHI204", 8, "list holds numeric"),
        ('has_health_insurance == "yes"', "MHI204", 0, "boolean"),
        ("has_health_insurance < unmet_medical_need", "MHI204", 0, "no order"),
        ("has_health_insurance == 1", "MHI208", 0, "compared with a number"),
        ("0 != unmet_medical_need", "MHI208", 0, "unmet_medical_need is boolean"),
        ("age", "MHI205", 0, "age is integer"),
        ("sex", "MHI205", 0, "sex is categorical"),
        ("age + 1", "MHI205", 0, "numeric"),
        ("not age", "MHI205", 4, "operand of 'not'"),
        ("sex == 'F' and age", "MHI205", 15, "operand of 'and'"),
        ("population or age > 1", "MHI205", 0, "operand of 'or'"),
        ("age between 49 and 15", "MHI209", 12, "empty"),
    ],
)
def test_problems(text: str, code: str, offset: int, words: str, vocab: Vocabulary) -> None:
    found = problems(text, vocab)
    assert [p.code for p in found] == [code], found
    problem = found[0]
    assert problem.offset == offset
    assert words in f"{problem.message} {problem.hint}", problem
    assert problem.code in CODES


def test_hints(vocab: Vocabulary) -> None:
    (p,) = problems('sex == "f"', vocab)
    assert p.hint == 'valid codes of sex: "F", "M"'
    (p,) = problems('country_of_birth == "Morocco"', vocab)
    assert "..." in p.hint and "249" not in p.message
    (p,) = problems("sex", vocab)
    assert p.hint == 'compare it with a code, e.g. sex == "F"'
    (p,) = problems("has_health_insurance == 1", vocab)
    assert "not has_health_insurance" in p.hint


def test_no_cascading_errors(vocab: Vocabulary) -> None:
    assert codes("agee + 1 > sexx", vocab) == ["MHI202", "MHI202"]
    assert codes("not zzz", vocab) == ["MHI202"]
    assert codes("sex + 1", vocab) == ["MHI204"]
    assert codes('agee in ["a"]', vocab) == ["MHI202"]


def test_problems_sorted_by_offset(vocab: Vocabulary) -> None:
    found = problems('bbb == 1 and sex == "x" and aaa', vocab)
    assert [p.offset for p in found] == sorted(p.offset for p in found)
    assert [p.code for p in found] == ["MHI202", "MHI203", "MHI202"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("oop_spending", []),
        ("health_spending / household_consumption", []),
        ("-(oop_spending) * 2 + 1", []),
        ("age > 1", ["MHI207"]),
        ("has_health_insurance", ["MHI207"]),
        ("sex", ["MHI207"]),
    ],
)
def test_value_kind(text: str, expected: list[str], vocab: Vocabulary) -> None:
    assert codes(text, vocab, kind="value") == expected


def test_check_without_text_uses_unparse(vocab: Vocabulary) -> None:
    (p,) = check(parse("(sex)  <  'M'"), vocab)
    assert 'sex < "M"' in p.message


def test_variables() -> None:
    assert variables(parse('age > 1 and (sex == "F" or x in [1]) and not y is missing')) == {
        "age",
        "sex",
        "x",
        "y",
    }
    assert variables(parse("1 < 2")) == set()


def test_codes_are_registered() -> None:
    expected = {
        "MHI201": "expr-syntax",
        "MHI202": "unknown-variable",
        "MHI203": "unknown-code",
        "MHI204": "type-mismatch",
        "MHI205": "not-a-condition",
        "MHI206": "expr-too-complex",
        "MHI207": "not-a-value",
        "MHI208": "boolean-compared-to-number",
        "MHI209": "empty-range",
    }
    for code, name in expected.items():
        assert CODES[code].name == name
        assert CODES[code].summary and CODES[code].hint
    assert CODES["MHI209"].severity == "warning"


def test_compile_expression_collects_problems(vocab: Vocabulary) -> None:
    ok = compile_expression("age >= 18 and sex == 'F'", vocab)
    assert ok.ok and ok.problems == () and ok.variables == {"age", "sex"}
    assert ok.types == {"age": "integer", "sex": "categorical"}
    bad = compile_expression("age >= ", vocab)
    assert not bad.ok and bad.problems[0].code == "MHI201" and bad.problems[0].offset == 7
    with pytest.raises(ValueError, match="has errors"):
        bad.evaluate(None)  # type: ignore[arg-type]
    long = compile_expression("x" * 3000, vocab)
    assert long.problems[0].code == "MHI206"
    assert compile_expression(True, vocab).ok  # YAML `universe: true`
    assert compile_expression(None, vocab).problems[0].code == "MHI201"
    warn = compile_expression("age between 49 and 15", vocab)
    assert warn.ok and warn.problems[0].severity == "warning"


def test_problem_to_issue() -> None:
    (p,) = check(parse("agee > 1"), Vocabulary({}), "agee > 1")
    issue = p.to_issue("def.yaml", 4, 13)
    assert (issue.code, issue.line, issue.col, issue.name) == ("MHI202", 4, 13, "unknown-variable")


# --- implies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("age >= 18 and sex == 'F'", "age >= 18"),
        ("age >= 18 and sex == 'F'", "sex == 'F' and age >= 18"),
        ("(age >= 18 and sex == 'F') and x", "18 <= age"),
        ("age > 20", "age >= 18"),
        ("age > 18", "age >= 18"),
        ("age == 30", "age between 18 and 64"),
        ("age between 20 and 30", "age between 18 and 64"),
        ("18 <= age < 65", "age >= 18 and age < 65"),
        ("age in [20, 30]", "age between 18 and 64"),
        ("sex == 'F'", "sex in ['F', 'M']"),
        ("x in ['a']", "x == 'a'"),
        ("x in ['a', 'b']", "x in ['b', 'a', 'c']"),
        ("x == 'a'", "x != 'b'"),
        ("x in ['a', 'b']", "x not in ['c', 'd']"),
        ("x not in ['a', 'b', 'c']", "x not in ['a', 'b']"),
        ("not (x == 'a')", "x != 'a'"),
        ("not (a or b)", "not a"),
        ("not not a", "a"),
        ("not (x < 3)", "x >= 3"),
        ("has_health_insurance and y", "has_health_insurance"),
        ("age >= 18", "age is not missing"),
        ("sex == 'F'", "sex is not missing"),
        ("not has_health_insurance", "has_health_insurance is not missing"),
        ("x", "true"),
        ("false", "x"),
        ("h / c > 0.1 and z", "h/c>0.1"),
        ("a + b > 1", "b + a > 1"),
        ("a == b", "b == a"),
        ("x is missing and y", "x is missing"),
        ("not (x is missing)", "x is not missing"),
    ],
)
def test_implies_true(a: str, b: str) -> None:
    assert implies(parse(a), parse(b)) is True


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("age >= 18", "age >= 20"),
        ("age >= 18", "age >= 18 and sex == 'F'"),
        ("a or b", "a"),
        ("sex in ['F', 'M']", "sex == 'F'"),
        ("x != 'b'", "x == 'a'"),
        ("x is missing", "x is not missing"),
        ("true", "x"),
        ("not (a and b)", "not a"),
        ("a - b > 1", "b - a > 1"),
        ("age > 18", "age > 18.5"),
        ("age between 15 and 70", "age between 18 and 64"),
    ],
)
def test_implies_unknown(a: str, b: str) -> None:
    assert implies(parse(a), parse(b)) is None


# --- contradicts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("age >= 18", "age < 18", True),
        ("age > 18", "age <= 18", True),
        ("age between 15 and 49", "age >= 50", True),
        ("age >= 18", "age <= 18", False),
        ("age > 18", "age < 30", False),
        ("sex == 'F'", "sex == 'M'", True),
        ("sex == 'F'", "sex in ['F', 'M']", False),
        ("x in ['a', 'b']", "x not in ['a', 'b', 'c']", True),
        ("x in ['a', 'b']", "x not in ['a']", False),
        ("x is missing", "x > 1", True),
        ("x is missing", "x is not missing", True),
        ("x is missing", "x is missing", False),
        ("a", "not a", True),
        ("a and b", "c", False),
        ("false", "y", True),
        ("age >= 18 and age < 10", "true", True),
        ("a or b", "not a", False),
        ("x == y", "x != y", False),  # not a literal comparison: unknown, so False
    ],
)
def test_contradicts(a: str, b: str, expected: bool) -> None:
    assert contradicts(parse(a), parse(b)) is expected
    assert contradicts(parse(b), parse(a)) is expected
