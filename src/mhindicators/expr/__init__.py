"""The expression language of indicator definitions: parse, check and evaluate, never execute.

`parse(text)` builds an immutable tree (or raises ExprSyntaxError with an offset and a hint),
`check(node, vocabulary, text)` lists ExprProblem, `evaluate(node, frame)` returns a TriBool
(Kleene logic over missing values) or a float array, and `compile_expression` does all three
without raising. The grammar and the missing-value rules are in docs/expressions.md.
"""

from typing import TYPE_CHECKING

from mhindicators.expr.check import Kind, check, variables
from mhindicators.expr.logic import contradicts, implies
from mhindicators.expr.nodes import (
    And,
    Arith,
    Between,
    Boolean,
    Compare,
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
    unparse,
    walk,
)
from mhindicators.expr.parser import parse
from mhindicators.expr.problems import (
    MAX_DEPTH,
    MAX_LENGTH,
    ExprProblem,
    ExprSyntaxError,
    ExprTypeError,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "And",
    "Arith",
    "Between",
    "Boolean",
    "Compare",
    "CompiledExpr",
    "Constant",
    "ExprProblem",
    "ExprSyntaxError",
    "ExprTypeError",
    "InList",
    "IsMissing",
    "Kind",
    "Name",
    "Negate",
    "Node",
    "Not",
    "Number",
    "Or",
    "String",
    "TriBool",
    "check",
    "compile_expression",
    "contradicts",
    "evaluate",
    "implies",
    "parse",
    "unparse",
    "variables",
    "walk",
]


if TYPE_CHECKING:  # imported lazily below; the type checker sees them as they are
    from mhindicators.expr.compile import CompiledExpr, compile_expression, evaluate
    from mhindicators.expr.tribool import TriBool

_LAZY = {"CompiledExpr", "compile_expression", "evaluate", "TriBool"}


def __getattr__(name: str) -> object:
    """Evaluation needs numpy and pandas; import it only when used (validate stays fast)."""
    if name in _LAZY:
        from mhindicators.expr import compile as _compile
        from mhindicators.expr import tribool as _tribool

        return getattr(_compile, name, None) or getattr(_tribool, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
