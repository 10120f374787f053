"""`mhi diff A [B]`: semantic diff of definitions, catalogues, or a variant and its base."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from mhindicators.cli.project_option import project_context, project_option
from mhindicators.cli.render import run_guarded
from mhindicators.definitions import Catalog, Indicator, check_paths
from mhindicators.definitions.catalog import load_definition_in
from mhindicators.errors import MhiError, UsageError
from mhindicators.harmonization.diff import CatalogDiff, IndicatorDiff, diff_catalogs, diff_pair
from mhindicators.harmonization.diff_format import diff_json, diff_markdown, diff_text
from mhindicators.issues import Report, define, issue

define(
    "MHI500",
    "diff-arguments",
    "error",
    "The two sides of `mhi diff` cannot be compared (a folder with a file, or one argument "
    "that is not a national variant).",
    "Compare two definitions (files or ids), two folders, or give one variant to compare "
    "it with its base.",
)
define(
    "MHI501",
    "diff-unknown-side",
    "error",
    "A side of `mhi diff` is neither a file, a folder nor an id in the catalogue.",
    "Check the path, or the id against `mhi list` (use --defs for another catalogue).",
)
define(
    "MHI502",
    "diff-invalid-input",
    "error",
    "A side of `mhi diff` has problems in its definitions, so it cannot be compared.",
    "Run `mhi validate` on it and fix the problems listed.",
)

DEFAULT_DEFS = Path("indicator_defs")


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class _Invalid(MhiError):
    exit_code = 2  # like git diff: 1 means "differences", so broken inputs exit 2


_RENDER = {
    DiffFormat.text: diff_text,
    DiffFormat.json: diff_json,
    DiffFormat.markdown: diff_markdown,
}


def diff(
    a: str = typer.Argument(..., metavar="A", help="Definition file, folder, or indicator id."),
    b: str = typer.Argument(
        None, metavar="B", help="The same kind as A; omit to compare variant A with its base."
    ),
    fmt: DiffFormat = typer.Option(
        DiffFormat.text, "--format", "-f", help="text, json or markdown."
    ),
    defs: list[Path] = typer.Option(
        None,
        "--defs",
        help="Catalogue where ids and variant bases are looked up (default: indicator_defs).",
        metavar="PATH",
    ),
    project_file: Path | None = project_option(),
) -> None:
    """Semantic diff of two definitions, two catalogues (folders), or a variant and its base.

    Changes are typed with deviation kinds (docs/harmonization.md). Exit codes as
    `git diff --exit-code`: 0 no differences, 1 differences, 2 usage error or invalid input.

    Examples: `mhi diff national/x.yaml` (a variant and its base), `mhi diff old/ new/`.
    """

    def body() -> None:
        vocab, standards = project_context(project_file)
        context = list(defs) if defs else ([DEFAULT_DEFS] if DEFAULT_DEFS.is_dir() else [])
        side_a = _side(a, context, vocab, standards)
        result: CatalogDiff | IndicatorDiff
        if b is None:
            if not isinstance(side_a, Indicator) or side_a.extends is None:
                msg = f"'{a}' is not a national variant; give B to compare it with"
                raise UsageError(msg, [issue("MHI500", msg)])
            side_b = _by_id(side_a.extends.id, context, vocab, standards)
            result = diff_pair(side_b, side_a)
        else:
            side_b = _side(b, context, vocab, standards)
            if isinstance(side_a, Catalog) != isinstance(side_b, Catalog):
                msg = "cannot compare a folder with a single definition"
                raise UsageError(msg, [issue("MHI500", msg)])
            if isinstance(side_a, Catalog):
                assert isinstance(side_b, Catalog)
                result = diff_catalogs(side_a, side_b)
            else:
                assert isinstance(side_b, Indicator)
                result = diff_pair(side_a, side_b)
        sys.stdout.write(_RENDER[fmt](result))
        same = result.same if isinstance(result, CatalogDiff) else not result.changes
        raise typer.Exit(0 if same else 1)

    run_guarded(body)


def _side(arg: str, context: list[Path], vocab, standards) -> Indicator | Catalog:
    path = Path(arg)
    if path.is_dir():
        catalog, report = check_paths([path], vocab, standards)
        _raise_if_bad(report, arg)
        return catalog
    if path.is_file():
        ind, report = load_definition_in(path, list(context), vocab, standards)
        _raise_if_bad(report, arg)
        assert ind is not None
        return ind
    return _by_id(arg, context, vocab, standards)


def _by_id(ident: str, context: list[Path], vocab, standards) -> Indicator:
    catalog, report = check_paths(list(context), vocab, standards) if context else (Catalog(), None)
    if ident in catalog:
        return catalog.get(ident)
    if report is not None and not report.ok:
        _raise_if_bad(report, ", ".join(str(c) for c in context))
    where = ", ".join(str(c) for c in context) or "no catalogue (indicator_defs not found)"
    msg = f"'{ident}' is not a file, a folder or an indicator id in {where}"
    raise UsageError(msg, [issue("MHI501", msg, hint="")])


def _raise_if_bad(report: Report, arg: str) -> None:
    if not report.ok:
        note = issue("MHI502", f"'{arg}' has {len(report.errors)} problem(s); nothing compared")
        raise _Invalid(note.message, [*report.issues, note])
