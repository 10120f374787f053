"""Check profiles and project files without reading any data (what `mhi validate` runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from mhindicators.errors import MhiError
from mhindicators.issues import Issue, Report, define, issue
from mhindicators.vocabulary import Vocabulary
from mhindicators.yamlsource import YamlProblem, load_yaml

FileKind = Literal["definition", "profile", "project"]

define(
    "MHI522",
    "data-file-absent",
    "warning",
    "A data file named by the project is not here; its profile was checked without it.",
    "Fine on a machine without the microdata; `mhi compute` needs the file.",
)


def file_kind(path: Path | str) -> FileKind:
    """What a YAML file is, from its top-level keys: a project has `datasets:`, a profile
    `columns:`; anything else (and anything unparsable) is checked as a definition."""
    try:
        data = load_yaml(path).data
    except (YamlProblem, MhiError, OSError):
        return "definition"
    if isinstance(data, dict) and "datasets" in data:
        return "project"
    if isinstance(data, dict) and "columns" in data and "estimator" not in data:
        return "profile"
    return "definition"


def check_profile(path: Path | str, vocabulary: Vocabulary | None = None) -> Report:
    """Every problem of one profile: schema, vocabulary, code tables, joined files."""
    from mhindicators.profiles.loader import load_profile

    report = Report()
    try:
        loaded = load_profile(path, vocabulary)
    except MhiError as exc:
        report.extend(exc.issues)
        return report
    from mhindicators.profiles.join import join_path_issues

    report.extend(join_path_issues(loaded, None))
    return report


def check_project(path: Path | str) -> Report:
    """Every problem of a project file and the profiles it names, without the data."""
    from mhindicators.project import load_project

    report = Report()
    try:
        project = load_project(path)
        vocab = project.vocabulary()
        project.standards()
    except MhiError as exc:
        report.extend(exc.issues)
        return report
    for index, spec in enumerate(project.model.datasets):
        roles: list[tuple[tuple[str, ...], str | None, str | None, tuple[str, ...]]] = []
        if spec.kind == "survey":
            roles.append((("survey",), spec.profile, spec.path, ()))
        for role in ("events", "denominator"):
            ref = getattr(spec, role)
            if ref is not None:
                roles.append(((role,), ref.profile, ref.path, (role,)))
        for kinds, profile, data, where in roles:
            report.extend(_dataset_issues(project, vocab, index, kinds, profile, data, where))
    report.extend(_indicator_issues(project, vocab))
    report.extend(_composite_issues(project))
    return report


def _composite_issues(project) -> list[Issue]:
    """Located problems of the composite definitions named by policy datasets (no data read)."""
    from mhindicators.policy.definition import load_composite

    out: list[Issue] = []
    for index, spec in enumerate(project.model.datasets):
        for j, rel in enumerate(spec.composites or []):
            try:
                load_composite(project.resolve(rel, "datasets", index, "composites", j))
            except MhiError as exc:
                out += exc.issues
    return out


def _indicator_issues(project, vocab) -> list[Issue]:
    """MHI326 for `indicators:` ids not in the project's catalogue, when its definitions are
    here and load (their own problems are `mhi validate DEFINITIONS`'s to report)."""
    from mhindicators.definitions import load_catalog
    from mhindicators.pipeline.compute import check_dataset_indicators

    folders = [project.root / d for d in project.model.definitions]
    if not any(spec.indicators for spec in project.model.datasets):
        return []
    if not all(f.exists() for f in folders):
        return []
    try:
        catalog = load_catalog(folders, vocab, project.standards())
        check_dataset_indicators(project, catalog)
    except MhiError as exc:
        return [i for i in exc.issues if i.code == "MHI326"]
    return []


def _dataset_issues(project, vocab, index, kinds, profile, data, where) -> list[Issue]:
    from mhindicators.pipeline.datasets import check_kind
    from mhindicators.profiles.join import join_path_issues
    from mhindicators.profiles.loader import load_profile

    out: list[Issue] = []
    try:
        loaded = load_profile(project.resolve(profile, "datasets", index, *where, "profile"), vocab)
    except MhiError as exc:
        return list(exc.issues)
    try:
        role = f"{kinds[0]} data of dataset '{project.model.datasets[index].id}'"
        check_kind(loaded, kinds, role)
    except MhiError as exc:
        out += exc.issues
    out += join_path_issues(loaded, project.root)
    try:
        project.resolve(data, "datasets", index, *where, "path")
    except MhiError as exc:
        for item in exc.issues:
            if "does not exist" in item.message:
                message = f"data file '{data}' is not here (its profile was checked)"
                out.append(issue("MHI522", message, item.file, item.line, item.col))
            else:
                out.append(item)
    return out
