"""Vectorised evaluation of expressions over a DataFrame, with missing values propagated.

Numbers become float arrays (NaN = missing), conditions TriBool, categorical columns integer
codes into their categories (-1 = missing) so comparisons with codes touch each row once in numpy.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import reduce
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mhindicators.expr.check import Kind, check, variables
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
from mhindicators.expr.parser import parse
from mhindicators.expr.problems import ExprProblem, ExprSyntaxError, ExprTypeError
from mhindicators.expr.tribool import TriBool

if TYPE_CHECKING:
    from mhindicators.vocabulary import Vocabulary

_CMP = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ARITH = {"+": np.add, "-": np.subtract, "*": np.multiply}
_ALL_KNOWN = np.ones((), dtype=bool)


@dataclass(frozen=True)
class _Cat:
    """A categorical column: `codes` index into `categories` (strings); -1 is missing."""

    codes: np.ndarray
    categories: np.ndarray
    known: np.ndarray

    def lookup(self, table: np.ndarray) -> np.ndarray:
        """Per-row `table[code]` (False for missing) for a bool table over the categories."""
        hits = np.flatnonzero(table)
        if hits.size == 0:
            return np.zeros(self.codes.shape, dtype=bool)
        if hits.size == 1:
            return self.codes == hits[0]
        return np.append(table, False)[self.codes]


def evaluate(
    node: Node, frame: pd.DataFrame, types: Mapping[str, str] | None = None
) -> TriBool | np.ndarray:
    """Evaluate `node` on `frame`: a TriBool for conditions, a float array (NaN = missing) else.

    `types` maps variable names to vocabulary types (categorical, boolean, integer, number)
    to read columns whose dtype is ambiguous, e.g. a boolean stored as 0/1 floats.
    """
    result = _Evaluator(frame, types or {}).visit(node)
    return _finish(result, len(frame), "condition" if isinstance(result, TriBool) else "value")


def _finish(result: object, n: int, kind: Kind) -> TriBool | np.ndarray:
    if kind == "condition":
        return _cond(result).broadcast(n)
    out = np.asarray(_num(result), dtype="float64")
    if out.shape == (n,) and out.flags.writeable:
        return out
    return np.broadcast_to(out, (n,)).copy()


@dataclass(frozen=True)
class CompiledExpr:
    """A parsed and checked expression; evaluate it only when `ok` (no error problems)."""

    text: str
    kind: Kind
    node: Node | None
    problems: tuple[ExprProblem, ...]
    variables: frozenset[str] = frozenset()
    types: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.node is not None and all(p.severity != "error" for p in self.problems)

    def evaluate(self, frame: pd.DataFrame) -> TriBool | np.ndarray:
        """A TriBool for a condition, a float array for a value (see `evaluate`)."""
        if not self.ok or self.node is None:
            raise ValueError(f"cannot evaluate {self.text!r}: it has errors ({self.problems[0]})")
        return _finish(_Evaluator(frame, self.types).visit(self.node), len(frame), self.kind)


def compile_expression(
    text: object, vocabulary: Vocabulary, kind: Kind = "condition"
) -> CompiledExpr:
    """Parse and check `text`; never raises, the problems are in `.problems`."""
    if isinstance(text, bool):
        text = "true" if text else "false"
    elif isinstance(text, (int, float)):
        text = repr(text)
    if not isinstance(text, str):
        problem = ExprProblem("MHI201", f"expected an expression, found {type(text).__name__}", 0)
        return CompiledExpr(str(text), kind, None, (problem,))
    try:
        node = parse(text)
    except ExprSyntaxError as exc:
        return CompiledExpr(text, kind, None, (exc.problem,))
    names = frozenset(variables(node))
    types = {n: vocabulary[n].type for n in names if n in vocabulary}
    problems = tuple(check(node, vocabulary, text, kind))
    return CompiledExpr(text, kind, node, problems, names, types)


class _Evaluator:
    def __init__(self, frame: pd.DataFrame, types: Mapping[str, str]) -> None:
        self.frame = frame
        self.types = types
        self.columns: dict[str, object] = {}

    def visit(self, node: Node) -> object:
        match node:
            case Number(value=v):
                return np.float64(v)
            case String(value=v):
                return v
            case Boolean(value=v):
                return TriBool.constant(v)
            case Name(name=name):
                if name not in self.columns:
                    self.columns[name] = self.column(name)
                return self.columns[name]
            case Negate(operand=o):
                return np.negative(_num(self.visit(o)))
            case Arith(op=op, left=left, right=right):
                return _arith(op, _num(self.visit(left)), _num(self.visit(right)))
            case Compare(op=op, left=left, right=right):
                return _compare(op, self.visit(left), self.visit(right))
            case InList(operand=o, items=items, negated=neg):
                result = _in_list(self.visit(o), [i.value for i in items])
                return ~result if neg else result
            case Between(operand=o, low=lo, high=hi):
                x = self.visit(o)
                low, high = _compare(">=", x, self.visit(lo)), _compare("<=", x, self.visit(hi))
                known = low.known & high.known
                return TriBool._raw(low.value & high.value & known, known)
            case IsMissing(operand=o, negated=neg):
                missing = _missing(self.visit(o))
                return TriBool._raw(~missing if neg else missing, _ALL_KNOWN)
            case Not(operand=o):
                return ~_cond(self.visit(o))
            case And(operands=ops):
                return reduce(operator.and_, (_cond(self.visit(o)) for o in ops))
            case Or(operands=ops):
                return reduce(operator.or_, (_cond(self.visit(o)) for o in ops))
        raise ExprTypeError(f"not an expression node: {node!r}")

    def column(self, name: str) -> object:
        if name not in self.frame.columns:
            raise KeyError(f"column {name!r} used in an expression is not in the data")
        series = self.frame[name]
        dtype = series.dtype
        vtype = self.types.get(name)
        if vtype is None:
            if isinstance(dtype, pd.CategoricalDtype):
                vtype = "categorical"
            elif pd.api.types.is_bool_dtype(dtype):
                vtype = "boolean"
            elif pd.api.types.is_object_dtype(dtype):
                inferred = pd.api.types.infer_dtype(series, skipna=True)
                vtype = "boolean" if inferred == "boolean" else "categorical"
            elif isinstance(dtype, pd.StringDtype):
                vtype = "categorical"
        if vtype == "categorical":
            return _to_cat(series)
        if vtype == "boolean":
            return TriBool.from_pandas(series.array)
        return np.asarray(series.to_numpy(dtype="float64", na_value=np.nan))


def _to_cat(series: pd.Series) -> _Cat:
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = np.asarray(series.cat.codes.to_numpy())
        categories = series.cat.categories
    else:
        codes, categories = pd.factorize(series, use_na_sentinel=True)
    labels = np.array([_label(c) for c in categories], dtype=object)
    return _Cat(codes, labels, codes >= 0)


def _label(category: object) -> str:
    """Category as a code string; integral floats (1.0 from a column with NaN) become "1"."""
    if isinstance(category, float) and category.is_integer():
        return str(int(category))
    return str(category)


def _num(x: object) -> np.ndarray:
    if isinstance(x, TriBool):
        return np.where(x.known, x.value.astype("float64"), np.nan)
    if isinstance(x, (_Cat, str)):
        raise ExprTypeError("a categorical value is not a number; compare it with a code")
    return x  # type: ignore[return-value]


def _cond(x: object) -> TriBool:
    if isinstance(x, TriBool):
        return x
    if isinstance(x, (_Cat, str)):
        raise ExprTypeError("a categorical value is not a condition; compare it with a code")
    known = ~np.isnan(x)  # type: ignore[call-overload]
    return TriBool._raw((x != 0) & known, known)


def _missing(x: object) -> np.ndarray:
    if isinstance(x, TriBool):
        return ~x.known
    if isinstance(x, _Cat):
        return ~x.known
    if isinstance(x, str):
        return np.zeros((), dtype=bool)
    return np.isnan(x)  # type: ignore[call-overload]


def _arith(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        if op != "/":
            return _ARITH[op](a, b)
        return np.where(b == 0, np.nan, np.true_divide(a, b))


def _compare(op: str, a: object, b: object) -> TriBool:
    if isinstance(a, (_Cat, str)) or isinstance(b, (_Cat, str)):
        return _compare_codes(op, a, b)
    if isinstance(a, TriBool) and isinstance(b, TriBool) and op in ("==", "!="):
        known = a.known & b.known
        return TriBool._raw(_CMP[op](a.value, b.value) & known, known)
    x, y = _num(a), _num(b)
    known = ~np.isnan(x) & ~np.isnan(y)
    with np.errstate(invalid="ignore"):
        return TriBool._raw(_CMP[op](x, y) & known, known)


def _compare_codes(op: str, a: object, b: object) -> TriBool:
    if op not in ("==", "!="):
        raise ExprTypeError(f"codes have no order: cannot use {op}")
    if isinstance(a, str) and not isinstance(b, str):
        a, b = b, a
    if isinstance(a, _Cat) and isinstance(b, str):
        value = a.lookup(a.categories == b)
        known = a.known
    elif isinstance(a, _Cat) and isinstance(b, _Cat):
        union = pd.Index(np.concatenate([a.categories, b.categories])).unique()
        left = np.append(union.get_indexer(a.categories), -1)[a.codes]
        right = np.append(union.get_indexer(b.categories), -1)[b.codes]
        known = a.known & b.known
        value = (left == right) & known
    elif isinstance(a, str) and isinstance(b, str):
        return TriBool.constant((a == b) == (op == "=="))
    else:
        raise ExprTypeError("codes can only be compared with codes")
    if op == "!=":
        value = known & ~value
    return TriBool._raw(value, known)


def _in_list(x: object, items: list[object]) -> TriBool:
    if isinstance(x, _Cat):
        codes = [i for i in items if isinstance(i, str)]
        return TriBool._raw(x.lookup(np.isin(x.categories, codes)), x.known)
    if isinstance(x, TriBool):
        has_true, has_false = any(i is True for i in items), any(i is False for i in items)
        value = (x.value & has_true) | (x.false_mask() & has_false)
        return TriBool._raw(value, x.known)
    if isinstance(x, str):
        return TriBool.constant(x in items)
    numbers = [float(i) for i in items if isinstance(i, (int, float)) and not isinstance(i, bool)]
    values = np.asarray(x)  # a float array (a TriBool or a text constant returned above)
    known = ~np.isnan(values)
    return TriBool._raw(np.isin(values, numbers) & known, known)
