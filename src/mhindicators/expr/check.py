"""Static checks of a parsed expression against the vocabulary: names, codes and types."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Literal

from mhindicators.expr.logic import implies
from mhindicators.expr.nodes import (
    And,
    Arith,
    Between,
    Boolean,
    Compare,
    InList,
    IsMissing,
    Name,
    Negate,
    Node,
    Not,
    Number,
    Or,
    String,
    unparse,
    walk,
)
from mhindicators.expr.problems import ExprProblem
from mhindicators.issues import quote
from mhindicators.vocabulary import code_list

if TYPE_CHECKING:
    from mhindicators.vocabulary import Variable, Vocabulary

__all__ = ["Kind", "check", "implies", "variables"]

Kind = Literal["condition", "value"]
# Inferred types: numeric, boolean, categorical, string (a literal), any (unknown: no more checks)
_TYPES = {"integer": "numeric", "number": "numeric", "boolean": "boolean"}
_ORDERING = ("<", "<=", ">", ">=")


def variables(node: Node) -> set[str]:
    """Names of the variables an expression uses."""
    return {n.name for n in walk(node) if isinstance(n, Name)}


def check(node: Node, vocabulary: Vocabulary, text: str = "", kind: Kind = "condition") -> list:
    """Problems of `node` (parsed from `text`): unknown names or codes, type errors, wrong kind.

    `kind="condition"` (universe, numerator) needs a true/false result, `"value"` a number.
    Returns a list of ExprProblem sorted by offset; empty when the expression is fine.
    """
    checker = _Checker(vocabulary, text)
    result = checker.infer(node)
    if kind == "condition" and result not in ("boolean", "any"):
        checker.not_condition(node, result, "the expression")
    elif kind == "value" and result not in ("numeric", "any"):
        what = checker.describe(node, result)
        hint = ""
        if result == "boolean":
            hint = "a proportion is written as numerator/denominator conditions, not as a value"
        checker.add("MHI207", f"the value must be numeric, but {what}", node, hint)
    return sorted(checker.problems, key=lambda p: p.offset)


class _Checker:
    def __init__(self, vocabulary: Vocabulary, text: str) -> None:
        self.vocab = vocabulary
        self.text = text
        self.problems: list[ExprProblem] = []

    def add(self, code: str, message: str, node: Node, hint: str = "") -> None:
        self.problems.append(ExprProblem(code, message, node.start, hint))

    def source(self, node: Node) -> str:
        if self.text and 0 <= node.start < node.end <= len(self.text):
            return self.text[node.start : node.end]
        return unparse(node)

    def var(self, node: Node) -> Variable | None:
        return self.vocab.get(node.name) if isinstance(node, Name) else None

    def describe(self, node: Node, typ: str) -> str:
        var = self.var(node)
        if var is not None:
            return f"{node.name} is {var.type}"  # type: ignore[attr-defined]
        if isinstance(node, (Number, String, Boolean)):
            article = {"numeric": "a number", "string": "a string", "boolean": "a boolean"}
            return f"{self.source(node)} is {article[typ]}"
        return f"`{self.source(node)}` is {typ}"

    def infer(self, node: Node) -> str:
        match node:
            case Number():
                return "numeric"
            case String():
                return "string"
            case Boolean():
                return "boolean"
            case Name(name=name):
                return self.name(node, name)
            case Negate(operand=operand):
                return self.arithmetic([operand], "negate")
            case Arith(op=op, left=left, right=right):
                return self.arithmetic([left, right], f"use {op} on")
            case Compare():
                self.compare(node)
            case InList():
                self.in_list(node)
            case Between(operand=x, low=lo, high=hi):
                self.between(node, x, lo, hi)
            case IsMissing(operand=operand):
                self.infer(operand)
            case Not(operand=operand):
                self.logical("not", [operand])
            case And(operands=ops):
                self.logical("and", ops)
            case Or(operands=ops):
                self.logical("or", ops)
        return "boolean"

    def name(self, node: Node, name: str) -> str:
        var = self.vocab.get(name)
        if var is not None:
            return _TYPES.get(var.type, "categorical")
        guess = self.vocab.suggest(name)
        message = f"unknown variable {quote(name)}"
        message += f"; did you mean {guess!r}?" if guess else ""
        hint = f"replace it with {guess}" if guess else ""
        self.add("MHI202", message, node, hint)
        return "any"

    def arithmetic(self, operands: list[Node], verb: str) -> str:
        result = "numeric"
        for operand in operands:
            typ = self.infer(operand)
            if typ in ("numeric", "any"):
                result = "any" if typ == "any" else result
                continue
            result = "any"
            hint = "arithmetic needs numbers"
            if typ == "boolean":
                hint = "booleans are conditions: combine them with and, or, not"
            what = self.describe(operand, typ)
            self.add("MHI204", f"cannot {verb} {self.source(operand)}: {what}", operand, hint)
        return result

    def not_condition(self, node: Node, typ: str, where: str) -> None:
        hint = ""
        var = self.var(node)
        if typ == "numeric":
            hint = f"compare it, e.g. {self.source(node)} > 0"
        elif var is not None and var.is_categorical:
            codes = sorted(var.allowed_codes() or ())
            example = f'"{codes[0]}"' if codes else '"code"'
            hint = f"compare it with a code, e.g. {var.name} == {example}"
        what = self.describe(node, typ)
        self.add("MHI205", f"{where} must be a condition (true/false), but {what}", node, hint)

    def logical(self, op: str, operands: tuple[Node, ...] | list[Node]) -> None:
        for operand in operands:
            typ = self.infer(operand)
            if typ not in ("boolean", "any"):
                self.not_condition(operand, typ, f"the operand of '{op}'")

    def compare(self, node: Compare) -> None:
        left, right = node.left, node.right
        lt, rt = self.infer(left), self.infer(right)
        if "any" in (lt, rt):
            return
        pair = {lt, rt}
        ordering = node.op in _ORDERING
        bad = ""
        hint = ""
        if pair <= {"categorical", "string"}:
            if ordering:
                bad = "codes have no order"
                hint = 'list the codes instead: x in ["a", "b"]'
            self.codes(left, [right])
            self.codes(right, [left])
        elif pair == {"boolean", "numeric"}:
            self.bool_vs_number(node, left if lt == "boolean" else right)
            return
        elif pair == {"boolean"}:
            if ordering:
                bad = "booleans have no order"
        elif pair != {"numeric"}:
            bad = f"{self.describe(left, lt)} but {self.describe(right, rt)}"
            hint = _compare_hint(pair)
        if bad:
            message = f"cannot compare {self.source(left)} {node.op} {self.source(right)}: {bad}"
            self.add("MHI204", message, node, hint)

    def bool_vs_number(self, node: Compare, side: Node) -> None:
        name = self.source(side)
        message = f"{name} is boolean (true/false) and is compared with a number"
        self.add("MHI208", message, node, f"write {name} or not {name} instead of 1 and 0")

    def in_list(self, node: InList) -> None:
        typ = self.infer(node.operand)
        kinds = {self.infer(item) for item in node.items}
        if len(kinds) > 1:
            first = node.items[0]
            odd = next(i for i in node.items if self.infer(i) != self.infer(first))
            message = f"the list mixes {' and '.join(sorted(kinds))} items"
            self.add("MHI204", message, odd, "all items of a list must have the same type")
            return
        item_type = kinds.pop()
        wanted = {"categorical": "string", "string": "string"}.get(typ, typ)
        if typ != "any" and item_type != wanted:
            what = self.describe(node.operand, typ)
            message = f"{what} but the list holds {item_type} items"
            self.add("MHI204", message, node.items[0], _compare_hint({typ, item_type}))
            return
        self.codes(node.operand, list(node.items))

    def between(self, node: Node, x: Node, lo: Node, hi: Node) -> None:
        for operand in (x, lo, hi):
            typ = self.infer(operand)
            if typ not in ("numeric", "any"):
                hint = 'between works on numbers; for codes use: x in ["a", "b"]'
                message = f"between needs numbers, but {self.describe(operand, typ)}"
                self.add("MHI204", message, operand, hint)
                break
        if isinstance(lo, Number) and isinstance(hi, Number) and lo.value > hi.value:
            message = f"the range {lo.value} to {hi.value} is empty (lower bound above upper)"
            self.add(
                "MHI209", message, lo, f"write {self.source(x)} between {hi.value} and {lo.value}"
            )

    def codes(self, operand: Node, items: list[Node]) -> None:
        var = self.var(operand)
        allowed = var.allowed_codes() if var is not None else None
        if allowed is None:
            return
        for item in items:
            if isinstance(item, String) and item.value not in allowed:
                self.unknown_code(var, item, allowed)  # type: ignore[arg-type]

    def unknown_code(self, var: Variable, item: String, allowed: frozenset[str]) -> None:
        value = item.value
        folded = {c.casefold(): c for c in allowed}
        guess = folded.get(value.casefold())
        by_label = {label.casefold(): code for code, label in _labels(var).items()}
        if guess is None:
            guess = by_label.get(value.casefold())
        if guess is None:
            close = difflib.get_close_matches(value, sorted(allowed), n=1, cutoff=0.6)
            guess = close[0] if close else None
        if guess is None:
            close = difflib.get_close_matches(value.casefold(), list(by_label), n=1, cutoff=0.6)
            guess = by_label[close[0]] if close else None
        message = f"{quote(value)} is not a code of {var.name}"
        if guess:
            label = _labels(var).get(guess)
            message += f"; did you mean {guess!r}" + (f" ({label})?" if label else "?")
        self.add("MHI203", message, item, _codes_hint(var, allowed))


def _labels(var: Variable) -> dict[str, str]:
    labels = dict(var.codes or {})
    if var.code_list:
        labels.update(code_list(var.code_list))
    return {**labels, **var.extra_codes}


def _codes_hint(var: Variable, allowed: frozenset[str]) -> str:
    codes = sorted(allowed)
    shown = ", ".join(f'"{c}"' for c in codes[:8])
    source = {"iso3166_alpha3": ", ISO 3166-1 alpha-3"}.get(var.code_list or "", "")
    more = f" ... ({len(codes)} codes{source})"
    return f"valid codes of {var.name}: {shown}" + (more if len(codes) > 8 else "")


def _compare_hint(pair: set[str]) -> str:
    if "categorical" in pair or "string" in pair:
        if "numeric" in pair:
            return 'compare numbers with numbers (age == 1), codes with quoted codes (sex == "F")'
        if "boolean" in pair:
            return "booleans are true/false: use the variable itself or `not` it"
    return "both sides of a comparison must have the same type"
