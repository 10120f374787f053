"""Pydantic models of an indicator definition (one YAML file = one Indicator)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from mhindicators.core.interval_methods import DEFINITION_METHODS

Estimator = Literal[
    "proportion",
    "mean",
    "ratio",
    "total",
    "count",
    "rate",
    "standardized_rate",
    "quantile",
    "below_line",
    "gini",
    "quintile_share_ratio",
]
#: R survey 4.1 `svyquantile` rules (docs/methods-distribution.md); math = hf1, school = hf2.
QuantileRule = Literal["math", "school", "hf1", "hf2", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9"]
Source = Literal["survey", "registry"]
Pillar = Literal["monitoring", "policy_legal", "health_systems", "partnerships"]
MissingPolicy = Literal["exclude", "as_false"]
if TYPE_CHECKING:
    CIMethod = str
else:  # the JSON Schema enum, in the registry's order (core/interval_methods.py)
    CIMethod = Literal[DEFINITION_METHODS]

#: unit -> multiplier applied to the estimate (percent: proportion x 100).
UNIT_MULTIPLIERS: dict[str, float] = {
    "percent": 100.0,
    "proportion": 1.0,
    "per_1000": 1_000.0,
    "per_10000": 10_000.0,
    "per_100000": 100_000.0,
    "per_100000_live_births": 100_000.0,
    "ratio": 1.0,
    "number": 1.0,
    "currency": 1.0,
    "years": 1.0,
}
Unit = Literal[
    "percent",
    "proportion",
    "per_1000",
    "per_10000",
    "per_100000",
    "per_100000_live_births",
    "ratio",
    "number",
    "currency",
    "years",
]

#: estimator -> the expression fields it needs, and those it must not have.
ESTIMATOR_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "proportion": (("numerator",), ("denominator", "value")),
    "mean": (("value",), ("numerator", "denominator")),
    "ratio": (("numerator", "denominator"), ("value",)),
    "total": (("value",), ("numerator", "denominator")),
    "count": (("numerator",), ("denominator", "value")),
    "rate": (("numerator", "denominator"), ("value",)),
    "standardized_rate": (("numerator", "denominator", "standardize"), ("value",)),
    "quantile": (("value", "quantile"), ("numerator", "denominator", "standardize")),
    "below_line": (("value", "line"), ("numerator", "denominator", "standardize")),
    "gini": (("value",), ("numerator", "denominator", "standardize")),
    "quintile_share_ratio": (("value",), ("numerator", "denominator", "standardize")),
}
#: fields only some distribution estimators use -> those estimators
DISTRIBUTION_FIELDS: dict[str, tuple[str, ...]] = {
    "quantile": ("quantile",),
    "quantile_rule": ("quantile", "quintile_share_ratio"),
    "line": ("below_line",),
}
DISTRIBUTION_ESTIMATORS = {"quantile", "below_line", "gini", "quintile_share_ratio"}
SURVEY_ESTIMATORS = {"proportion", "mean", "ratio", "total", "count"} | DISTRIBUTION_ESTIMATORS
REGISTRY_ESTIMATORS = {"count", "rate", "standardized_rate", "proportion"}

ID_PATTERN = r"^[a-z][a-z0-9_]{2,63}$"
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def _semver(value: str) -> str:
    if not SEMVER.match(value):
        raise ValueError(f"'{value}' is not a semantic version like 1.0.0")
    return value


SemVer = Annotated[str, AfterValidator(_semver)]
SDG_CODE = re.compile(r"^\d{1,2}\.[0-9a-c]{1,2}\.\d{1,2}$")

# The 2,000-character limit is the expression parser's (MHI206, located in the expression);
# the schema only documents it, so a long expression gets the documented code.
Expr = Annotated[str, Field(min_length=1, json_schema_extra={"maxLength": 2000})]

#: Controlled list of the ways a national variant may deviate from its reference definition
#: (meanings and examples: docs/harmonization.md).
DeviationKind = Literal[
    "population_coverage",
    "age_range",
    "recall_period",
    "reference_period",
    "threshold",
    "outcome_definition",
    "question_wording",
    "data_source_type",
    "migratory_status_basis",
    "estimator",
    "method",
    "unit",
    "disaggregation",
]
#: Fields a variant may override; each override must be explained by a deviation.
OverridableField = Literal[
    "source",
    "estimator",
    "universe",
    "numerator",
    "denominator",
    "value",
    "missing",
    "unit",
    "multiplier",
    "disaggregate_by",
    "age_groups",
    "reference_group",
    "standardize",
    "reliability",
    "ci_method",
    "quantile",
    "quantile_rule",
    "line",
    "favourable",
]
#: Documentation fields a variant may restate freely (reported by `mhi diff` as metadata).
DESCRIPTIVE_FIELDS = ("name", "description", "theme", "framework", "notes")
#: Keys that belong to the variant itself and are never inherited from the base.
OWN_FIELDS = ("id", "version", "extends", "country", "deviations")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Reference(_Strict):
    """A citation for the definition: title or document, optional URL and note."""

    citation: str = Field(min_length=3)
    url: str | None = None
    note: str | None = None


class Framework(_Strict):
    """Where the indicator comes from: SDG code, WHA 61.17 pillar, citations."""

    sdg: str | None = Field(None, description="SDG indicator code, e.g. 3.8.2; null if none.")
    pillar: Pillar = Field(description="Pillar of the WHA 61.17 operational framework.")
    references: list[Reference] = Field(min_length=1)

    @field_validator("sdg")
    @classmethod
    def _sdg_code(cls, value: str | None) -> str | None:
        if value is not None and not SDG_CODE.match(value):
            raise ValueError(f"'{value}' is not an SDG indicator code like 3.8.2")
        return value


class Standardize(_Strict):
    """Direct age standardisation against a named standard population."""

    by: Literal["age_group"] = "age_group"
    standard: str = Field(
        description="Standard population: a shipped one (who_world_2000_2025, esp_2013, "
        "us_2000) or a name the project file gives under `standard_populations:`."
    )


class RelativeLine(_Strict):
    """A line fixed from the data: `share` x the `quantile` of the value over the universe."""

    share: float = Field(gt=0, description="Multiple of the quantile, e.g. 0.6 (60 %).")
    quantile: float = Field(
        0.5, gt=0, lt=1, description="Probability of the quantile; 0.5 = the median."
    )
    quantile_rule: QuantileRule = Field(
        "school",
        description="Rule for the quantile (R survey `qrule`); `school` is the EU-SILC "
        "weighted median (average of the two middle values on an exact tie).",
    )
    of: Expr | None = Field(
        None,
        description="The variable whose quantile sets the line, when it is not the value "
        "compared with it (e.g. consumption before out-of-pocket spending, while the value is "
        "consumption net of it); rows where it is missing leave the universe.",
    )


class Extends(_Strict):
    """The reference definition a national variant extends: its id and exact version."""

    id: str = Field(pattern=ID_PATTERN, description="Id of the reference definition.")
    version: SemVer = Field(description="Exact version of the reference definition, e.g. 1.0.0.")


class Deviation(_Strict):
    """One declared difference of a variant from its reference definition."""

    kind: DeviationKind = Field(description="Kind of deviation (docs/harmonization.md).")
    fields: list[OverridableField] = Field(
        default_factory=list,
        description="The overridden fields this deviation explains; may be empty for "
        "question_wording, data_source_type and migratory_status_basis.",
    )
    note: str = Field(min_length=3, description="What differs and why, for the reader.")


class Indicator(_Strict):
    """An indicator definition; the file name must equal its id."""

    id: str = Field(pattern=ID_PATTERN, description="Stable unique id; the file is `<id>.yaml`.")
    version: SemVer = Field(description="Semantic version of the definition, e.g. 1.0.0.")
    name: str = Field(min_length=3, max_length=200)
    description: str = Field(min_length=10)
    theme: str | None = Field(None, description="Catalogue theme (usually the folder name).")
    framework: Framework
    source: Source = Field(description="survey (microdata with a design) or registry (events).")
    event_types: list[str] | None = Field(
        None,
        min_length=1,
        description="Registry (required): what the records it is computed over are, as codes "
        "of `event_type` (e.g. [death]). It runs only on registers whose profile declares "
        "records of these types (docs/profiles.md); a rate's denominator type is the "
        "denominator measure its `denominator:` names.",
    )
    estimator: Estimator
    universe: Expr | None = Field(
        None, description="Condition defining the population of interest; absent = everyone."
    )
    numerator: Expr | None = Field(
        None, description="Condition (proportion, count, rate) or value (ratio)."
    )
    denominator: Expr | None = Field(
        None, description="Value summed for ratios; for rates the denominator measure."
    )
    value: Expr | None = Field(None, description="Numeric value for mean, total and quantile.")
    quantile: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="Quantile estimator: the probability, strictly between 0 and 1 "
        "(0.5 = the median).",
    )
    quantile_rule: QuantileRule | None = Field(
        None,
        description="Quantile and quintile_share_ratio estimators: how a weighted quantile "
        "is read off the weighted distribution, as R survey `svyquantile(qrule = )`; "
        "default `math` for quantile, `school` (EU-SILC) for quintile_share_ratio.",
    )
    line: RelativeLine | None = Field(
        None,
        description="below_line estimator: the line, a share of a quantile of the value "
        "computed once over the whole universe (national), then applied to every domain.",
    )
    missing: MissingPolicy = Field(
        "exclude",
        description="Rows in the universe whose outcome is missing: `exclude` removes them "
        "from the denominator (counted and reported); `as_false` counts them as not meeting "
        "the numerator (for `mean` and `total`: as the value 0, e.g. no spending recorded). "
        "Ratios always leave out rows whose numerator or denominator is missing.",
    )
    unit: Unit
    multiplier: float | None = Field(
        None, description="Must agree with the unit when given (percent = 100)."
    )
    disaggregate_by: list[str] = Field(
        default_factory=lambda: ["migratory_status", "sex", "age_group"],
        description="Dimensions of the output table; every margin (_T) is produced too.",
    )
    age_groups: list[tuple[int, int | None]] | None = Field(
        None,
        description="Age bands [lower, upper] in completed years, upper inclusive; "
        "null upper = open-ended.",
    )
    reference_group: dict[str, str] | None = Field(
        None,
        description="The group every other group is contrasted with, "
        "e.g. {migratory_status: native_born_citizen}.",
    )
    standardize: Standardize | None = None
    favourable: Literal["higher", "lower"] | None = Field(
        None,
        description="Which direction of the indicator is better for health (HEAT's "
        "favourable_indicator): `higher` (coverage, vaccination) or `lower` (unmet need, "
        "mortality). Inequality measures that need a direction (MDBU/MDBW, the sign "
        "convention of PAF/PAR) are reported not applicable when it is missing.",
    )
    reliability: str | None = Field(
        None, description="Reliability policy name; default from project."
    )
    ci_method: CIMethod | None = Field(None, description="Interval method; default per estimator.")
    notes: str | None = None
    extends: Extends | None = Field(
        None,
        description="National variant: the reference definition (id, exact version) this "
        "file extends; the file then holds only the fields that differ.",
    )
    country: str | None = Field(
        None,
        pattern=r"^[A-Z]{3}$",
        description="ISO 3166-1 alpha-3 code of the country a variant is for.",
    )
    deviations: list[Deviation] = Field(
        default_factory=list,
        description="Variants: every overridden field explained by a typed deviation.",
    )

    @field_validator("disaggregate_by")
    @classmethod
    def _unique_dims(cls, dims: list[str]) -> list[str]:
        seen = [d for i, d in enumerate(dims) if d in dims[:i]]
        if seen:
            raise ValueError(f"dimension '{seen[0]}' is listed twice")
        return dims

    @model_validator(mode="after")
    def _fields_for_estimator(self) -> Indicator:
        required, forbidden = ESTIMATOR_FIELDS[self.estimator]
        missing = [f for f in required if getattr(self, f) is None]
        if missing:
            raise ValueError(
                f"estimator '{self.estimator}' needs {', '.join(missing)}; add "
                + " and ".join(f"`{f}:`" for f in missing)
            )
        extra = [f for f in forbidden if getattr(self, f) is not None]
        if extra:
            raise ValueError(
                f"estimator '{self.estimator}' does not use {', '.join(extra)}; remove it "
                f"or change the estimator"
            )
        stray = [
            f
            for f, users in DISTRIBUTION_FIELDS.items()
            if getattr(self, f) is not None and self.estimator not in users
        ]
        if stray:
            users = sorted({u for f in stray for u in DISTRIBUTION_FIELDS[f]})
            raise ValueError(
                f"estimator '{self.estimator}' does not use {', '.join(stray)} (only "
                f"{', '.join(users)} do); remove it or change the estimator"
            )
        allowed = SURVEY_ESTIMATORS if self.source == "survey" else REGISTRY_ESTIMATORS
        if self.estimator not in allowed:
            raise ValueError(
                f"estimator '{self.estimator}' is not available for {self.source} indicators "
                f"(use one of {', '.join(sorted(allowed))})"
            )
        return self

    @property
    def line_of(self) -> str | None:
        """The expression whose quantile sets a relative line, when not the value."""
        return self.line.of if self.line is not None else None

    @property
    def effective_multiplier(self) -> float:
        return self.multiplier if self.multiplier is not None else UNIT_MULTIPLIERS[self.unit]
