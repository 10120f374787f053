"""Checks that need more than one field, the vocabulary, or more than one definition."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import get_args

from mhindicators.core import interval_methods
from mhindicators.definitions.loader import LoadedDefinition
from mhindicators.definitions.model import UNIT_MULTIPLIERS, Estimator, Indicator
from mhindicators.definitions.records import records_issues
from mhindicators.expr import ExprSyntaxError, Kind, check, parse
from mhindicators.expr.logic import contradicts
from mhindicators.expr.nodes import Node
from mhindicators.issues import Issue, define, issue
from mhindicators.vocabulary import Vocabulary, code_list

define(
    "MHI130",
    "duplicate-id",
    "error",
    "Two definition files use the same id.",
    "Ids are unique across the catalogue; rename one (and its file).",
)
define(
    "MHI131",
    "id-file-mismatch",
    "error",
    "The id does not match the file name.",
    "Name the file `<id>.yaml`, or change the id.",
)
define(
    "MHI132",
    "unit-multiplier",
    "error",
    "The multiplier disagrees with the unit.",
    "Drop `multiplier:` (the unit implies it) or make them agree.",
)
define(
    "MHI133",
    "bad-dimension",
    "error",
    "A disaggregation dimension is not a categorical dimension of the vocabulary.",
    "Use dimensions listed in docs/vocabulary.md (role: dimension).",
)
define(
    "MHI134",
    "bad-reference-group",
    "error",
    "The reference group names a dimension that is not disaggregated, or a code not in its list.",
    "Use one of the dimension's codes, e.g. {migratory_status: native_born_citizen}.",
)
define(
    "MHI135",
    "bad-age-bands",
    "error",
    "Age bands are not sorted, overlap, or are empty.",
    "Write bands as [lower, upper] in completed years, upper inclusive, sorted, "
    "non-overlapping; null upper = open-ended, last band only.",
)
define(
    "MHI136",
    "age-bands-missing",
    "error",
    "age_group is used (disaggregation or standardisation) but no age_groups are given.",
    "Add `age_groups: [[lower, upper], ...]`.",
)
define(
    "MHI137",
    "unknown-standard",
    "error",
    "The standard population is not known.",
    "Use a shipped standard (who_world_2000_2025, esp_2013, us_2000) or name a CSV under "
    "`standard_populations:` in mhi.yaml (then validate with --project).",
)
define(
    "MHI138",
    "unknown-policy",
    "error",
    "The reliability policy is not known.",
    "Use a shipped policy (see docs/reliability.md).",
)
define(
    "MHI139",
    "ci-method-estimator",
    "error",
    "The interval method does not apply to this estimator.",
    "Survey proportions: logit, xlogit, mean, beta, korn-graubard-nchs, wilson; "
    "registry counts and rates: garwood, byar; standardised rates: fay-feuer, tiwari, dobson.",
)
define(
    "MHI140",
    "numerator-outside-universe",
    "warning",
    "The numerator can never be true inside the universe.",
    "Check the numerator and universe conditions; they contradict each other.",
)

define(
    "MHI141",
    "bands-do-not-fit-standard",
    "error",
    "The age groups cannot be formed from the standard population's age bands.",
    "Choose age_groups whose limits are limits of the standard's bands.",
)

define(
    "MHI155",
    "deviations-without-extends",
    "error",
    "A definition declares deviations but extends nothing.",
    "Add `extends: {id: ..., version: ...}`, or remove `deviations:` from a reference definition.",
)
define(
    "MHI158",
    "unknown-country",
    "error",
    "`country` is not an ISO 3166-1 alpha-3 code.",
    "Use the three-letter code, e.g. MAR, ESP, SWE (docs/vocabulary.md lists the code list).",
)

#: estimator -> the interval methods its definitions may name (from the one registry)
CI_METHODS = {e: set(interval_methods.for_estimator(e)) for e in get_args(Estimator)}
_KINDS: dict[str, Kind] = {
    "universe": "condition",
    "denominator": "value",
    "value": "value",
    "line_of": "value",
}


def _nested(data, path: tuple[str, ...]):
    """The raw YAML value at `path` (None when absent)."""
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def check_definition(item: LoadedDefinition, vocab: Vocabulary, known: KnownNames) -> list[Issue]:
    """All single-definition rules for a model that passed the schema."""
    ind, doc = item.indicator, item.doc
    assert ind is not None and doc is not None
    out: list[Issue] = []

    def at(path: tuple, code: str, msg: str, hint: str = "", key: bool = False) -> None:
        line, col = doc.locate(path, prefer_key=key)
        out.append(issue(code, msg, doc.file_of(path), line, col, hint))

    _check_identity(item, ind, at)
    _check_dimensions(ind, vocab, at)
    _check_age_bands(ind, at)
    _check_reference_group(ind, vocab, at)
    _check_named(ind, known, at, out)
    out += _expression_issues(item, vocab)
    out += records_issues(item, vocab)
    return out


def _check_identity(item: LoadedDefinition, ind: Indicator, at: Callable[..., None]) -> None:
    """The id against the file name, extends/deviations, country code, multiplier vs unit."""
    if item.path.stem != ind.id:
        at(
            ("id",),
            "MHI131",
            f"id '{ind.id}' does not match file name '{item.path.name}'",
            f"Rename the file to {ind.id}.yaml or set `id: {item.path.stem}`.",
        )
    if ind.extends is None and ind.deviations:
        at(("deviations",), "MHI155", "deviations are declared but `extends:` is missing", key=True)
    if ind.country is not None and ind.country not in code_list("iso3166_alpha3"):
        at(("country",), "MHI158", f"'{ind.country}' is not an ISO 3166-1 alpha-3 country code")
    if ind.multiplier is not None and ind.multiplier != UNIT_MULTIPLIERS[ind.unit]:
        at(
            ("multiplier",),
            "MHI132",
            f"multiplier {ind.multiplier:g} disagrees with unit "
            f"'{ind.unit}' ({UNIT_MULTIPLIERS[ind.unit]:g})",
        )


def _check_dimensions(ind: Indicator, vocab: Vocabulary, at: Callable[..., None]) -> None:
    """Dimensions are categorical dimension variables of the vocabulary."""
    for i, dim in enumerate(ind.disaggregate_by):
        var = vocab.get(dim)
        if var is None or var.role != "dimension" or not var.is_categorical:
            what = "is not a variable" if var is None else f"is a {var.role} {var.type} variable"
            hint = (
                f"Did you mean '{vocab.suggest(dim)}'?"
                if var is None and vocab.suggest(dim)
                else ""
            )
            at(("disaggregate_by", i), "MHI133", f"dimension '{dim}' {what}", hint)


def _check_reference_group(ind: Indicator, vocab: Vocabulary, at: Callable[..., None]) -> None:
    """The reference group's dimensions are disaggregated and its codes are codes of them."""
    for dim, code in (ind.reference_group or {}).items():
        var = vocab.get(dim)
        if dim not in ind.disaggregate_by:
            at(
                ("reference_group", dim),
                "MHI134",
                f"reference dimension '{dim}' is not in disaggregate_by",
                key=True,
            )
        elif var is not None and (codes := var.allowed_codes()) is not None and code not in codes:
            at(
                ("reference_group", dim),
                "MHI134",
                f"'{code}' is not a code of {dim}",
                f"Codes: {', '.join(sorted(codes)[:8])}.",
            )


def _check_named(ind: Indicator, known: KnownNames, at: Callable[..., None], out: list) -> None:
    """Standard population, reliability policy and interval method are known and fit."""
    if (
        ind.standardize
        and known.standards is not None
        and ind.standardize.standard not in known.standards
    ):
        at(
            ("standardize", "standard"),
            "MHI137",
            f"standard population '{ind.standardize.standard}' is not known",
            f"Known: {', '.join(sorted(known.standards))}. A national standard goes under "
            "`standard_populations:` in mhi.yaml (validate with --project).",
        )
    if ind.standardize and ind.age_groups and not out:
        problems, unreadable = _standard_fit(ind, known.standard_files)
        out += unreadable  # a malformed standard CSV is reported at the CSV
        for problem in problems:
            at(
                ("age_groups",),
                "MHI141",
                problem,
                f"Use bands whose limits are limits of {ind.standardize.standard}'s bands.",
            )
    if ind.reliability and known.policies is not None and ind.reliability not in known.policies:
        at(
            ("reliability",),
            "MHI138",
            f"reliability policy '{ind.reliability}' is not known",
            f"Known: {', '.join(sorted(known.policies))}.",
        )
    if ind.ci_method and ind.ci_method not in CI_METHODS[ind.estimator]:
        at(
            ("ci_method",),
            "MHI139",
            f"ci_method '{ind.ci_method}' does not apply to estimator '{ind.estimator}'",
            f"Use one of {', '.join(sorted(CI_METHODS[ind.estimator]))}.",
        )


class KnownNames:
    """Names of shipped standards and policies (None = do not check)."""

    def __init__(
        self,
        standards: Iterable[str] | None,
        policies: Iterable[str] | None,
        standard_files: Mapping[str, Path] | None = None,
    ) -> None:
        self.standards = set(standards) if standards is not None else None
        self.policies = set(policies) if policies is not None else None
        self.standard_files = dict(standard_files or {})  # user-supplied: name -> CSV


def _check_age_bands(ind: Indicator, at: Callable[..., None]) -> None:
    uses_age = "age_group" in ind.disaggregate_by or ind.standardize is not None
    if not ind.age_groups:
        if uses_age and ind.source == "survey":
            at(("disaggregate_by",), "MHI136", "age_group is used but age_groups is not given")
        return
    prev_upper: int | None = -1
    for i, (lower, upper) in enumerate(ind.age_groups):
        if lower < 0 or (upper is not None and upper < lower):
            at(("age_groups", i), "MHI135", f"band [{lower}, {_yaml(upper)}] is empty or negative")
        elif prev_upper is None:
            at(("age_groups", i), "MHI135", "band follows an open-ended band")
        elif lower <= prev_upper:
            at(
                ("age_groups", i),
                "MHI135",
                f"band [{lower}, {_yaml(upper)}] overlaps or is out of order "
                f"(previous ends at {prev_upper})",
            )
        prev_upper = upper


def _expression_issues(item: LoadedDefinition, vocab: Vocabulary) -> list[Issue]:
    ind, doc = item.indicator, item.doc
    assert ind is not None and doc is not None
    out: list[Issue] = []
    nodes: dict[str, Node] = {}
    for field in ("universe", "numerator", "denominator", "value", "line_of"):
        text = getattr(ind, field)
        if text is None:
            continue
        path = ("line", "of") if field == "line_of" else (field,)
        raw = _nested(doc.data, path)
        shift = len(raw) - len(raw.lstrip()) if isinstance(raw, str) else 0
        kind = _KINDS.get(field, "value" if ind.estimator == "ratio" else "condition")
        name = ".".join(path)
        try:
            node = parse(text)
            nodes[field] = node
        except ExprSyntaxError as exc:
            line, col = doc.locate_in_scalar(path, exc.offset + shift)
            out.append(
                issue(
                    getattr(exc, "code", "MHI201"),
                    f"{name}: {exc.message}",
                    doc.file_of(path),
                    line,
                    col,
                    exc.hint,
                )
            )
            continue
        for prob in check(node, vocab, text, kind=kind):
            line, col = doc.locate_in_scalar(path, prob.offset + shift)
            out.append(
                issue(
                    prob.code,
                    f"{name}: {prob.message}",
                    doc.file_of(path),
                    line,
                    col,
                    prob.hint,
                )
            )
    both = "universe" in nodes and "numerator" in nodes
    conditions = not out and both and ind.estimator != "ratio"
    if conditions and contradicts(nodes["universe"], nodes["numerator"]):
        line, col = doc.locate(("numerator",))
        msg = "numerator contradicts the universe: no record can be counted"
        out.append(issue("MHI140", msg, doc.file_of(("numerator",)), line, col))
    return out


def duplicate_ids(items: list[LoadedDefinition]) -> list[Issue]:
    """MHI130 for every file after the first that reuses an id."""
    seen: dict[str, list[LoadedDefinition]] = defaultdict(list)
    for item in items:
        if item.indicator is not None:
            seen[item.indicator.id].append(item)
    out = []
    for ident, group in seen.items():
        for dup in group[1:]:
            assert dup.doc is not None
            line, col = dup.doc.locate(("id",))
            out.append(
                issue(
                    "MHI130",
                    f"id '{ident}' is also defined in {group[0].path}",
                    str(dup.path),
                    line,
                    col,
                )
            )
    return out


def _standard_fit(ind: Indicator, files: Mapping[str, Path]) -> tuple[list[str], list[Issue]]:
    """Messages for age bands that cannot be formed from the standard population's bands,
    and the issues of a standard CSV that cannot be read."""
    from mhindicators.errors import MhiError
    from mhindicators.stdpop import fit_problems, list_standards, standard_table
    from mhindicators.vocabulary.age import band_code

    assert ind.standardize is not None and ind.age_groups
    name = ind.standardize.standard
    if name not in list_standards() and name not in files:
        return [], []
    try:
        standard = standard_table(name, files)
    except MhiError as exc:
        return [], list(exc.issues)
    bands = [band_code(lo, hi) for lo, hi in ind.age_groups]
    return [i.message.split(";")[0] for i in fit_problems(bands, standard, name)], []


def _yaml(value: object) -> str:
    return "null" if value is None else str(value)
