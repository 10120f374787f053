"""The syntax tree: immutable nodes carrying `start`/`end` character offsets into the text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

ArithOp = Literal["+", "-", "*", "/"]
CompareOp = Literal["==", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """Base of all nodes; `text[start:end]` is the node's source."""

    start: int
    end: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Number(Node):
    value: int | float


@dataclass(frozen=True, slots=True, kw_only=True)
class String(Node):
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Boolean(Node):
    value: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Negate(Node):
    operand: Node


@dataclass(frozen=True, slots=True, kw_only=True)
class Arith(Node):
    op: ArithOp
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, kw_only=True)
class Compare(Node):
    op: CompareOp
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, kw_only=True)
class InList(Node):
    operand: Node
    items: tuple[Number | String | Boolean, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Between(Node):
    operand: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True, kw_only=True)
class IsMissing(Node):
    operand: Node
    negated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True, slots=True, kw_only=True)
class And(Node):
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Or(Node):
    operands: tuple[Node, ...]


Constant = Number | String | Boolean


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of `node`, in source order."""
    match node:
        case Negate(operand=o) | Not(operand=o) | IsMissing(operand=o):
            return (o,)
        case Arith(left=left, right=right) | Compare(left=left, right=right):
            return (left, right)
        case InList(operand=o, items=items):
            return (o, *items)
        case Between(operand=o, low=lo, high=hi):
            return (o, lo, hi)
        case And(operands=ops) | Or(operands=ops):
            return ops
    return ()


def walk(node: Node) -> Iterator[Node]:
    """All nodes of the tree, pre-order, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def depth(node: Node) -> tuple[int, Node]:
    """Nesting depth of the tree (a leaf is 0) and the first node found at that depth."""
    best, deepest = 0, node
    stack = [(node, 0)]
    while stack:
        current, level = stack.pop()
        if level > best:
            best, deepest = level, current
        stack.extend((child, level + 1) for child in reversed(children(current)))
    return best, deepest


_PRECEDENCE = {Or: 1, And: 2, Not: 3, Compare: 4, InList: 4, Between: 4, IsMissing: 4}


def _prec(node: Node) -> int:
    if isinstance(node, Arith):
        return 5 if node.op in "+-" else 6
    if isinstance(node, Negate):
        return 7
    return _PRECEDENCE.get(type(node), 8)


def unparse(node: Node) -> str:
    """Canonical source text for `node` (parentheses only where needed)."""

    def sub(child: Node, min_prec: int) -> str:
        text = unparse(child)
        return f"({text})" if _prec(child) < min_prec else text

    match node:
        case Number(value=v):
            return repr(v)
        case String(value=v):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        case Boolean(value=v):
            return "true" if v else "false"
        case Name(name=n):
            return n
        case Negate(operand=o):
            return "-" + sub(o, 7)
        case Arith(op=op, left=left, right=right):
            p = _prec(node)
            return f"{sub(left, p)} {op} {sub(right, p + 1)}"
        case Compare(op=op, left=left, right=right):
            return f"{sub(left, 5)} {op} {sub(right, 5)}"
        case InList(operand=o, items=items, negated=neg):
            inner = ", ".join(unparse(i) for i in items)
            return f"{sub(o, 5)} {'not in' if neg else 'in'} [{inner}]"
        case Between(operand=o, low=lo, high=hi):
            return f"{sub(o, 5)} between {sub(lo, 5)} and {sub(hi, 5)}"
        case IsMissing(operand=o, negated=neg):
            return f"{sub(o, 5)} is {'not ' if neg else ''}missing"
        case Not(operand=o):
            return "not " + sub(o, 3)
        case And(operands=ops):
            return " and ".join(sub(o, 3) for o in ops)
        case Or(operands=ops):
            return " or ".join(sub(o, 2) for o in ops)
    raise TypeError(f"not an expression node: {node!r}")
