"""Migratory-status bases: which concepts a profile's data identifies migrants by, and which
basis each indicator's migratory dimension needs (UN/UNECE concepts; docs/multi-country.md)."""

from __future__ import annotations

from mhindicators.issues import define, issue
from mhindicators.vocabulary.migratory import DIMENSION_BASES as DIMENSION_BASES  # re-exported

define(
    "MHI540",
    "basis-not-supported-by-columns",
    "error",
    "A profile declares a migratory basis that none of its mapped columns can provide.",
    "Map the column that carries it (e.g. country_of_birth) or remove the basis from "
    "`migratory_basis:`; see docs/multi-country.md.",
)

#: the controlled list of bases, in display order.
BASES = (
    "country_of_birth",
    "citizenship",
    "parents_country_of_birth",
    "year_of_arrival",
    "protection_status",
)

#: canonical variable mapped in a profile -> the bases it carries.
COLUMN_BASES: dict[str, tuple[str, ...]] = {
    "country_of_birth": ("country_of_birth",),
    "nativity": ("country_of_birth",),
    "citizenship": ("citizenship",),
    "citizenship_status": ("citizenship",),
    "migratory_status": ("country_of_birth", "citizenship"),
    "migrant_generation": ("country_of_birth", "parents_country_of_birth"),
    "year_of_arrival": ("year_of_arrival",),
    "years_since_arrival": ("year_of_arrival",),
    "duration_group": ("country_of_birth", "year_of_arrival"),
    "protection_status": ("protection_status",),
}
_PARENTS = ("mother_country_of_birth", "father_country_of_birth")


def _ordered(bases: set[str]) -> tuple[str, ...]:
    return tuple(b for b in BASES if b in bases)


def inferred_bases(columns: set[str] | dict) -> tuple[str, ...]:
    """Bases the mapped canonical variables of a profile can provide."""
    mapped = set(columns)
    out = {b for var in mapped for b in COLUMN_BASES.get(var, ())}
    if all(p in mapped for p in _PARENTS):
        out.add("parents_country_of_birth")
    return _ordered(out)


def profile_bases(loaded) -> tuple[str, ...]:
    """The profile's declared `migratory_basis:` (checked against its columns, MHI540), or the
    bases inferred from its columns."""
    profile = loaded.profile
    inferred = inferred_bases(profile.columns)
    declared = profile.migratory_basis
    if declared is None:
        return inferred
    from mhindicators.errors import ProfileError

    problems = []
    for i, basis in enumerate(declared):
        if basis not in inferred:
            file, line, col = loaded.where("migratory_basis", i)
            problems.append(
                issue(
                    "MHI540",
                    f"migratory_basis '{basis}' is declared but no mapped column provides it "
                    f"(the columns provide: {', '.join(inferred) or 'none'})",
                    file,
                    line,
                    col,
                )
            )
    if problems:
        raise ProfileError("migratory basis not supported by the profile's columns", problems)
    return _ordered(set(declared))


def migratory_dimensions(ind) -> tuple[str, ...]:
    """The definition's disaggregation dimensions that are migratory (in its own order)."""
    dims = list(getattr(ind, "disaggregate_by", []) or [])
    return tuple(d for d in dims if d in DIMENSION_BASES)


def indicator_basis(ind) -> str:
    """The basis of the indicator's migratory dimension(s), `+`-joined ('' when it has none)."""
    needed = {b for d in migratory_dimensions(ind) for b in DIMENSION_BASES[d]}
    return "+".join(_ordered(needed))


def missing_bases(ind, supported: tuple[str, ...]) -> tuple[str, ...]:
    """Bases the indicator needs that the dataset does not support."""
    needed = {b for d in migratory_dimensions(ind) for b in DIMENSION_BASES[d]}
    return _ordered(needed - set(supported))


def explain_skip(reason: str, ind, supported: tuple[str, ...]) -> str:
    """A plan skip reason, completed with the missing migratory basis when that is the cause."""
    missing = missing_bases(ind, supported)
    if not missing:
        return reason
    by = " and ".join(supported)
    who = f"migrants identified by {by}" if by else "no migratory status in the data"
    return f"{reason} (no {' or '.join(missing)} basis; {who})"
