"""Canonical forms of expressions, so two texts that say the same thing compare equal.

Built on the normalised atoms of `logic.py`: conjunctions are sets of atoms (order and
repetition of `and` operands do not matter), `not` is pushed into comparisons, lists and
`is missing` (double negation cancels), a constant on the left is flipped to the right
(`18 <= age` is `age >= 18`), `==`/`!=` between two variables are ordered, `in` lists are
sets, a one-item list is `==`, `between` is two bounds, numbers compare as floats (18 == 18.0)
and the operands of `or`, `+` and `*` are unordered. Not normalised (see docs/harmonization.md):
equivalences that need arithmetic or types, e.g. `age > 17` vs `age >= 18` on integers,
`x == true` vs `x`, `x in ["a", "b"]` vs `x == "a" or x == "b"`, or distribution of and/or.
"""

from __future__ import annotations

from typing import Any

from mhindicators.expr.logic import Atom, conjuncts, key
from mhindicators.expr.nodes import Node
from mhindicators.expr.parser import parse
from mhindicators.expr.problems import ExprSyntaxError


def canonical(node: Node, condition: bool = True) -> Any:
    """A hashable form of `node`; equal forms mean equivalent expressions."""
    if condition:
        return ("cond", frozenset(conjuncts(node)))
    return key(node)


def canonical_text(text: str | None, condition: bool = True) -> Any:
    """`canonical` of an expression text; None stays None, unparsable text compares as text."""
    if text is None:
        return None
    try:
        return canonical(parse(text), condition)
    except ExprSyntaxError:
        return ("text", text.strip())


def same_expression(a: str | None, b: str | None, condition: bool = True) -> bool:
    """True when the two expression texts are equal after normalisation."""
    return canonical_text(a, condition) == canonical_text(b, condition)


def changed_atoms(a: str | None, b: str | None) -> tuple[set[Atom], set[Atom]]:
    """Conjuncts only in `a` and only in `b` (conditions): the part of the change that differs."""
    left = _atoms(a)
    right = _atoms(b)
    return left - right, right - left


def atom_names(atoms: set[Atom]) -> set[str]:
    """Variable names used in the atoms."""
    names: set[str] = set()
    stack: list[Any] = list(atoms)
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            if len(item) == 2 and item[0] == "name" and isinstance(item[1], str):
                names.add(item[1])
            else:
                stack.extend(item)
        elif isinstance(item, frozenset):
            stack.extend(item)
    return names


def without_numbers(form: Any) -> Any:
    """The canonical form with every number blanked: equal when only thresholds differ."""
    if isinstance(form, tuple):
        if len(form) == 2 and form[0] == "num":
            return ("num", None)
        return tuple(without_numbers(x) for x in form)
    if isinstance(form, frozenset):
        return frozenset(without_numbers(x) for x in form)
    return form


def _atoms(text: str | None) -> set[Atom]:
    form = canonical_text(text, True)
    if form is None:
        return set()
    if form[0] == "text":
        return {form}
    return set(form[1])
