"""The migratory dimensions a definition can be disaggregated by, and what each is derived from
(shared by estimation, which finds the migratory groups, and harmonization, which checks bases)."""

from __future__ import annotations

#: migratory dimension of a definition -> the bases it is derived from.
DIMENSION_BASES: dict[str, tuple[str, ...]] = {
    "nativity": ("country_of_birth",),
    "citizenship_status": ("citizenship",),
    "migratory_status": ("country_of_birth", "citizenship"),
    "migrant_generation": ("country_of_birth", "parents_country_of_birth"),
    "years_since_arrival": ("year_of_arrival",),
    "duration_group": ("country_of_birth", "year_of_arrival"),
    "protection_status": ("protection_status",),
}
