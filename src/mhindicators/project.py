"""The project file (mhi.yaml): definitions, datasets with their profiles, output settings."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mhindicators.errors import ProfileError, UsageError
from mhindicators.issues import define, issue, quote
from mhindicators.schema_errors import SchemaCodes, load_model
from mhindicators.yamlsource import SourceDoc

if TYPE_CHECKING:
    from mhindicators.vocabulary import Vocabulary

define(
    "MHI320",
    "project-invalid",
    "error",
    "The project file does not satisfy its schema.",
    "See docs/project-file.md.",
)
define(
    "MHI321",
    "project-unknown-key",
    "error",
    "A key is not part of the project-file schema.",
    "Remove the key or fix its spelling; see docs/project-file.md.",
)
define(
    "MHI322",
    "project-missing-key",
    "error",
    "A required project-file key is missing.",
    "Add the key; see docs/project-file.md.",
)
define(
    "MHI323",
    "project-wrong-type",
    "error",
    "A project-file value has the wrong type.",
    "See docs/project-file.md.",
)
define(
    "MHI324",
    "project-bad-choice",
    "error",
    "A project-file value is not an allowed choice.",
    "Use one of the listed choices.",
)
define(
    "MHI325",
    "path-escapes-project",
    "error",
    "A path in the project file points outside the project folder or does not exist.",
    "Use paths relative to the folder of mhi.yaml, inside it.",
)

define(
    "MHI326",
    "unknown-dataset-indicator",
    "error",
    "A dataset's `indicators:` list names an id that is not in the catalogue.",
    "Run `mhi list` for the ids, or remove the entry.",
)

define(
    "MHI352",
    "output-escapes-project",
    "error",
    "The project's `output.dir` is absolute, climbs out of the project folder with `..`, or "
    "leads out of it through a symlink.",
    "Use a folder inside the project (e.g. `out`), or give any folder with --out.",
)

_CODES = SchemaCodes("MHI320", "MHI321", "MHI322", "MHI323", "MHI324")
DEFAULT_PROJECT = Path("mhi.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileRef(_Strict):
    """A data file and the profile that maps it."""

    path: str
    profile: str


class DatasetSpec(_Strict):
    """A survey extract (path + profile), a registry (events + denominator) or a policy table
    (path + profile; one record per country, counted like an events extract)."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
    kind: Literal["survey", "registry", "policy"] = "survey"
    path: str | None = None
    profile: str | None = None
    events: FileRef | None = None
    denominator: FileRef | None = None
    indicators: list[str] | None = Field(
        None, description="Only these indicator ids on this dataset (default: all that apply)."
    )
    country: str | None = Field(
        None,
        pattern=r"^[A-Z]{3}$",
        description="ISO 3166-1 alpha-3 (default: the profile's metadata.country; must agree).",
    )
    period: str | int | None = Field(
        None, description="Reference period of the results (default: the profile's metadata.year)."
    )
    composites: list[str] | None = Field(
        None, description="kind policy: composite definition files scored on the table."
    )

    @model_validator(mode="before")
    @classmethod
    def _policy_as_events(cls, data):
        # A policy table is read as the events extract of a registry without a denominator.
        policy = isinstance(data, dict) and data.get("kind") == "policy" and "events" not in data
        if policy and data.get("path") is not None and data.get("profile") is not None:
            data = {**data, "events": {"path": data["path"], "profile": data["profile"]}}
        return data

    @model_validator(mode="after")
    def _shape(self) -> DatasetSpec:
        if self.kind in ("survey", "policy") and (self.path is None or self.profile is None):
            raise ValueError(f"a {self.kind} dataset needs `path:` and `profile:`")
        if self.kind == "policy" and self.denominator is not None:
            raise ValueError("a policy dataset has no `denominator:`")
        if self.kind == "registry" and self.events is None:
            raise ValueError("a registry dataset needs `events:` (path + profile)")
        return self


OutputFormat = Literal["parquet", "csv", "sdmx-csv", "xlsx"]
DEFAULT_OUTPUT_FORMATS: tuple[OutputFormat, ...] = ("parquet", "csv")


class Output(_Strict):
    dir: str = "out"
    formats: list[OutputFormat] = Field(default_factory=lambda: list(DEFAULT_OUTPUT_FORMATS))
    rounding: dict[str, int] = Field(
        default_factory=dict,
        description="CSV decimals per unit, e.g. {percent: 1, per_100000: 1} (docs/outputs.md).",
    )
    license: str | None = Field(
        "CC-BY-4.0",
        pattern=r"^[A-Za-z0-9.+-]{1,64}$",
        description="SPDX licence id of the published tables (datapackage.json); null: none.",
    )
    sdmx: dict[str, str] = Field(
        default_factory=dict,
        description="SDMX-CSV dataflow: {agency: MHI, dataflow: DF_MIGRANT_HEALTH, version: "
        "1.0.0} (docs/outputs.md).",
    )


class Reliability(_Strict):
    """Policies applied to every estimate whose estimator they apply to (see reliability.md)."""

    survey: list[str] = Field(
        default_factory=lambda: ["nchs-proportions-2017", "dhs", "nchs-counts-rates-2023"]
    )
    registry: list[str] = Field(
        default_factory=lambda: ["nchs-counts-rates-2023", "phe-dsr", "small-counts"]
    )


class Comparison(_Strict):
    """Cross-country tables of a multi-country project (docs/multi-country.md)."""

    aggregate: bool = Field(True, description="Population-weighted multi-country aggregates.")
    members: list[str] | None = Field(
        None, description="ISO3 countries the aggregate should cover; a missing one is flagged."
    )
    name: str = Field("AGG", pattern=r"^[A-Z0-9_]{2,16}$", description="Code of the aggregate.")

    @field_validator("members")
    @classmethod
    def _iso3(cls, value: list[str] | None) -> list[str] | None:
        for code in value or []:
            if not re.fullmatch(r"[A-Z]{3}", code):
                raise ValueError(f"{quote(code, 20)} is not an ISO 3166-1 alpha-3 code")
        return value


class Disclosure(_Strict):
    """Secondary suppression of tables published with margins (docs/outputs.md)."""

    secondary: Literal["none", "milp"] = "none"
    protection: float = Field(3.0, gt=0, description="Protection level of a confidential cell.")
    time_limit: float = Field(120.0, gt=0, description="Seconds the solver may take per table.")


class ComputeSettings(_Strict):
    """How survey datasets are read and reduced (docs/scale.md)."""

    batch_rows: int | None = Field(
        None,
        ge=0,
        description="Read survey data in batches of this many rows and add up their "
        "statistics (memory bounded by the batch, not the file); 0 or unset: all rows at once.",
    )
    scheduler: str | None = Field(
        None,
        min_length=1,
        description="Run survey datasets' partitions on Dask: a scheduler address "
        "(tcp://host:8786) or 'local' for a local cluster; unset: in this process.",
    )


class ProjectModel(_Strict):
    """Schema of mhi.yaml."""

    name: str | None = None
    root: str | None = Field(
        None,
        pattern=r"^\.\.(/\.\.)*$",
        description="An ancestor folder ('..', '../..') that paths may reach; default: the "
        "project file's folder.",
    )
    definitions: list[str] = Field(default_factory=lambda: ["indicator_defs"])
    vocabulary: list[str] = Field(default_factory=list)
    datasets: list[DatasetSpec] = Field(default_factory=list)
    output: Output = Field(default_factory=Output)
    reliability: Reliability = Field(default_factory=Reliability)
    comparison: Comparison = Field(default_factory=Comparison)
    disclosure: Disclosure = Field(default_factory=Disclosure)
    confidence_level: float = Field(0.95, gt=0.5, lt=1)
    ci_method: str = Field("logit", description="Default CI method for survey proportions.")
    compute: ComputeSettings = Field(default_factory=ComputeSettings)
    standard_populations: dict[str, str] = Field(
        default_factory=dict,
        description="User-supplied standard populations: name -> CSV (band,lower,upper,weight).",
    )

    @field_validator("standard_populations")
    @classmethod
    def _standard_names(cls, value: dict[str, str]) -> dict[str, str]:
        shipped = _shipped_standards()
        for name in value:
            if not _STANDARD_NAME.fullmatch(name):
                raise ValueError(f"name '{name}' must be lower-case letters, digits and _")
            if name in shipped:
                raise ValueError(f"'{name}' is a standard shipped with mhi; choose another name")
        return value


_STANDARD_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _shipped_standards() -> set[str]:
    return {p.stem for p in (Path(__file__).parent / "stdpop").glob("*.csv")}


@dataclass(frozen=True)
class Project:
    """A loaded project: the model plus its folder (all paths resolve inside it)."""

    model: ProjectModel
    root: Path
    doc: SourceDoc | None = None
    trusted: frozenset[str] = frozenset()  # absolute paths given on the command line

    @property
    def boundary(self) -> Path:
        """The folder every project path must stay in: the project file's folder, or the
        ancestor named by `root:`."""
        return (self.root / (self.model.root or ".")).resolve()

    def _boundary_name(self) -> str:
        return "the project folder" if self.model.root is None else f"root {self.model.root}"

    def vocabulary(self) -> Vocabulary:
        """The default vocabulary extended by the project's `vocabulary:` files."""
        from mhindicators.vocabulary import default_vocabulary

        vocab = default_vocabulary()
        for i, extra in enumerate(self.model.vocabulary):
            vocab = vocab.extended(self.resolve(extra, "vocabulary", i))
        return vocab

    def standards(self) -> dict[str, Path]:
        """The project's standard populations: name -> existing CSV path inside the project."""
        return {
            name: self.resolve(path, "standard_populations", name)
            for name, path in self.model.standard_populations.items()
        }

    def resolve(self, relative: str, *where: str | int) -> Path:
        """An existing path inside the project folder; ProfileError (located) otherwise.

        Paths given on the command line (`trusted`) may be anywhere, but must exist.
        """
        if relative in self.trusted:
            if not Path(relative).exists():
                raise UsageError(
                    f"path {relative} does not exist",
                    [issue("MHI901", f"path does not exist: {relative}", relative)],
                )
            return Path(relative)
        why = _escape(self.root, relative, self.boundary, self._boundary_name())
        path = self.root / relative
        if why is None:
            path = path.resolve()
            why = None if path.exists() else "does not exist"
        if why is not None:
            line, col = self.doc.locate(tuple(where)) if self.doc else (0, 0)
            file = self.doc.path if self.doc else ""
            raise ProfileError(
                f"path {relative} {why}",
                [issue("MHI325", f"path {quote(str(relative))} {why}", file, line, col)],
            )
        return path

    def output_dir(self) -> Path:
        """The project's `output.dir`, confined to the project folder (MHI352).

        It may not exist yet; it may not be absolute, climb out with `..`, or lead out
        through a symlink. `--out` on the command line is not checked: that is the user's choice.
        """
        relative = self.model.output.dir
        why = (
            "is absolute"
            if Path(relative).is_absolute()
            else _escape(self.root, relative, self.boundary, self._boundary_name())
        )
        if why is not None:
            line, col = self.doc.locate(("output", "dir")) if self.doc else (0, 0)
            msg = f"output folder '{relative}' {why}; outputs stay inside the project"
            raise ProfileError(
                msg, [issue("MHI352", msg, self.doc.path if self.doc else "", line, col)]
            )
        return self.root / relative

    def rounding(self) -> dict[str, int]:
        """The CSV rounding rule (decimals per unit); OutputError (MHI700) located on a bad one."""
        from mhindicators.outputs.rounding import rounding_rule

        def where(unit: str) -> tuple[str, int, int]:
            if self.doc is None:
                return "", 0, 0
            line, col = self.doc.locate(("output", "rounding", unit), prefer_key=True)
            return self.doc.path, line, col

        return rounding_rule(self.model.output.rounding, where)

    def sdmx(self):
        """The SDMX-CSV dataflow options; OutputError (MHI701) located on a bad id."""
        from mhindicators.outputs.sdmx_csv import sdmx_options

        known = {"agency", "dataflow", "version"}
        extra = sorted(set(self.model.output.sdmx) - known)
        if extra:
            line, col = self.doc.locate(("output", "sdmx", extra[0]), True) if self.doc else (0, 0)
            msg = f"output.sdmx has no key {quote(extra[0], 40)} (use agency, dataflow, version)"
            raise ProfileError(
                msg, [issue("MHI321", msg, self.doc.path if self.doc else "", line, col)]
            )

        def where(key: str) -> tuple[str, int, int]:
            if self.doc is None:
                return "", 0, 0
            line, col = self.doc.locate(("output", "sdmx", key))
            return self.doc.path, line, col

        return sdmx_options(self.model.output.sdmx, where)


def _escape(
    root: Path, relative: str, boundary: Path | None = None, name: str = "the project folder"
) -> str | None:
    """Why `relative` (taken from `root`) leads outside `boundary` (default `root`, described
    as `name` in the message), or None if it stays inside."""
    top = (boundary or root).resolve()
    try:
        if _inside((root / relative).resolve(), top):
            return None
    except RuntimeError:  # Python < 3.13 raises on a symlink loop
        return "goes through a symlink loop"
    if _inside(Path(os.path.normpath(root.resolve() / relative)), top):
        link = root
        for part in Path(relative).parts:  # the path is inside on paper: a symlink leads out
            link = link / part
            if link.is_symlink() and not _inside(link.resolve(), top):
                return (
                    f"goes through the symlink {quote(str(link.relative_to(root)))} -> "
                    f"{quote(os.readlink(link))}, "
                    f"which leads outside {name}"
                )
    return f"is outside {name}"


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def load_project(path: Path | str = DEFAULT_PROJECT) -> Project:
    """Read mhi.yaml; ProfileError lists every problem, located."""
    path = Path(path)
    model, doc = load_model(path, ProjectModel, _CODES, ProfileError)
    return Project(model, path.parent if str(path.parent) else Path("."), doc)


def project_with_overrides(
    project_file: Path | None,
    *,
    definitions: list[Path] | None = None,
    data: Path | None = None,
    profile: Path | None = None,
) -> Project:
    """The project file (or defaults when absent) with command-line overrides applied.

    Overriding paths are taken relative to the current directory and may lie anywhere.
    """
    if project_file is not None and project_file.exists():
        project = load_project(project_file)
    elif project_file is not None and project_file != DEFAULT_PROJECT:
        raise UsageError(
            f"project file {project_file} does not exist",
            [issue("MHI901", f"path does not exist: {project_file}", str(project_file))],
        )
    else:
        project = Project(ProjectModel(), Path("."), None)
    updates: dict = {}
    trusted: set[str] = set()
    if definitions:
        updates["definitions"] = [str(Path(p).resolve()) for p in definitions]
        trusted |= set(updates["definitions"])
    if (data is None) != (profile is None):
        raise UsageError(
            "--data and --profile go together",
            [issue("MHI903", "--data and --profile must be given together")],
        )
    if data is not None and profile is not None:
        spec = DatasetSpec(
            id=Path(data).stem.replace(" ", "_"),
            kind="survey",
            path=str(Path(data).resolve()),
            profile=str(Path(profile).resolve()),
        )
        updates["datasets"] = [spec]
        trusted |= {spec.path or "", spec.profile or ""}
    if not updates:
        return project
    return Project(
        project.model.model_copy(update=updates), project.root, project.doc, frozenset(trusted)
    )
