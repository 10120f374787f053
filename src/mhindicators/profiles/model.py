"""Pydantic models of a dataset profile: how one national extract maps onto the vocabulary."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Scalar = str | int | float | bool
DatasetKind = Literal["survey", "events", "denominator"]
LonelyPSU = Literal["fail", "remove", "certainty", "adjust", "average"]
ReplicateType = Literal["JK1", "JKn", "BRR", "Fay", "bootstrap", "ACS", "successive-difference"]
FileType = Literal["csv", "parquet", "stata", "spss", "sas"]
MigratoryBasis = Literal[
    "country_of_birth",
    "citizenship",
    "parents_country_of_birth",
    "year_of_arrival",
    "protection_status",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Metadata(_Strict):
    """Who produced the extract, for which country and year."""

    country: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 reporting country.")
    year: int = Field(ge=1900, le=2100)
    source: str = Field(min_length=3, description="Name of the survey or register.")
    fieldwork: str | None = Field(
        None,
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?/\d{4}(-\d{2}(-\d{2})?)?$",
        description="Survey fieldwork period as an ISO 8601 interval, e.g. 2024-02/2024-07: "
        "the outputs' reference period (default: year).",
    )
    notes: str | None = None


class FileFormat(_Strict):
    """How to read the file; the type is inferred from the suffix when absent."""

    type: FileType | None = None
    delimiter: str = Field(",", min_length=1, max_length=1)
    encoding: str = "utf-8"
    value_labels: bool = Field(
        False, description="Stata/SPSS: replace codes by their value labels before recoding."
    )


class Replicates(_Strict):
    """Replicate weights, listed or matched by a regular expression, as R's svrepdesign."""

    columns: list[str] | None = None
    pattern: str | None = Field(None, max_length=200)
    type: ReplicateType
    scale: float | None = Field(None, gt=0)
    rscales: list[float] | None = None
    mse: bool | None = None
    rho: float | None = Field(None, ge=0, lt=1, description="Fay's rho (type Fay).")
    df: float | None = Field(None, gt=0, description="Degrees of freedom, if not from the rank.")

    @model_validator(mode="after")
    def _one_source(self) -> Replicates:
        if (self.columns is None) == (self.pattern is None):
            raise ValueError("give replicate weights as either `columns:` or `pattern:`")
        if self.type == "Fay" and self.rho is None:
            raise ValueError("type Fay needs `rho:` (e.g. 0.5)")
        return self


class Design(_Strict):
    """Sampling design: weight, strata, PSU, fpc, lonely-PSU policy, or replicate weights."""

    weight: str
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = Field(None, description="Population size or sampling fraction column.")
    nest: bool = Field(False, description="PSU ids repeat across strata; make them unique.")
    lonely_psu: LonelyPSU = "fail"
    replicates: Replicates | None = None


class Derivations(_Strict):
    """Built-in derivations of the migratory-status family (see docs/profiles.md)."""

    nativity: bool = True
    citizenship_status: bool = True
    migratory_status: bool = True
    migrant_generation: bool = True
    years_since_arrival: bool = True
    duration_thresholds: list[int] = Field(default_factory=lambda: [5, 10], min_length=1)
    reference_year: int | None = Field(None, description="Default: metadata.year.")


class Join(_Strict):
    """Another file of the same survey joined onto the main file on key columns."""

    path: str = Field(description="Relative to the profile's folder; must stay in the project.")
    on: list[str] = Field(min_length=1, description="Key columns, present in both files.")
    how: Literal["many_to_one", "one_to_one"] = Field(
        "many_to_one", description="many_to_one: each key once in this file (e.g. households)."
    )
    unmatched: Literal["error", "allow"] = Field(
        "error", description="Main-file rows without a match: an error, or kept with blanks."
    )
    format: FileFormat = Field(default_factory=FileFormat)


class Profile(_Strict):
    """A dataset profile."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{1,63}$")
    kind: DatasetKind = "survey"
    description: str | None = None
    metadata: Metadata
    format: FileFormat = Field(default_factory=FileFormat)
    columns: dict[str, str] = Field(description="canonical variable: raw column name")
    recode: dict[str, dict[Scalar, Scalar | None]] = Field(default_factory=dict)
    code_tables: dict[str, str] = Field(
        default_factory=dict,
        description="canonical variable: built-in code table; its `recode:` entries win.",
    )
    missing_codes: dict[str, list[Scalar]] = Field(default_factory=dict)
    derive: Derivations = Field(default_factory=Derivations)
    design: Design | None = None
    event_types: list[str] | None = Field(
        None,
        min_length=1,
        description="kind events: what the extract's records are, as codes of `event_type` "
        "(e.g. [death]); default: the targets of the `event_type` recode.",
    )
    denominator_type: str | None = Field(
        None,
        description="kind denominator: what the table counts (population, live_births, "
        "workers, person_years); default: the one denominator measure it maps.",
    )
    join: list[Join] = Field(
        default_factory=list, description="Further files joined onto the main file on keys."
    )
    migratory_basis: list[MigratoryBasis] | None = Field(
        None,
        description="Bases of migratory status the data supports (default: inferred from "
        "`columns`; see docs/multi-country.md).",
    )

    @model_validator(mode="after")
    def _design_for_surveys(self) -> Profile:
        if self.kind == "survey" and self.design is None:
            raise ValueError("a survey profile needs `design:` (at least `weight:`)")
        return self
