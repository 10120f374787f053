"""Semantic diff of indicator definitions: typed changes, not changed lines.

Expressions are compared as normalised trees (`age >= 18` equals `18 <= age`; see
`mhindicators.expr.canonical`), lists of dimensions as sets, age groups, reference groups,
standardisation, units, interval methods and policies field by field. Every change carries a
deviation kind (the same controlled list variants declare) or `metadata` for documentation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mhindicators.definitions.catalog import Catalog
from mhindicators.definitions.model import Deviation, Indicator
from mhindicators.expr.canonical import canonical_text
from mhindicators.harmonization.kinds import MIGRATORY_VARIABLES, expression_kind

_EXPRESSIONS = {"universe": True, "numerator": True, "denominator": False, "value": False}
_METADATA = ("version", "name", "description", "theme", "notes", "country")


@dataclass(frozen=True)
class Change:
    """One semantic difference between definition A (old) and B (new)."""

    field: str
    kind: str
    old: Any
    new: Any
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "kind": self.kind,
            "old": _jsonable(self.old),
            "new": _jsonable(self.new),
            "sentence": self.sentence,
        }


@dataclass
class IndicatorDiff:
    """Changes from A to B with each side's declared deviations; when one side is a variant
    of the other, `variant` names it and `deviations` are its deviations."""

    a: str
    b: str
    changes: list[Change]
    variant: str | None = None  # id of the side that is a variant of the other
    deviations: list[Deviation] = field(default_factory=list)
    a_deviations: list[Deviation] = field(default_factory=list)
    b_deviations: list[Deviation] = field(default_factory=list)

    def declared(self, change: Change) -> list[Deviation]:
        """The variant's deviations that list the changed field."""
        return _listing(self.deviations, change)

    def declared_on(self, change: Change, side: str) -> list[Deviation]:
        """Side A's or B's own deviations (from its base) that list the changed field."""
        return _listing(self.a_deviations if side == "a" else self.b_deviations, change)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"a": self.a, "b": self.b, "variant": self.variant}
        out["changes"] = []
        for change in self.changes:
            item = change.to_dict()
            if self.variant is not None:
                item["declared"] = [d.model_dump() for d in self.declared(change)]
            item["declared_a"] = [d.model_dump() for d in self.declared_on(change, "a")]
            item["declared_b"] = [d.model_dump() for d in self.declared_on(change, "b")]
            out["changes"].append(item)
        if self.variant is not None:
            out["deviations"] = [d.model_dump() for d in self.deviations]
        out["a_deviations"] = [d.model_dump() for d in self.a_deviations]
        out["b_deviations"] = [d.model_dump() for d in self.b_deviations]
        return out


def _listing(deviations: list[Deviation], change: Change) -> list[Deviation]:
    top = change.field.split(".")[0]
    return [d for d in deviations if top in d.fields]


@dataclass
class CatalogDiff:
    """Indicators added, removed and changed between catalogue A and catalogue B, by id."""

    added: list[str]
    removed: list[str]
    changed: dict[str, IndicatorDiff]

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": {k: v.to_dict() for k, v in self.changed.items()},
        }


def diff_indicators(a: Indicator, b: Indicator) -> list[Change]:
    """The typed semantic changes from definition `a` to definition `b`."""
    out: list[Change] = []
    for name in _METADATA:
        old, new = getattr(a, name), getattr(b, name)
        if old != new:
            text = f"{name} differs" if name in ("description", "notes") else None
            out.append(_simple(name, "metadata", old, new, text))
    out += _framework(a, b)
    if a.source != b.source:
        out.append(_simple("source", "data_source_type", a.source, b.source))
    if a.estimator != b.estimator:
        out.append(_simple("estimator", "estimator", a.estimator, b.estimator))
    for name, condition in _EXPRESSIONS.items():
        change = _expression(name, getattr(a, name), getattr(b, name), condition)
        if change is not None:
            out.append(change)
    if a.missing != b.missing:
        out.append(_simple("missing", "method", a.missing, b.missing))
    for name in ("unit", "multiplier"):
        if getattr(a, name) != getattr(b, name):
            out.append(_simple(name, "unit", getattr(a, name), getattr(b, name)))
    out += _dimensions(a.disaggregate_by, b.disaggregate_by)
    out += _age_groups(a.age_groups, b.age_groups)
    out += _reference_group(a.reference_group or {}, b.reference_group or {})
    out += _standardize(a, b)
    out += _distribution(a, b)
    for name in ("reliability", "ci_method"):
        if getattr(a, name) != getattr(b, name):
            out.append(_simple(name, "method", getattr(a, name), getattr(b, name)))
    ext_a = (a.extends.id, a.extends.version) if a.extends else None
    ext_b = (b.extends.id, b.extends.version) if b.extends else None
    if ext_a != ext_b:
        out.append(Change("extends", "metadata", ext_a, ext_b, "extends a different base"))
    dev_a = [d.model_dump() for d in a.deviations]
    dev_b = [d.model_dump() for d in b.deviations]
    if dev_a != dev_b:
        text = "declared deviations differ"
        out.append(Change("deviations", "metadata", dev_a or None, dev_b or None, text))
    return out


def diff_pair(a: Indicator, b: Indicator) -> IndicatorDiff:
    """Diff two definitions; when one is a variant of the other, attach its deviations."""
    result = IndicatorDiff(a.id, b.id, diff_indicators(a, b))
    result.a_deviations, result.b_deviations = list(a.deviations), list(b.deviations)
    for variant, base in ((a, b), (b, a)):
        if variant.extends is not None and variant.extends.id == base.id:
            result.variant = variant.id
            result.deviations = list(variant.deviations)
            own = ("extends", "deviations")  # listed beside the changes instead
            result.changes = [c for c in result.changes if c.field not in own]
    return result


def diff_catalogs(a: Catalog, b: Catalog) -> CatalogDiff:
    """Indicators added (only in B), removed (only in A) and changed (in both), by id."""
    changed = {}
    for ident in sorted(set(a.indicators) & set(b.indicators)):
        result = diff_pair(a.indicators[ident], b.indicators[ident])
        if result.changes:
            changed[ident] = result
    return CatalogDiff(
        added=sorted(set(b.indicators) - set(a.indicators)),
        removed=sorted(set(a.indicators) - set(b.indicators)),
        changed=changed,
    )


def _expression(name: str, old: str | None, new: str | None, condition: bool) -> Change | None:
    if canonical_text(old, condition) == canonical_text(new, condition):
        return None
    kind = expression_kind(name, old, new, condition)
    shown_old = (
        f"`{old}`" if old is not None else "(none: everyone)" if name == "universe" else "(none)"
    )
    shown_new = (
        f"`{new}`" if new is not None else "(none: everyone)" if name == "universe" else "(none)"
    )
    return Change(name, kind, old, new, f"{name}: {shown_old} -> {shown_new}")


def _simple(name: str, kind: str, old: Any, new: Any, text: str | None = None) -> Change:
    return Change(name, kind, old, new, text or f"{name}: {_show(old)} -> {_show(new)}")


def _framework(a: Indicator, b: Indicator) -> list[Change]:
    out = []
    for name in ("sdg", "pillar"):
        old, new = getattr(a.framework, name), getattr(b.framework, name)
        if old != new:
            out.append(
                Change(f"framework.{name}", "metadata", old, new, f"framework.{name} differs")
            )
    old_refs = [r.citation for r in a.framework.references]
    new_refs = [r.citation for r in b.framework.references]
    if old_refs != new_refs:
        added = [r for r in new_refs if r not in old_refs]
        removed = [r for r in old_refs if r not in new_refs]
        text = f"references: {len(added)} added, {len(removed)} removed"
        out.append(Change("framework.references", "metadata", old_refs, new_refs, text))
    return out


def _dimensions(old: list[str], new: list[str]) -> list[Change]:
    if set(old) == set(new):
        return []
    added = [d for d in new if d not in old]
    removed = [d for d in old if d not in new]
    moved = set(added) | set(removed)
    kind = "migratory_status_basis" if moved & MIGRATORY_VARIABLES else "disaggregation"
    parts = [f"added {', '.join(added)}"] if added else []
    parts += [f"removed {', '.join(removed)}"] if removed else []
    return [Change("disaggregate_by", kind, old, new, f"disaggregate_by: {'; '.join(parts)}")]


def _age_groups(old: list | None, new: list | None) -> list[Change]:
    old_t = [tuple(b) for b in old] if old else None
    new_t = [tuple(b) for b in new] if new else None
    if old_t == new_t:
        return []
    kind = "age_range" if _span(old_t) != _span(new_t) else "disaggregation"
    text = f"age_groups: {_bands(old_t)} -> {_bands(new_t)}"
    return [Change("age_groups", kind, old_t, new_t, text)]


def _span(bands: list | None) -> tuple | None:
    if not bands:
        return None
    return bands[0][0], bands[-1][1]


def _bands(bands: list | None) -> str:
    if not bands:
        return "(none)"
    return ", ".join(f"{lo}-{hi}" if hi is not None else f"{lo}+" for lo, hi in bands)


def _reference_group(old: dict[str, str], new: dict[str, str]) -> list[Change]:
    if old == new:
        return []
    dims = set(old) | set(new)
    kind = "migratory_status_basis" if dims & MIGRATORY_VARIABLES else "disaggregation"
    text = f"reference_group: {_group(old)} -> {_group(new)}"
    return [Change("reference_group", kind, old or None, new or None, text)]


def _group(group: dict[str, str]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in group.items()) or "(none)"


def _standardize(a: Indicator, b: Indicator) -> list[Change]:
    old = a.standardize.model_dump() if a.standardize else None
    new = b.standardize.model_dump() if b.standardize else None
    if old == new:
        return []
    if old is None or new is None:
        return [_simple("standardize", "method", old, new)]
    return [_simple(f"standardize.{k}", "method", old[k], new[k]) for k in old if old[k] != new[k]]


def _distribution(a: Indicator, b: Indicator) -> list[Change]:
    """Quantile probability and rule, and the relative line key by key."""
    out = []
    if a.quantile != b.quantile:
        out.append(_simple("quantile", "estimator", a.quantile, b.quantile))
    if a.quantile_rule != b.quantile_rule:
        out.append(_simple("quantile_rule", "method", a.quantile_rule, b.quantile_rule))
    old = a.line.model_dump() if a.line else None
    new = b.line.model_dump() if b.line else None
    if old == new:
        return out
    if old is None or new is None:
        return [*out, _simple("line", "threshold", old, new)]
    for k in old:
        if old[k] != new[k]:
            kind = "method" if k == "quantile_rule" else "threshold"
            out.append(_simple(f"line.{k}", kind, old[k], new[k]))
    return out


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value
