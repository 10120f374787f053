"""Reliability and disclosure policies as data: YAML rules → flag codes per estimate.

A policy never blanks a number; it returns flags (`Px`, `Cx`, ...) whose documented action
(suppress | review | caution | confidential) a publication output may apply. Rules are a
closed set of comparisons on named statistics combined with all/any/not; nothing in a
policy file is executed. Policies and statistics: docs/reliability.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, Union

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from mhindicators.errors import DefinitionError, EstimationError
from mhindicators.issues import Issue, define, issue
from mhindicators.schema_errors import SchemaCodes, load_model
from mhindicators.yamlsource import SourceDoc

define(
    "MHI430",
    "policy-unknown",
    "error",
    "No shipped policy has this name and it is not a file.",
    "Use one of list_policies() or the path of a policy YAML file.",
)
define(
    "MHI431",
    "policy-invalid",
    "error",
    "A policy file breaks a rule of the policy schema.",
    "See docs/reliability.md for the policy schema.",
)
define(
    "MHI432",
    "policy-unknown-key",
    "error",
    "A policy file has a key the schema does not know.",
    "Check the spelling; keys are listed in docs/reliability.md.",
)
define(
    "MHI433",
    "policy-missing-key",
    "error",
    "A policy file lacks a required key.",
    "Add the key; see docs/reliability.md.",
)
define(
    "MHI434",
    "policy-wrong-type",
    "error",
    "A policy value has the wrong type.",
    "Thresholds are numbers or parameter names; lists use [a, b].",
)
define(
    "MHI435",
    "policy-bad-choice",
    "error",
    "A policy value is not one of the allowed choices.",
    "See docs/reliability.md for statistics, operators and actions.",
)
define(
    "MHI436",
    "policy-statistic-missing",
    "error",
    "The table lacks a statistic that a policy rule needs.",
    "Add the column (e.g. n_eff, df, events) or choose a policy for this estimator.",
)

_CODES = SchemaCodes("MHI431", "MHI432", "MHI433", "MHI434", "MHI435")
_DIR = Path(__file__).parent / "policies"
Action = Literal["suppress", "review", "caution", "confidential"]
ACTION_RANK = {"": 0, "caution": 1, "review": 2, "suppress": 3, "confidential": 4}
Stat = Literal[
    "n_unweighted",
    "n_eff",
    "events",
    "denominator",
    "estimate",
    "lower",
    "upper",
    "se",
    "df",
    "ci_width",
    "relative_ci_width",
    "complement_relative_ci_width",
    "rse",
    "n_eff_nchs",
    "ci_width_nchs",
]
_OPS = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Compare(_Strict):
    """`stat op value`; a list of stats means the first one the table has."""

    stat: Stat | list[Stat]
    op: Literal["<", "<=", ">", ">=", "==", "!="]
    value: float | str


class All(_Strict):
    all_: list[Condition] = Field(alias="all", min_length=1)


class Any_(_Strict):
    any_: list[Condition] = Field(alias="any", min_length=1)


class Not(_Strict):
    not_: Condition = Field(alias="not")


class Flagged(_Strict):
    flagged: str


class Missing(_Strict):
    missing: Stat


Condition = Union[Compare, All, Any_, Not, Flagged, Missing]  # noqa: UP007


class FlagSpec(_Strict):
    action: Action
    meaning: str


class Rule(_Strict):
    flag: str
    when: Condition


class Policy(_Strict):
    """A reliability/disclosure policy; flags are listed in rule order."""

    policy: str
    title: str
    source: str
    applies_to: list[str] = Field(default_factory=list)
    notes: str = ""
    parameters: dict[str, float] = Field(default_factory=dict)
    optional: list[Stat] = Field(default_factory=list)
    flags: dict[str, FlagSpec]
    rules: list[Rule]

    def action(self, flag: str) -> str:
        return self.flags[flag].action


for _m in (All, Any_, Not, Rule, Policy):
    _m.model_rebuild()


def list_policies() -> list[str]:
    """Names of the shipped policies."""
    return sorted(p.stem for p in _DIR.glob("*.yaml"))


def load_policy(name_or_path: str | Path, parameters: dict[str, float] | None = None) -> Policy:
    """A shipped policy by name, or a policy YAML file; `parameters` override its defaults."""
    text = str(name_or_path)
    path = _DIR / f"{text}.yaml" if text in list_policies() else Path(text)
    if not path.is_file():
        raise DefinitionError(
            f"unknown policy '{text}'",
            [issue("MHI430", f"'{text}'", hint="Shipped policies: " + ", ".join(list_policies()))],
        )
    policy, doc = load_model(path, Policy, _CODES, DefinitionError)
    problems = _cross_check(policy, doc)
    if problems:
        raise DefinitionError(f"invalid policy {path}", problems)
    if parameters:
        unknown = sorted(set(parameters) - set(policy.parameters))
        if unknown:
            msg = f"policy '{policy.policy}' has no parameter {', '.join(unknown)}"
            raise DefinitionError(msg, [issue("MHI431", msg, str(path))])
        policy = policy.model_copy(update={"parameters": {**policy.parameters, **parameters}})
    return policy


def apply_policy(policy: Policy, table: pd.DataFrame | dict) -> np.ndarray:
    """Flag strings per row (';'-joined in rule order, '' = none), vectorised over rows."""
    stats_ = _Stats(table, set(policy.optional))
    masks: dict[str, np.ndarray] = {}
    for rule in policy.rules:
        hit = _eval(rule.when, stats_, masks, policy.parameters)
        masks[rule.flag] = masks[rule.flag] | hit if rule.flag in masks else hit
    return _join(list(masks.items()), stats_.n)


def worst_action(policy: Policy, flags: np.ndarray) -> np.ndarray:
    """The strongest action among each row's flags ('' when none)."""
    uniq, inv = np.unique(np.asarray(flags, dtype=str), return_inverse=True)
    best = [
        max((policy.action(f) for f in u.split(";") if f), key=ACTION_RANK.__getitem__, default="")
        for u in uniq
    ]
    return np.asarray(best, dtype=object)[inv.ravel()]


class _Stats:
    """Statistics from table columns, with the closed set of derivations (cached)."""

    def __init__(self, table: pd.DataFrame | dict, optional: set[str]) -> None:
        self.cols = {k: table[k] for k in table}
        self.optional = optional
        self.n = len(next(iter(self.cols.values()))) if self.cols else 0
        self.cache: dict[str, np.ndarray] = {}

    def has(self, name: str) -> bool:
        deps = _DERIVED.get(name)
        return name in self.cols or (deps is not None and all(self.has(d) for d in deps[0]))

    def get(self, name: str | Sequence[str]) -> np.ndarray:
        names = [name] if isinstance(name, str) else name
        for nm in names:
            if self.has(nm):
                if nm not in self.cache:
                    self.cache[nm] = self._compute(nm)
                return self.cache[nm]
        if set(names) <= self.optional:
            return np.full(self.n, np.nan)
        msg = f"the table has no column {' or '.join(names)} (columns: {', '.join(self.cols)})"
        raise EstimationError(msg, [issue("MHI436", msg)])

    def _compute(self, name: str) -> np.ndarray:
        if name in self.cols:
            return np.asarray(self.cols[name], dtype=float)
        deps, fn = _DERIVED[name]
        with np.errstate(divide="ignore", invalid="ignore"):
            return fn(*(self.get(d) for d in deps))


def _boundary(p: np.ndarray) -> np.ndarray:
    return (p == 0) | (p == 1)


def _n_eff_nchs(n_eff: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    return np.where(_boundary(p), n, np.fmin(n_eff, n))


#: derived statistic -> (the statistics it needs, how)
_DERIVED: dict[str, tuple[tuple[str, ...], Callable[..., np.ndarray]]] = {
    "ci_width": (("upper", "lower"), lambda u, lo: u - lo),
    "relative_ci_width": (("ci_width", "estimate"), lambda w, p: w / np.abs(p)),
    "complement_relative_ci_width": (("ci_width", "estimate"), lambda w, p: w / (1 - p)),
    "rse": (("se", "estimate"), lambda s, p: s / np.abs(p)),
    "n_eff_nchs": (
        ("n_eff", "n_unweighted", "estimate"),
        _n_eff_nchs,
    ),
    "ci_width_nchs": (("ci_width", "estimate"), lambda w, p: np.where(_boundary(p), 0.0, w)),
}


def _eval(cond, st: _Stats, masks: dict, params: dict) -> np.ndarray:
    if isinstance(cond, Compare):
        value = params[cond.value] if isinstance(cond.value, str) else cond.value
        with np.errstate(invalid="ignore"):
            return _OPS[cond.op](st.get(cond.stat), value)
    if isinstance(cond, All):
        return np.logical_and.reduce([_eval(c, st, masks, params) for c in cond.all_])
    if isinstance(cond, Any_):
        return np.logical_or.reduce([_eval(c, st, masks, params) for c in cond.any_])
    if isinstance(cond, Not):
        return ~_eval(cond.not_, st, masks, params)
    if isinstance(cond, Flagged):
        return masks.get(cond.flagged, np.zeros(st.n, bool))
    return np.isnan(st.get(cond.missing))


def _join(items: list[tuple[str, np.ndarray]], n: int) -> np.ndarray:
    if not items:
        return np.full(n, "", dtype=object)
    bits = sum(np.asarray(m, bool).astype(np.int64) << i for i, (_, m) in enumerate(items))
    uniq, inv = np.unique(bits, return_inverse=True)
    text = [";".join(f for i, (f, _) in enumerate(items) if u >> i & 1) for u in uniq]
    return np.asarray(text, dtype=object)[inv.ravel()]


def _cross_check(policy: Policy, doc: SourceDoc) -> list[Issue]:
    """Rule flags declared, `flagged` refers to earlier rules, parameter names defined."""
    out, seen = [], set()

    def walk(cond, path):
        if isinstance(cond, Compare) and isinstance(cond.value, str):
            if cond.value not in policy.parameters:
                out.append((path + ("value",), f"parameter '{cond.value}' is not defined"))
        elif isinstance(cond, Flagged) and cond.flagged not in seen:
            out.append(
                (path + ("flagged",), f"flag '{cond.flagged}' is not set by an earlier rule")
            )
        for key, sub in (("all", "all_"), ("any", "any_")):
            for j, c in enumerate(getattr(cond, sub, [])):
                walk(c, path + (key, j))
        if isinstance(cond, Not):
            walk(cond.not_, path + ("not",))

    for i, rule in enumerate(policy.rules):
        if rule.flag not in policy.flags:
            out.append((("rules", i, "flag"), f"flag '{rule.flag}' is not declared under flags"))
        walk(rule.when, ("rules", i, "when"))
        seen.add(rule.flag)
    return [issue("MHI431", msg, doc.path, *doc.locate(p)) for p, msg in out]


__all__ = ["Policy", "apply_policy", "list_policies", "load_policy", "worst_action"]
