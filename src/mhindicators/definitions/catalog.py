"""The catalogue: validated definitions by id, and the `validate` entry point."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mhindicators.definitions.loader import (
    LoadedDefinition,
    find_definition_files,
    load_definition,
)
from mhindicators.definitions.model import Indicator
from mhindicators.definitions.rules import KnownNames, check_definition, duplicate_ids
from mhindicators.errors import DefinitionError
from mhindicators.issues import Report
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
    policies = sorted(p.stem for p in (package / "engine" / "policies").glob("*.yaml"))
    return KnownNames(standards, policies, extra_standards)


def check_paths(
    paths: list[Path | str],
    vocabulary: Vocabulary | None = None,
    standards: Mapping[str, Path] | None = None,
) -> tuple[Catalog, Report]:
    """Load and check every definition under `paths`; return the valid ones and all issues.

    standards: user-supplied standard populations (name -> CSV), e.g. a project's.
    """
    vocab = vocabulary or default_vocabulary()
    files, problems = find_definition_files([Path(p) for p in paths])
    report = Report(problems)
    known = _known_names(standards or {})
    loaded: list[LoadedDefinition] = []
    for path in files:
        item, issues = load_definition(path)
        report.extend(issues)
        if item.indicator is not None:
            file_issues = check_definition(item, vocab, known)
            report.extend(file_issues)
            if not any(i.severity == "error" for i in file_issues):
                loaded.append(item)
    report.extend(duplicate_ids(loaded))
    catalog = Catalog()
    for item in loaded:
        assert item.indicator is not None
        catalog.indicators.setdefault(item.indicator.id, item.indicator)
        catalog.paths.setdefault(item.indicator.id, item.path)
    return catalog, report


def validate(
    paths: list[Path | str],
    vocabulary: Vocabulary | None = None,
    standards: Mapping[str, Path] | None = None,
) -> Report:
    """All problems in the definitions under `paths` (schema, expressions, cross-definition)."""
    return check_paths(paths, vocabulary, standards)[1]


def load_catalog(
    paths: list[Path | str] | Path | str,
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
