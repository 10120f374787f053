"""Composite score definitions as data: items, scoring scales, domains, roll-up, missing rule,
bands. Loaded with located errors like every other YAML file of mhi."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mhindicators.errors import DefinitionError
from mhindicators.issues import define, issue
from mhindicators.schema_errors import SchemaCodes, load_model
from mhindicators.yamlsource import SourceDoc

define(
    "MHI810",
    "composite-invalid",
    "error",
    "A composite definition does not satisfy its schema.",
    "See docs/policy.md#composite-definitions.",
)
define("MHI811", "composite-unknown-key", "error", "A key is not part of the composite schema.",
       "Remove the key or fix its spelling; see docs/policy.md.")  # fmt: skip
define("MHI812", "composite-missing-key", "error", "A required composite key is missing.",
       "Add the key; see docs/policy.md.")  # fmt: skip
define("MHI813", "composite-wrong-type", "error", "A composite value has the wrong type.",
       "See docs/policy.md.")  # fmt: skip
define("MHI814", "composite-bad-choice", "error", "A composite value is not an allowed choice.",
       "Use one of the listed choices.")  # fmt: skip
define(
    "MHI815",
    "composite-weights-sum",
    "error",
    "The domain weights of a composite do not add up to the declared `weights_sum`.",
    "Fix the weights or `weights_sum` (they must agree to 1e-9).",
)
define(
    "MHI816",
    "composite-inconsistent",
    "error",
    "A composite names an unknown scale or domain, repeats an item, or has unordered bands.",
    "Every domain's `scale` must be a key of `scales:`, items unique, bands by rising `from`.",
)
_CODES = SchemaCodes("MHI810", "MHI811", "MHI812", "MHI813", "MHI814")

Overall = Literal["mean_of_items", "mean_of_domains", "weighted_mean_of_domains", "min_of_domains",
                  "geometric_mean_of_domains"]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Domain(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
    name: str
    scale: str = Field(description="Key of `scales:` scoring this domain's items.")
    items: list[str] = Field(min_length=1, description="Item codes = columns of the table.")


class Band(_Strict):
    code: int
    label: str
    min: float = Field(alias="from", description="Lowest overall score of the band.")


class Missing(_Strict):
    rule: Literal["mean_of_answered", "no_score"] = Field(
        description="mean_of_answered: scores average the answered items; no_score: a domain "
        "with a missing item has no score."
    )
    min_share: float = Field(
        0.0, ge=0, le=1, description="mean_of_answered: answered share of a domain's applicable "
        "items below which the domain has no score."
    )  # fmt: skip


class Reference(_Strict):
    citation: str
    url: str | None = None


class Composite(_Strict):
    """A composite score over a policy table."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    version: str
    name: str
    description: str
    references: list[Reference] = Field(min_length=1)
    scales: dict[str, dict[str, float]] = Field(
        description="scale name: {answer code (quoted): item score}."
    )
    not_applicable: list[str] = Field(
        default_factory=list, description="Answer codes meaning 'not applicable': left out."
    )
    multiplier: float = Field(1.0, gt=0, description="Scores are item means x multiplier.")
    domains: list[Domain] = Field(min_length=1)
    overall: Overall
    weights: dict[str, float] | None = None
    weights_sum: float | None = None
    missing: Missing
    bands: list[Band] = Field(default_factory=list)
    alternative_weights: dict[str, dict[str, float]] | None = Field(
        None, description="Sensitivity analysis: named alternative domain weights."
    )

    @model_validator(mode="after")
    def _weights_declared(self) -> Composite:
        if self.overall == "weighted_mean_of_domains" and (
            self.weights is None or self.weights_sum is None
        ):
            raise ValueError("weighted_mean_of_domains needs `weights:` and `weights_sum:`")
        return self

    @property
    def items(self) -> list[str]:
        return [i for d in self.domains for i in d.items]


def load_composite(path: str | Path) -> Composite:
    """Load and check a composite definition; DefinitionError with located issues."""
    model, doc = load_model(path, Composite, _CODES, DefinitionError)
    found = consistency_issues(model, doc)
    if found:
        raise DefinitionError(f"invalid composite {path}", found)
    return model


def consistency_issues(c: Composite, doc: SourceDoc) -> list:
    out = []

    def at(where: tuple, code: str, msg: str) -> None:
        line, col = doc.locate(where)
        out.append(issue(code, msg, str(doc.path), line, col))

    seen: set[str] = set()
    for i, d in enumerate(c.domains):
        if d.scale not in c.scales:
            at(("domains", i, "scale"), "MHI816", f"domain {d.id}: unknown scale '{d.scale}'")
        for j, item in enumerate(d.items):
            if item in seen:
                at(("domains", i, "items", j), "MHI816", f"item {item} is listed twice")
            seen.add(item)
    ids = [d.id for d in c.domains]
    if c.weights is not None:
        if set(c.weights) != set(ids):
            at(("weights",), "MHI816", f"weights must name every domain ({', '.join(ids)})")
        total = sum(c.weights.values())
        if c.weights_sum is not None and abs(total - c.weights_sum) > 1e-9:
            msg = f"weights add up to {total:g}, not the declared weights_sum {c.weights_sum:g}"
            at(("weights",), "MHI815", msg)
    for name, alt in (c.alternative_weights or {}).items():
        if set(alt) != set(ids) or sum(alt.values()) <= 0:
            msg = f"alternative weights {name} must give every domain ({', '.join(ids)}) a weight"
            at(("alternative_weights", name), "MHI816", msg)
    starts = [b.min for b in c.bands]
    if starts != sorted(set(starts)):
        at(("bands",), "MHI816", "bands must be listed by strictly rising `from`")
    return out
