"""Planning one registry dataset: what its records are, which indicators can mean them, and
which migratory bases both of its tables support. Shared by `compute` and `mhi matrix`, so the
matrix says exactly what a run would do."""

from __future__ import annotations

from dataclasses import dataclass

from mhindicators.definitions import Catalog
from mhindicators.harmonization.basis import profile_bases
from mhindicators.pipeline.plan import Plan, Register, plan_registry, within_bases
from mhindicators.profiles.harmonize import available_variables
from mhindicators.profiles.loader import LoadedProfile
from mhindicators.profiles.records import denominator_type, event_types
from mhindicators.vocabulary import Vocabulary


@dataclass(frozen=True)
class RegisterPlan:
    plan: Plan
    types: frozenset[str]  # event types the register's records can be
    events_variables: set[str]
    denominator_variables: set[str]
    denominator_type: str | None  # what the denominator table counts (None: no table)


def plan_register(
    catalog: Catalog,
    dataset_id: str,
    events: LoadedProfile,
    denominator: LoadedProfile | None,
    vocab: Vocabulary,
    only: set[str] | None,
) -> RegisterPlan:
    """The registry dataset's plan: event types, variables, then migratory bases."""
    types = event_types(events.profile)
    ev_vars = available_variables(events, vocab)
    if len(types) == 1:
        ev_vars.add("event_type")  # a one-type extract: every record is of that type
    den_vars = available_variables(denominator, vocab) if denominator is not None else set()
    kind = denominator_type(denominator.profile, vocab) if denominator is not None else None
    plan = plan_registry(
        catalog,
        dataset_id,
        ev_vars,
        den_vars,
        only,
        register=Register(types, kind),
        vocab=vocab,
        has_denominator=denominator is not None,
    )
    bases = profile_bases(events)
    if denominator is not None:  # a rate's migratory dimension must be in both tables
        bases = tuple(b for b in bases if b in profile_bases(denominator))
    plan = within_bases(plan, catalog, bases)
    return RegisterPlan(plan, frozenset(types), ev_vars, den_vars, kind)
