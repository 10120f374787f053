"""The plan: which indicators run on which dataset, with which variables, and why others skip."""

from __future__ import annotations

from dataclasses import dataclass, field

from mhindicators.definitions import Catalog, Indicator
from mhindicators.expr.check import variables as expr_variables
from mhindicators.expr.parser import parse

EXPRESSION_FIELDS = ("universe", "numerator", "denominator", "value")


@dataclass(frozen=True)
class PlanItem:
    """One indicator to compute on one dataset."""

    indicator: Indicator
    dataset_id: str
    variables: frozenset[str]


@dataclass(frozen=True)
class Skip:
    """An indicator not computed on a dataset, and why (shown to the analyst)."""

    indicator_id: str
    dataset_id: str
    reason: str


@dataclass
class Plan:
    items: list[PlanItem] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)

    def for_dataset(self, dataset_id: str) -> list[PlanItem]:
        return [i for i in self.items if i.dataset_id == dataset_id]


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
) -> Plan:
    """Registry indicators: numerator and universe on events, denominator on its own table."""
    plan = Plan()
    for ind in sorted(catalog, key=lambda i: i.id):
        if only is not None and ind.id not in only:
            continue
        if ind.source != "registry":
            continue
        on_events = expression_variables(ind, ("universe", "numerator"))
        on_denominator = expression_variables(ind, ("denominator",))
        dims = dimension_variables(ind, events_vars & denominator_vars)
        missing_events = sorted((on_events | dims) - events_vars)
        missing_den = sorted((on_denominator | dims) - denominator_vars)
        if missing_events or missing_den:
            parts = []
            if missing_events:
                parts.append(f"events lack {', '.join(missing_events)}")
            if missing_den:
                parts.append(f"denominator lacks {', '.join(missing_den)}")
            plan.skipped.append(Skip(ind.id, dataset_id, "; ".join(parts)))
            continue
        plan.items.append(PlanItem(ind, dataset_id, frozenset(on_events | on_denominator | dims)))
    return plan
