"""The catalogue: validated definitions by id, and the `validate` entry point."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mhindicators.definitions.loader import (
    LoadedDefinition,
    find_definition_files,
    load_definition,
)
from mhindicators.definitions.model import Indicator
from mhindicators.definitions.rules import KnownNames, check_definition, duplicate_ids
from mhindicators.definitions.variants import resolve_variants
from mhindicators.errors import DefinitionError
from mhindicators.issues import Issue, Report
from mhindicators.vocabulary import Vocabulary, default_vocabulary


@dataclass
class Catalog:
    """Indicators by id, each with the file it came from."""

    indicators: dict[str, Indicator] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, ident: object) -> bool:
        return ident in self.indicators

    def get(self, ident: str) -> Indicator:
        """The indicator with this id; KeyError names close matches."""
        try:
            return self.indicators[ident]
        except KeyError:
            from difflib import get_close_matches

            close = get_close_matches(ident, list(self.indicators), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise KeyError(f"no indicator '{ident}' in the catalogue{hint}") from None


def _known_names(extra_standards: Mapping[str, Path]) -> KnownNames:
    """Shipped (and project-supplied) standard populations and shipped policies, by name
    (no pandas import needed)."""
    package = Path(__file__).resolve().parents[1]
    standards = sorted(p.stem for p in (package / "stdpop").glob("*.csv"))
    standards += [s for s in extra_standards if s not in standards]
    policies = sorted(p.stem for p in (package / "pipeline" / "policies").glob("*.yaml"))
    return KnownNames(standards, policies, extra_standards)


def check_paths(
    paths: Sequence[Path | str],
    vocabulary: Vocabulary | None = None,
    standards: Mapping[str, Path] | None = None,
) -> tuple[Catalog, Report]:
    """Load and check every definition under `paths`; return the valid ones and all issues.

    National variants (`extends:`) are resolved against the reference definitions loaded in
    the same call. standards: user-supplied standard populations (name -> CSV), e.g. a
    project's.
    """
    files, problems = find_definition_files([Path(p) for p in paths])
    loaded, issues = check_files(files, vocabulary, standards)
    report = Report(problems + issues)
    catalog = Catalog()
    for item in loaded:
        assert item.indicator is not None
        catalog.indicators.setdefault(item.indicator.id, item.indicator)
        catalog.paths.setdefault(item.indicator.id, item.path)
    return catalog, report


def check_files(
    files: list[Path],
    vocabulary: Vocabulary | None = None,
    standards: Mapping[str, Path] | None = None,
) -> tuple[list[LoadedDefinition], list[Issue]]:
    """Load, resolve and check definition files: the valid definitions and every issue."""
    vocab = vocabulary or default_vocabulary()
    known = _known_names(standards or {})
    issues: list[Issue] = []
    loaded: list[LoadedDefinition] = []
    pending: list[LoadedDefinition] = []
    broken: set[str] = set()

    def checked(item: LoadedDefinition) -> None:
        file_issues = check_definition(item, vocab, known)
        issues.extend(file_issues)
        if any(i.severity == "error" for i in file_issues):
            assert item.indicator is not None
            broken.add(item.indicator.id)
        else:
            loaded.append(item)

    for path in files:
        item, found = load_definition(path)
        issues.extend(found)
        if item.variant:
            pending.append(item)
        elif item.indicator is not None:
            checked(item)
        elif item.doc is not None and isinstance(item.doc.data, dict):
            broken.add(str(item.doc.data.get("id")))
    references: dict[str, LoadedDefinition] = {}
    for item in loaded:
        assert item.indicator is not None
        references.setdefault(item.indicator.id, item)
    variants, found = resolve_variants(pending, references, broken)
    issues.extend(found)
    for item in variants:
        checked(item)
    issues.extend(duplicate_ids(loaded))
    return loaded, issues


def load_definition_in(
    path: Path | str,
    context: list[Path | str],
    vocabulary: Vocabulary | None = None,
    standards: Mapping[str, Path] | None = None,
) -> tuple[Indicator | None, Report]:
    """One definition file, resolved against the definitions under `context` (where a variant
    finds its base). A context file with the same path or id as `path` is left out, so an
    edited copy can be compared with the catalogue's. Issues are those of `path` and its base.
    """
    path = Path(path)
    files, _ = find_definition_files([Path(p) for p in context])
    own_id = _file_id(path)
    keep = [f for f in files if f.resolve() != path.resolve() and _file_id(f) != own_id]
    loaded, issues = check_files([*keep, path], vocabulary, standards)
    found = next((i for i in loaded if i.path == path), None)
    relevant = {str(path)}
    if found is not None and found.indicator is not None and found.indicator.extends:
        base = next(
            (i for i in loaded if i.indicator and i.indicator.id == found.indicator.extends.id),
            None,
        )
        if base is not None:
            relevant.add(str(base.path))
    report = Report([i for i in issues if i.file in relevant or not i.file])
    return (found.indicator if found is not None else None), report


def _file_id(path: Path) -> object:
    from mhindicators.yamlsource import YamlProblem, load_mapping

    try:
        data = load_mapping(path).data
    except YamlProblem:
        return None
    return data.get("id")


def validate(
    paths: Sequence[Path | str],
    vocabulary: Vocabulary | None = None,
    standards: Mapping[str, Path] | None = None,
) -> Report:
    """All problems in the definitions under `paths` (schema, expressions, cross-definition)."""
    return check_paths(paths, vocabulary, standards)[1]


def load_catalog(
    paths: Sequence[Path | str] | Path | str,
    vocabulary: Vocabulary | None = None,
    standards: Mapping[str, Path] | None = None,
) -> Catalog:
    """A valid catalogue, or DefinitionError carrying every issue found."""
    if isinstance(paths, str | Path):
        paths = [paths]
    catalog, report = check_paths(list(paths), vocabulary, standards)
    if not report.ok:
        first = report.errors[0]
        raise DefinitionError(
            f"{len(report.errors)} problem(s) in definitions; first: {first.format_text()}",
            report.issues,
        )
    return catalog
