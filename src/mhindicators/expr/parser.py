"""Recursive-descent parser: text in, immutable syntax tree out. Nothing is ever executed.

Grammar (lowest precedence first; see docs/expressions.md):
    or_expr    = and_expr { "or" and_expr }
    and_expr   = not_expr { "and" not_expr }
    not_expr   = "not" not_expr | comparison
    comparison = sum [ cmp_op sum { cmp_op sum } | ["not"] "in" list
                     | "between" sum "and" sum | "is" ["not"] "missing" ]
    sum        = product { ("+" | "-") product }
    product    = unary { ("*" | "/") unary }
    unary      = "-" unary | primary
    primary    = number | string | "true" | "false" | name | "(" or_expr ")"
    list       = "[" literal { "," literal } [","] "]"
"""

from __future__ import annotations

from dataclasses import replace
from typing import NoReturn, cast

from mhindicators.expr.lexer import Token, next_token
from mhindicators.expr.nodes import (
    And,
    Arith,
    ArithOp,
    Between,
    Boolean,
    Compare,
    CompareOp,
    Constant,
    InList,
    IsMissing,
    Name,
    Negate,
    Node,
    Not,
    Number,
    Or,
    String,
    depth,
)
from mhindicators.expr.problems import MAX_DEPTH, MAX_LENGTH, ExprSyntaxError

_CMP_OPS = ("==", "!=", "<", "<=", ">", ">=")
_AFTER_VALUE = "an operator, 'and', 'or'"
_A_VALUE = "a value (a name, number, quoted code, true, false or '(')"
_TOO_DEEP = f"the expression is nested more than {MAX_DEPTH} levels deep"
_SIMPLIFY = "simplify the expression; deeply nested expressions are not supported"


def parse(text: str) -> Node:
    """Parse one expression; raise ExprSyntaxError (with offset and hint) if it is not valid."""
    if not isinstance(text, str):
        raise TypeError(f"expression must be a str, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        message = f"the expression is {len(text):,} characters long; the limit is {MAX_LENGTH:,}"
        raise ExprSyntaxError(message, MAX_LENGTH, _SIMPLIFY, code="MHI206")
    parser = _Parser(text)
    if parser.tok.kind == "end":
        raise ExprSyntaxError("the expression is empty; expected " + _A_VALUE, 0)
    node = parser.or_expr()
    if parser.tok.kind != "end":
        hint = "there is no '(' to close" if parser.tok.is_op(")") else _two_values(parser.tok)
        parser.fail(_AFTER_VALUE + " or the end of the expression", hint)
    level, deepest = depth(node)
    if level > MAX_DEPTH:
        raise ExprSyntaxError(_TOO_DEEP, deepest.start, _SIMPLIFY, code="MHI206")
    return node


def _two_values(tok: Token) -> str:
    if tok.kind in ("name", "number", "string") or tok.is_kw("true", "false"):
        return "two values in a row: is an operator, 'and' or 'or' missing?"
    return ""


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tok = next_token(text, 0)
        self.nesting = 0
        self.parens = 0

    def advance(self) -> Token:
        tok = self.tok
        self.tok = next_token(self.text, tok.end)
        return tok

    def fail(self, expected: str, hint: str = "") -> NoReturn:
        tok = self.tok
        hint = tok.hint or hint
        raise ExprSyntaxError(f"found {tok.describe()}; expected {expected}", tok.start, hint)

    def after_value(self) -> str:
        return _AFTER_VALUE + (", ')'" if self.parens else "") + " or the end of the expression"

    def enter(self, offset: int) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise ExprSyntaxError(_TOO_DEEP, offset, _SIMPLIFY, code="MHI206")

    def or_expr(self) -> Node:
        first = self.and_expr()
        operands = [first]
        while self.tok.is_kw("or"):
            self.advance()
            operands.append(self.and_expr())
        if len(operands) == 1:
            return first
        return Or(operands=tuple(operands), start=first.start, end=operands[-1].end)

    def and_expr(self) -> Node:
        first = self.not_expr()
        operands = [first]
        while self.tok.is_kw("and"):
            self.advance()
            operands.append(self.not_expr())
        if len(operands) == 1:
            return first
        return And(operands=tuple(operands), start=first.start, end=operands[-1].end)

    def not_expr(self) -> Node:
        if not self.tok.is_kw("not"):
            return self.comparison()
        start = self.advance().start
        self.enter(start)
        operand = self.not_expr()
        self.nesting -= 1
        return Not(operand=operand, start=start, end=operand.end)

    def comparison(self) -> Node:
        left = self.sum()
        tok = self.tok
        if tok.is_op(*_CMP_OPS):
            pairs: list[Node] = []
            while self.tok.is_op(*_CMP_OPS):
                op = cast(CompareOp, self.advance().text)  # one of _CMP_OPS (is_op above)
                right = self.sum()
                pairs.append(
                    Compare(op=op, left=left, right=right, start=left.start, end=right.end)
                )
                left = right
            if len(pairs) == 1:
                return pairs[0]
            return And(operands=tuple(pairs), start=pairs[0].start, end=pairs[-1].end)
        if tok.is_kw("in", "not"):
            negated = self.advance().text == "not"
            if negated:
                if not self.tok.is_kw("in"):
                    self.fail("'in' after 'not' (as in: x not in [\"a\", \"b\"])")
                self.advance()
            items, end = self.literal_list()
            return InList(operand=left, items=items, negated=negated, start=left.start, end=end)
        if tok.is_kw("between"):
            self.advance()
            low = self.sum()
            if not self.tok.is_kw("and"):
                self.fail("'and' (as in: x between 15 and 49)")
            self.advance()
            high = self.sum()
            return Between(operand=left, low=low, high=high, start=left.start, end=high.end)
        if tok.is_kw("is"):
            self.advance()
            negated = self.tok.is_kw("not")
            if negated:
                self.advance()
            if not self.tok.is_kw("missing"):
                hint = "only `x is missing` and `x is not missing` are supported"
                self.fail("'missing'" if negated else "'missing' or 'not missing'", hint)
            end = self.advance().end
            return IsMissing(operand=left, negated=negated, start=left.start, end=end)
        return left

    def sum(self) -> Node:
        left = self.product()
        while self.tok.is_op("+", "-"):
            op = cast(ArithOp, self.advance().text)
            right = self.product()
            left = Arith(op=op, left=left, right=right, start=left.start, end=right.end)
        return left

    def product(self) -> Node:
        left = self.unary()
        while self.tok.is_op("*", "/"):
            op = cast(ArithOp, self.advance().text)
            right = self.unary()
            left = Arith(op=op, left=left, right=right, start=left.start, end=right.end)
        return left

    def unary(self) -> Node:
        if not self.tok.is_op("-"):
            node = self.primary()
            if self.tok.is_op("("):
                self.fail(self.after_value(), "function calls are not allowed")
            if self.tok.is_op("["):
                self.fail(self.after_value(), "subscripts are not allowed; lists follow `in`")
            return node
        start = self.advance().start
        if self.tok.kind == "number":
            number = self.unary()
            return Number(value=-number.value, start=start, end=number.end)  # type: ignore[attr-defined]
        self.enter(start)
        operand = self.unary()
        self.nesting -= 1
        return Negate(operand=operand, start=start, end=operand.end)

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            self.advance()
            return Number(value=cast(float, tok.value), start=tok.start, end=tok.end)
        if tok.kind == "string":
            self.advance()
            return String(value=cast(str, tok.value), start=tok.start, end=tok.end)
        if tok.is_kw("true", "false"):
            self.advance()
            return Boolean(value=tok.text == "true", start=tok.start, end=tok.end)
        if tok.kind == "name":
            self.advance()
            return Name(name=tok.text, start=tok.start, end=tok.end)
        if tok.is_op("("):
            self.advance()
            self.enter(tok.start)
            self.parens += 1
            inner = self.or_expr()
            self.nesting -= 1
            self.parens -= 1
            if not self.tok.is_op(")"):
                expected = f"{_AFTER_VALUE} or ')' to close the '(' at character {tok.start}"
                self.fail(expected, _two_values(self.tok))
            end = self.advance().end
            return replace(inner, start=tok.start, end=end)
        hint = ""
        if tok.kind == "keyword":
            hint = f"'{tok.text}' is a keyword and cannot be used as a value"
        self.fail(_A_VALUE, hint)

    def literal_list(self) -> tuple[tuple[Constant, ...], int]:
        if not self.tok.is_op("["):
            self.fail('\'[\' to start a list (as in: x in ["a", "b"])')
        self.advance()
        items: list[Constant] = []
        expected = "a constant (a quoted code, number, true or false)"
        while True:
            if self.tok.is_op("]"):
                if not items:
                    self.fail(expected, "a list needs at least one item")
                break
            tok = self.tok
            if tok.is_op("-"):
                self.advance()
                if self.tok.kind != "number":
                    self.fail("a number after '-'", "lists hold constants only")
                num = self.advance()
                items.append(Number(value=-cast(float, num.value), start=tok.start, end=num.end))
            elif tok.kind in ("number", "string") or tok.is_kw("true", "false"):
                items.append(self.primary())  # type: ignore[arg-type]
            else:
                self.fail(expected, "lists hold constants only")
            if not self.tok.is_op(","):
                break
            self.advance()
        if not self.tok.is_op("]"):
            self.fail("',' or ']'")
        return tuple(items), self.advance().end
