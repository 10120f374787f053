"""Which deviation kind a computed change is: the field -> kind rules of `mhi diff`."""

from __future__ import annotations

from mhindicators.expr.canonical import atom_names, canonical_text, changed_atoms, without_numbers

#: Canonical variables that carry migratory status (a change about them is a change of basis).
MIGRATORY_VARIABLES = frozenset(
    {
        "migratory_status",
        "nativity",
        "citizenship_status",
        "migrant_generation",
        "years_since_arrival",
        "duration_group",
        "protection_status",
        "country_of_birth",
        "citizenship",
        "year_of_arrival",
        "mother_country_of_birth",
        "father_country_of_birth",
    }
)


def expression_kind(name: str, old: str | None, new: str | None, condition: bool = True) -> str:
    """The deviation kind of a change in an expression field, from the part that changed."""
    gone, came = changed_atoms(old, new)
    names = atom_names(gone | came)
    if names and names <= {"age"}:
        return "age_range"
    if names & MIGRATORY_VARIABLES:
        return "migratory_status_basis"
    if old is not None and new is not None and _only_numbers_differ(old, new, condition):
        return "threshold"
    if name == "universe":
        return "population_coverage"
    return "outcome_definition"


def _only_numbers_differ(old: str, new: str, condition: bool) -> bool:
    blank = without_numbers(canonical_text(old, condition))
    return blank == without_numbers(canonical_text(new, condition))
