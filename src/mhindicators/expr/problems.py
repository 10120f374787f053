"""Issue codes of the expression language (MHI201-MHI219) and the problem types it reports."""

from __future__ import annotations

from dataclasses import dataclass

from mhindicators.issues import CODES, Issue, Severity, define, issue

MAX_LENGTH = 2000
MAX_DEPTH = 50

define(
    "MHI201",
    "expr-syntax",
    "error",
    "An expression does not follow the expression grammar.",
    'See docs/expressions.md for the grammar; codes are quoted: sex == "F".',
)
define(
    "MHI202",
    "unknown-variable",
    "error",
    "An expression uses a name that is not a variable of the vocabulary.",
    "Use a canonical variable (docs/vocabulary.md) or add it to a project vocabulary file.",
)
define(
    "MHI203",
    "unknown-code",
    "error",
    "An expression compares a categorical variable with a code outside its code list.",
    "Use one of the variable's codes (docs/vocabulary.md); codes are case-sensitive.",
)
define(
    "MHI204",
    "type-mismatch",
    "error",
    "An operator is applied to values of incompatible types.",
    "Compare categorical variables with quoted codes and numeric variables with numbers.",
)
define(
    "MHI205",
    "not-a-condition",
    "error",
    "A universe, numerator, denominator condition or an operand of and/or/not is not true/false.",
    "Write a comparison, e.g. age >= 18, or use a boolean variable.",
)
define(
    "MHI206",
    "expr-too-complex",
    "error",
    f"An expression is longer than {MAX_LENGTH:,} characters or nested deeper than {MAX_DEPTH}.",
    "Simplify the expression or split it across universe, numerator and denominator.",
)
define(
    "MHI207",
    "not-a-value",
    "error",
    "A value expression is not numeric.",
    "A value must be a number, e.g. oop_spending or health_spending / household_consumption.",
)
define(
    "MHI208",
    "boolean-compared-to-number",
    "error",
    "A boolean variable is compared with a number (booleans are true/false, not 0/1).",
    "Use the variable as a condition: has_health_insurance, or not has_health_insurance.",
)
define(
    "MHI209",
    "empty-range",
    "warning",
    "A `between` range has its lower bound above its upper bound, so it matches nothing.",
    "Write the smaller bound first: age between 15 and 49.",
)


@dataclass(frozen=True)
class ExprProblem:
    """A problem found in one expression; `offset` is a 0-based character offset into its text."""

    code: str
    message: str
    offset: int
    hint: str = ""

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def name(self) -> str:
        return CODES[self.code].name

    def to_issue(self, file: str = "", line: int = 0, col: int = 0) -> Issue:
        """An Issue located at `line`, `col` + offset (col = column of the expression's start)."""
        return issue(
            self.code, self.message, file, line, col + self.offset if col else 0, self.hint
        )


class ExprSyntaxError(ValueError):
    """An expression cannot be parsed; `offset` points at the offending character."""

    def __init__(self, message: str, offset: int, hint: str = "", code: str = "MHI201") -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint
        self.code = code

    def __str__(self) -> str:
        return f"{self.message} (at character {self.offset})"

    @property
    def problem(self) -> ExprProblem:
        return ExprProblem(self.code, self.message, self.offset, self.hint)


class ExprTypeError(TypeError):
    """An expression cannot be evaluated on the given columns (it should have failed `check`)."""
