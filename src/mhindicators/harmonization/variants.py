"""Helpers over resolved national variants (resolution itself: definitions/variants.py)."""

from __future__ import annotations

from mhindicators.definitions.model import Indicator


def reference_id(ind: Indicator) -> str:
    """The id of the reference definition: the base of a variant, else the indicator's own."""
    return ind.extends.id if ind.extends is not None else ind.id


def deviation_kinds(ind: Indicator) -> tuple[str, ...]:
    """The kinds of the indicator's declared deviations, sorted and unique."""
    return tuple(sorted({d.kind for d in ind.deviations}))
