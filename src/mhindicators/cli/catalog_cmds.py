"""`mhi list`, `mhi show ID`, `mhi schema`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich import box
from rich.table import Table

from mhindicators.cli.project_option import project_context, project_option
from mhindicators.cli.render import OutputFormat, run_guarded, stdout
from mhindicators.definitions import Catalog, Indicator, load_catalog
from mhindicators.definitions.jsonschema import definition_schema_text
from mhindicators.definitions.listing import catalog_rows, compact_lines, rows_csv, rows_json
from mhindicators.discovery import default_definitions, project_file_or_none
from mhindicators.errors import UsageError
from mhindicators.issues import issue
from mhindicators.outputs.atomic import write_text_atomic

_DEFS_HELP = (
    "Definition files or folders (default: the definitions of the mhi.yaml found in this folder "
    "or a parent, else ./indicator_defs)."
)


def _catalog(paths: list[Path] | None, project_file: Path | None) -> Catalog:
    if not paths:  # the project's definitions, found from any subfolder of the project
        project_file = project_file_or_none(project_file)
        paths = default_definitions(project_file)
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise UsageError(
            "path not found",
            [issue("MHI901", f"path does not exist: {p}", str(p)) for p in missing],
        )
    vocab, standards = project_context(project_file)
    return load_catalog(paths, vocab, standards)


class ListFormat(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"


def list_indicators(
    paths: list[Path] = typer.Argument(None, metavar="PATH", help=_DEFS_HELP),
    source: list[str] = typer.Option(
        None, "--source", metavar="SOURCE", help="Only survey or registry indicators (comma list)."
    ),
    theme: list[str] = typer.Option(
        None, "--theme", metavar="THEME", help="Only these themes, e.g. mortality (comma list)."
    ),
    fmt: ListFormat = typer.Option(
        ListFormat.text,
        "--format",
        "-f",
        help="text (grouped by theme, fits the terminal), csv or json (every field).",
    ),
    project_file: Path | None = project_option(),
) -> None:
    """List the catalogue: id, source and name, grouped by theme.

    Examples: `mhi list`, `mhi list --source registry`, `mhi list -f csv > catalogue.csv`.
    """

    def body() -> None:
        catalog = _catalog(paths, project_file)
        rows = catalog_rows(catalog, source, theme)
        if fmt is ListFormat.csv:
            sys.stdout.write(rows_csv(rows))
        elif fmt is ListFormat.json:
            sys.stdout.write(rows_json(rows))
        else:
            sys.stdout.write("\n".join(compact_lines(rows, len(catalog), stdout.width)) + "\n")

    run_guarded(body)


def show(
    ident: str = typer.Argument(..., metavar="ID", help="Indicator id."),
    paths: list[Path] = typer.Option(None, "--defs", help=_DEFS_HELP, metavar="PATH"),
    project_file: Path | None = project_option(),
) -> None:
    """Print one indicator's metadata sheet.

    Examples: `mhi show sdg_3_8_2_che_10`, `mhi show my_indicator --defs national/`.
    """

    def body() -> None:
        catalog = _catalog(paths, project_file)
        try:
            ind = catalog.get(ident)
        except KeyError as exc:
            raise UsageError(str(exc), [issue("MHI902", str(exc.args[0]))]) from None
        table = Table(title=f"{ind.id} v{ind.version}: {ind.name}", show_header=False)
        table.add_column("field", style="bold")
        table.add_column("value", overflow="fold")
        rows = {
            "description": ind.description,
            "source / estimator": f"{ind.source} / {ind.estimator}",
            "SDG": ind.framework.sdg or "-",
            "pillar": ind.framework.pillar,
            "universe": ind.universe or "(everyone)",
            "numerator": ind.numerator,
            "denominator": ind.denominator,
            "value": ind.value,
            "quantile": None
            if ind.quantile is None
            else f"{ind.quantile:g} (rule {ind.quantile_rule or 'math'})",
            "line": None
            if ind.line is None
            else f"{ind.line.share:g} x the {ind.line.quantile:g} quantile over the universe "
            f"(rule {ind.line.quantile_rule})",
            "missing": ind.missing,
            "unit": f"{ind.unit} (x{ind.effective_multiplier:g})",
            "disaggregate by": ", ".join(ind.disaggregate_by),
            "age groups": _bands(ind.age_groups),
            "reference group": ", ".join(
                f"{k} = {v}" for k, v in (ind.reference_group or {}).items()
            ),
            "standardise": f"{ind.standardize.by} to {ind.standardize.standard}"
            if ind.standardize
            else None,
            "reliability": ind.reliability,
            "CI method": ind.ci_method,
            "references": "\n".join(
                r.citation + (f" <{r.url}>" if r.url else "") for r in ind.framework.references
            ),
            "notes": ind.notes,
            "variant of": f"{ind.extends.id} v{ind.extends.version}" if ind.extends else None,
            "national variants": ", ".join(
                sorted(v.id for v in catalog if v.extends and v.extends.id == ind.id)
            ),
            "country": ind.country,
            "file": str(catalog.paths[ind.id]),
        }
        for key, value in rows.items():
            if value:
                table.add_row(key, str(value).replace("[", "\\["))
        stdout.print(table)
        if ind.extends is not None and ind.extends.id in catalog:
            stdout.print(variant_table(catalog.get(ind.extends.id), ind))

    run_guarded(body)


def variant_table(base: Indicator, variant: Indicator) -> Table:
    """The variant beside its reference: every changed field with its declared deviation."""
    from mhindicators.harmonization.diff import diff_pair
    from mhindicators.harmonization.diff_format import cell_text

    result = diff_pair(base, variant)
    table = Table(
        title=f"Deviations from {base.id} v{base.version}",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        show_lines=True,
        expand=True,
    )
    table.add_column("field", no_wrap=True, style="bold")
    table.add_column("reference", overflow="fold", ratio=2)
    table.add_column("variant", overflow="fold", ratio=2)
    table.add_column("kind", width=12, overflow="fold")
    table.add_column("note", ratio=3)
    noted: set[int] = set()

    def note_of(devs: list) -> str:
        fresh = [d for d in devs if id(d) not in noted]
        noted.update(id(d) for d in devs)
        return " ".join(d.note for d in fresh) or ("(as above)" if devs else "")

    for change in result.changes:
        if change.kind == "metadata":
            continue
        declared = result.declared(change)
        kinds = ", ".join(d.kind.replace("_", " ") for d in declared) or "UNDECLARED"
        cells = (
            change.field,
            cell_text(change.old),
            cell_text(change.new),
            kinds,
            note_of(declared),
        )
        table.add_row(*(c.replace("[", "\\[") for c in cells))
    for dev in result.deviations:
        if not dev.fields:
            kind = dev.kind.replace("_", " ")
            table.add_row("(data)", "", "", kind, dev.note.replace("[", "\\["))
    return table


def _bands(bands: list | None) -> str | None:
    if not bands:
        return None
    return ", ".join(f"{lo}-{hi}" if hi is not None else f"{lo}+" for lo, hi in bands)


def schema(
    out: Path = typer.Option(
        None, "--out", "-o", help="Write to this file instead of stdout.", metavar="PATH"
    ),
    kind: str = typer.Option(
        "definition", "--kind", help="definition, profile or project (mhi.yaml).", metavar="KIND"
    ),
) -> None:
    """Export the JSON Schema of definition, profile or project files (for editors).

    Examples: `mhi schema -o indicator.schema.json`, `mhi schema --kind profile`.
    """

    def body() -> None:
        from mhindicators.profiles.jsonschema import profile_schema_text, project_schema_text

        makers = {
            "definition": definition_schema_text,
            "profile": profile_schema_text,
            "project": project_schema_text,
        }
        if kind not in makers:
            msg = f"unknown --kind {kind!r}; use definition, profile or project"
            raise UsageError(msg, [issue("MHI903", msg)])
        text = makers[kind]()
        if out is None:
            sys.stdout.write(text)
        else:
            write_text_atomic(out, text)

    run_guarded(body, OutputFormat.text)
