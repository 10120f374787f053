"""The plan: which indicators run on which dataset, with which variables, and why others skip."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from mhindicators.definitions import Catalog, Indicator
from mhindicators.definitions.records import RATES, per
from mhindicators.expr.check import variables as expr_variables
from mhindicators.expr.parser import parse
from mhindicators.harmonization.basis import explain_skip, missing_bases
from mhindicators.vocabulary import Vocabulary

EXPRESSION_FIELDS = ("universe", "numerator", "denominator", "value", "line_of")


@dataclass(frozen=True)
class PlanItem:
    """One indicator to compute on one dataset."""

    indicator: Indicator
    dataset_id: str
    variables: frozenset[str]
    # a register of several event types: only records of these types enter (None = all)
    event_types: frozenset[str] | None = None


@dataclass(frozen=True)
class Skip:
    """An indicator not computed on a dataset, and why (shown to the analyst)."""

    indicator_id: str
    dataset_id: str
    reason: str
    mismatch: bool = False  # the register's records are not what the indicator counts


@dataclass(frozen=True)
class Register:
    """What a registry dataset's records are, as its profiles declare them."""

    event_types: frozenset[str]
    denominator_type: str | None = None


@dataclass
class Plan:
    items: list[PlanItem] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


def expression_variables(ind: Indicator, fields: tuple[str, ...] = EXPRESSION_FIELDS) -> set[str]:
    """Canonical variables referenced by the indicator's expressions."""
    out: set[str] = set()
    for name in fields:
        text = getattr(ind, name)
        if text:
            out |= expr_variables(parse(text))
    return out


def dimension_variables(ind: Indicator, available: set[str]) -> set[str]:
    """Variables behind the disaggregation: age_group comes from age unless given directly."""
    dims = set(ind.disaggregate_by)
    if ind.standardize is not None:
        dims.add("age_group")
    if "age_group" in dims and "age_group" not in available:
        dims = (dims - {"age_group"}) | {"age"}
    return dims


def plan_survey(
    catalog: Catalog, dataset_id: str, available: set[str], only: set[str] | None = None
) -> Plan:
    """Survey indicators whose variables the dataset's profile provides."""
    plan = Plan()
    for ind in sorted(catalog, key=lambda i: i.id):
        if only is not None and ind.id not in only:
            continue
        if ind.source != "survey":
            continue
        needed = expression_variables(ind) | dimension_variables(ind, available)
        missing = sorted(needed - available)
        if missing:
            plan.skipped.append(Skip(ind.id, dataset_id, f"dataset lacks {', '.join(missing)}"))
            continue
        plan.items.append(PlanItem(ind, dataset_id, frozenset(needed)))
    return plan


def plan_registry(
    catalog: Catalog,
    dataset_id: str,
    events_vars: set[str],
    denominator_vars: set[str],
    only: set[str] | None = None,
    *,
    register: Register,
    vocab: Vocabulary,
    has_denominator: bool = True,
) -> Plan:
    """Registry indicators: universe and numerator on the events, denominator on its table.

    An indicator runs only where the register's records are of a type it counts and, for
    rates, where the denominator table counts what it is per (`record_mismatch`). Rates need
    a denominator table holding the denominator measure and every dimension; proportions and
    counts are computed on the events alone.
    """
    plan = Plan()
    for ind in sorted(catalog, key=lambda i: i.id):
        if ind.source != "registry" or (only is not None and ind.id not in only):
            continue
        if reason := record_mismatch(ind, register, vocab):
            plan.skipped.append(Skip(ind.id, dataset_id, reason, mismatch=True))
            continue
        needs_den = ind.estimator in ("rate", "standardized_rate")
        on_events = expression_variables(ind, ("universe", "numerator"))
        on_den = expression_variables(ind, ("denominator",))
        ev_dims = dimension_variables(ind, events_vars)
        den_dims = dimension_variables(ind, denominator_vars)
        problems = []
        if missing := sorted((on_events | ev_dims) - events_vars):
            problems.append(f"events lack {', '.join(missing)}")
        if needs_den and not has_denominator:
            problems.append("no denominator table")
        elif needs_den and (missing := sorted((on_den | den_dims) - denominator_vars)):
            problems.append(f"denominator lacks {', '.join(missing)}")
        elif needs_den and (
            missing := sorted(expression_variables(ind, ("universe",)) - denominator_vars)
        ):
            problems.append(f"the universe needs {', '.join(missing)} in the denominator table too")
        if problems:
            plan.skipped.append(Skip(ind.id, dataset_id, "; ".join(problems)))
            continue
        dims = ev_dims | (den_dims if needs_den else set())
        counted = frozenset(ind.event_types or ()) & register.event_types
        only_types = None if counted == register.event_types else counted
        extra = {"event_type"} if only_types is not None else set()
        plan.items.append(
            PlanItem(ind, dataset_id, frozenset(on_events | on_den | dims | extra), only_types)
        )
    return plan


def record_mismatch(ind: Indicator, register: Register, vocab: Vocabulary) -> str | None:
    """Why the register's records cannot mean the indicator (None when they can)."""
    counted = set(ind.event_types or ())
    if not counted & register.event_types:
        return (
            f"the register holds {_names(register.event_types)} records; "
            f"this indicator counts {_names(counted) or 'undeclared event types'}"
        )
    want = per(ind, vocab) if ind.estimator in RATES else None
    if want and register.denominator_type and want != register.denominator_type:
        return (
            f"the denominator table counts {register.denominator_type}; "
            f"this indicator is per {want}"
        )
    return None


def _names(codes: set[str] | frozenset[str]) -> str:
    return ", ".join(sorted(codes))


def within_bases(plan: Plan, catalog: Catalog, bases: tuple[str, ...]) -> Plan:
    """The plan without the indicators whose migratory basis the data lacks; every skip whose
    cause is a missing basis says which."""
    items, skipped = [], []
    for s in plan.skipped:
        ind = catalog.indicators.get(s.indicator_id)
        skipped.append(replace(s, reason=explain_skip(s.reason, ind, bases)) if ind else s)
    for item in plan.items:
        missing = missing_bases(item.indicator, bases)
        if missing:
            reason = f"the profile's migratory_basis lacks {', '.join(missing)}"
            skipped.append(Skip(item.indicator.id, item.dataset_id, reason))
        else:
            items.append(item)
    return replace(plan, items=items, skipped=skipped)
