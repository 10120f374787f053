"""Conservative implication between conditions, for the rule "the numerator implies the universe".

Conditions are split into conjuncts and normalised to offset-free atoms (literal on the right,
`not` pushed into comparisons, single-item lists as ==, `between` as two bounds). `b` is implied
when each of its atoms is implied by some atom of `a`: the same atom, a narrower numeric range, a
subset of codes, or any comparison of `x` for `x is not missing`. Under three-valued logic a
conjunction is true only when every conjunct is true, so this is sound for the rows counted.
"""

from __future__ import annotations

from typing import Any

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
)

Atom = tuple[Any, ...]
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FALSE: Atom = ("false",)


def implies(a: Node, b: Node) -> bool | None:
    """True when `a` being true guarantees `b` is true (checked syntactically); None if unknown."""
    have = set(conjuncts(a))
    if _FALSE in have:
        return True
    for atom in conjuncts(b):
        if atom not in have and not any(_atom_implies(h, atom) for h in have):
            return None
    return True


def contradicts(a: Node, b: Node) -> bool:
    """True when `a` and `b` can never both be true (checked syntactically); False if unknown."""
    atoms = list(dict.fromkeys(conjuncts(a) + conjuncts(b)))
    if _FALSE in atoms:
        return True
    return any(_exclusive(x, y) for i, x in enumerate(atoms) for y in atoms[i + 1 :])


def conjuncts(node: Node, negate: bool = False) -> list[Atom]:
    """Normalised atoms whose conjunction is `node` (or `not node` when `negate`)."""
    match node:
        case Boolean(value=v):
            return [] if v != negate else [_FALSE]
        case Not(operand=operand):
            return conjuncts(operand, not negate)
        case And(operands=ops) if not negate:
            return [atom for op in ops for atom in conjuncts(op)]
        case Or(operands=ops) if negate:
            return [atom for op in ops for atom in conjuncts(op, True)]
        case Between(operand=x, low=lo, high=hi) if not negate:
            return [_compare(">=", x, lo), _compare("<=", x, hi)]
        case Compare(op=op, left=left, right=right):
            return [_compare(_NEGATE[op] if negate else op, left, right)]
        case InList(operand=x, items=items, negated=neg):
            neg = neg != negate
            if len(items) == 1:
                return [_compare("!=" if neg else "==", x, items[0])]
            return [("in", neg, key(x), frozenset(key(i) for i in items))]
        case IsMissing(operand=x, negated=neg):
            return [("missing", neg != negate, key(x))]
    return [("truth", not negate, key(node))]


def key(node: Node) -> Atom:
    """An offset-free, hashable form of `node` (numbers as floats, + and * operands sorted)."""
    match node:
        case Number(value=v):
            return ("num", float(v))
        case String(value=v):
            return ("str", v)
        case Boolean(value=v):
            return ("bool", v)
        case Name(name=n):
            return ("name", n)
        case Negate(operand=o):
            return ("neg", key(o))
        case Arith(op=op, left=left, right=right):
            pair = (key(left), key(right))
            return ("arith", op, *(sorted(pair, key=repr) if op in "+*" else pair))
        case Not(operand=o):
            return ("not", key(o))
        case Or(operands=ops):
            return ("or", frozenset(key(o) for o in ops))
    return ("cond", frozenset(conjuncts(node)))


def _is_const(node: Node) -> bool:
    return isinstance(node, (Number, String, Boolean))


def _compare(op: str, left: Node, right: Node) -> Atom:
    if _is_const(left) and not _is_const(right):
        op, left, right = _FLIP[op], right, left
    lk, rk = key(left), key(right)
    if op in ("==", "!=") and not _is_const(right) and repr(rk) < repr(lk):
        lk, rk = rk, lk
    return ("cmp", op, lk, rk)


def _subject(atom: Atom) -> Atom | None:
    if atom[0] == "cmp":
        return atom[2]
    if atom[0] in ("in", "missing", "truth"):
        return atom[2]
    return None


def _values(atom: Atom) -> tuple[bool, frozenset] | None:
    """(positive, codes) for `x == c`, `x in [...]` (positive) and `x != c`, `x not in [...]`."""
    if atom[0] == "cmp" and atom[1] in ("==", "!=") and atom[3][0] in ("num", "str", "bool"):
        return atom[1] == "==", frozenset([atom[3]])
    if atom[0] == "in":
        return not atom[1], atom[3]
    return None


def _interval(atom: Atom) -> tuple[float, bool, float, bool] | None:
    """(low, low_closed, high, high_closed) for `x op number`."""
    if atom[0] != "cmp" or atom[3][0] != "num" or atom[1] == "!=":
        return None
    op, v = atom[1], atom[3][1]
    inf = float("inf")
    return {
        "==": (v, True, v, True),
        "<": (-inf, False, v, False),
        "<=": (-inf, False, v, True),
        ">": (v, False, inf, False),
        ">=": (v, True, inf, False),
    }[op]


def _within(inner: tuple[float, bool, float, bool], outer: tuple[float, bool, float, bool]) -> bool:
    lo, lo_closed, hi, hi_closed = inner
    olo, olo_closed, ohi, ohi_closed = outer
    low_ok = lo > olo or (lo == olo and (olo_closed or not lo_closed))
    high_ok = hi < ohi or (hi == ohi and (ohi_closed or not hi_closed))
    return low_ok and high_ok


def _atom_implies(have: Atom, want: Atom) -> bool:
    subject = _subject(want)
    if subject is None or _subject(have) != subject:
        return False
    if want[0] == "missing" and want[1]:  # `x is not missing`: any test that needs x known
        return not (have[0] == "missing" and not have[1])
    hv, wv = _values(have), _values(want)
    if hv is not None and wv is not None:
        (h_pos, h_set), (w_pos, w_set) = hv, wv
        if h_pos:
            return h_set <= w_set if w_pos else not (h_set & w_set)
        return not w_pos and w_set <= h_set
    wi = _interval(want)
    if wi is None:
        return False
    hi = _interval(have)
    if hi is not None:
        return _within(hi, wi)
    if hv is not None and hv[0] and all(v[0] == "num" for v in hv[1]):
        return all(_within((v[1], True, v[1], True), wi) for v in hv[1])
    return False


def _exclusive(x: Atom, y: Atom) -> bool:
    """Atoms about the same subject that cannot both be true."""
    subject = _subject(x)
    if subject is None or _subject(y) != subject:
        return False
    x_missing, y_missing = x[0] == "missing" and not x[1], y[0] == "missing" and not y[1]
    if x_missing or y_missing:  # `x is missing` excludes every test that needs x known
        return x_missing != y_missing
    if x[0] == y[0] == "truth":
        return x[1] != y[1]
    xv, yv = _values(x), _values(y)
    if xv is not None and yv is not None:
        (x_pos, x_set), (y_pos, y_set) = xv, yv
        if x_pos and y_pos:
            return not (x_set & y_set)
        if x_pos != y_pos:
            return (x_set if x_pos else y_set) <= (y_set if x_pos else x_set)
        return False
    xi, yi = _interval(x), _interval(y)
    if xi is None or yi is None:
        return False
    return _disjoint(xi, yi)


def _disjoint(a: tuple[float, bool, float, bool], b: tuple[float, bool, float, bool]) -> bool:
    lo, lo_closed = max((a[0], a[1]), (b[0], b[1]), key=lambda e: (e[0], not e[1]))
    hi, hi_closed = min((a[2], a[3]), (b[2], b[3]), key=lambda e: (e[0], e[1]))
    return lo > hi or (lo == hi and not (lo_closed and hi_closed))
