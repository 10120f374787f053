"""The canonical vocabulary: variables, their types and code lists, shipped as data.

Projects extend it with their own YAML files of the same schema (`vocabulary:` in mhi.yaml).
"""

from __future__ import annotations

import csv
import difflib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mhindicators.errors import DefinitionError
from mhindicators.issues import define
from mhindicators.schema_errors import SchemaCodes, load_model

define(
    "MHI120",
    "vocabulary-invalid",
    "error",
    "A vocabulary file does not follow the schema.",
    "See docs/vocabulary.md for the variable schema.",
)

_CODES = SchemaCodes("MHI120", "MHI120", "MHI120", "MHI120", "MHI120")

VarType = Literal["categorical", "boolean", "integer", "number"]
Role = Literal["dimension", "core", "outcome", "design", "denominator"]
TOTAL_CODE = "_T"


class Variable(BaseModel):
    """One canonical variable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    type: VarType
    role: Role
    description: str
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    codes: dict[str, str] | None = None
    code_list: Literal["iso3166_alpha3"] | None = None
    extra_codes: dict[str, str] = Field(default_factory=dict)
    open: bool = False

    @property
    def is_categorical(self) -> bool:
        return self.type == "categorical"

    def allowed_codes(self) -> frozenset[str] | None:
        """The closed set of valid codes, or None when the list is open or not categorical."""
        if not self.is_categorical or self.open:
            return None
        codes = set(self.codes or {})
        if self.code_list:
            codes |= set(code_list(self.code_list))
        return frozenset(codes | set(self.extra_codes))


class _VocabFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    variables: dict[str, Variable]


class Vocabulary:
    """Variables by name, with lookup helpers used by the expression checker and the rules."""

    def __init__(self, variables: dict[str, Variable]) -> None:
        self.variables = dict(variables)

    def __contains__(self, name: object) -> bool:
        return name in self.variables

    def __getitem__(self, name: str) -> Variable:
        return self.variables[name]

    def get(self, name: str) -> Variable | None:
        return self.variables.get(name)

    def suggest(self, name: str) -> str | None:
        """Closest known variable name, for did-you-mean hints."""
        match = difflib.get_close_matches(name, list(self.variables), n=1, cutoff=0.6)
        return match[0] if match else None

    def extended(self, path: Path | str) -> Vocabulary:
        """A new vocabulary with the variables of a project file added (or overridden)."""
        return Vocabulary({**self.variables, **_read_file(Path(path))})

    def dimensions(self) -> list[str]:
        return [n for n, v in self.variables.items() if v.role == "dimension"]


@cache
def code_list(name: str) -> dict[str, str]:
    """A shipped code list as {code: label}."""
    with resources.files(__package__).joinpath(f"data/{name}.csv").open(encoding="utf-8") as fh:
        return {row["alpha3"]: row["name"] for row in csv.DictReader(fh)}


def _read_file(path: Path) -> dict[str, Variable]:
    parsed, _ = load_model(path, _VocabFile, _CODES, DefinitionError)
    return {name: var.model_copy(update={"name": name}) for name, var in parsed.variables.items()}


@cache
def default_vocabulary() -> Vocabulary:
    """The vocabulary shipped with mhi (variables.yaml + outcomes.yaml)."""
    base = resources.files(__package__).joinpath("data")
    variables: dict[str, Variable] = {}
    for name in ("variables.yaml", "outcomes.yaml"):
        with resources.as_file(base.joinpath(name)) as path:
            variables.update(_read_file(path))
    return Vocabulary(variables)
