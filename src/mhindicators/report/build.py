"""`build_report`: one self-contained HTML file from a run folder or a ResultTable."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pandas as pd

from mhindicators.errors import UsageError
from mhindicators.issues import Issue, issue, quote
from mhindicators.report import measures, page, plots, sections, select
from mhindicators.report.source import Run, load_run, run_from_result
from mhindicators.results import ResultTable


@dataclass
class Context:
    run: Run
    labels: select.Labels
    indicators: list[str]
    by: list[str] = field(default_factory=list)
    inequality: pd.DataFrame | None = None
    level: str = "95%"
    #: colour and marker of every group and country, the same in every plot
    palette: dict = field(default_factory=dict)


def build_report(
    source: Path | str | ResultTable,
    out: Path | str = "report.html",
    *,
    project: Path | str | None = None,
    indicators: list[str] | None = None,
    by: list[str] | None = None,
    plots_dir: Path | str | None = None,
    plot_format: str = "svg",
    title: str | None = None,
    issues: list[Issue] | None = None,
) -> Path:
    """Write the report of a run (its output folder, or a ResultTable) to `out`, atomically.

    `project` adds the harmonization matrix of a multi-country project; `indicators` limits
    the report (their problems become errors); `by` adds sex/age rows to the forest plots;
    `plots_dir` also writes every plot as a file. Problems that leave something out of the
    report (no reference group, measures not applicable, no inequality table) are appended to
    `issues` and said in the report; bad input raises MhiError (MHI950-MHI960).
    """
    plots.check_plot_format(plot_format)
    if plots_dir is not None and plot_format == "png":
        plots.require_matplotlib()  # before the work, not at the end
    run = run_from_result(source) if isinstance(source, ResultTable) else load_run(source)
    found: list[Issue] = []
    ctx = _context(run, indicators, by or [], found)
    figures: list[plots.Figure] = []
    html = _page(ctx, project, title, figures, found)
    from mhindicators.outputs.atomic import write_text_atomic

    write_text_atomic(out, html)
    if plots_dir is not None:
        plots.write_figures(figures, plots_dir, plot_format)
    if indicators:  # what was asked for and could not be delivered is an error
        found = [
            dataclasses.replace(i, severity="error") if i.severity == "warning" else i
            for i in found
        ]
    if issues is not None:
        issues.extend(found)
    return Path(out)


def _context(run: Run, only: list[str] | None, by: list[str], found: list[Issue]) -> Context:
    have = list(dict.fromkeys(run.summary["indicator_id"].astype(str)))
    if only:
        unknown = [i for i in only if i not in have]
        if unknown:
            msg = f"not in the run: {', '.join(quote(u, 60) for u in unknown)}"
            raise UsageError(msg, [issue("MHI954", msg)])
    dims = select.dimensions(run.estimates)
    bad = [b for b in by if b not in dims or b in select.MIGRATORY]
    if bad:
        msg = (
            f"--by {', '.join(quote(b, 40) for b in bad)}: not a non-migratory dimension of the "
            f"estimates ({', '.join(d for d in dims if d not in select.MIGRATORY)})"
        )
        raise UsageError(msg, [issue("MHI955", msg)])
    computed = set(run.estimates["indicator_id"].astype(str))
    wanted = only or have
    for ind in wanted:
        if ind not in computed and only:
            found.append(issue("MHI960", f"{ind} was not computed in the run: {_reason(run, ind)}"))
    ineq = run.table("inequality")
    if ineq is None:
        found.append(issue("MHI958", "the run has no inequality table: measures not computed"))
    level = run.provenance.get("confidence_level", "0.95")
    try:
        level = f"{100 * float(level):g}%"
    except ValueError:
        level = "95%"
    ids = [i for i in wanted if i in computed]
    labels = select.Labels(run.table("codelists"))
    return Context(run, labels, ids, by, ineq, level, _palette(run, labels))


def _palette(run: Run, labels: select.Labels) -> dict:
    """Groups (by label, dimension by dimension, in code order), then countries."""
    est, keys = run.estimates, []
    for dim in (d for d in select.MIGRATORY if d in est):
        codes = sorted(set(est[dim].astype(str)) - {"_T"})
        keys += [labels(dim, c) for c in codes]
    comp = run.table("comparison")
    if comp is not None:
        keys += sorted(set(comp["country"].astype(str)))
    return plots.palette(dict.fromkeys(keys))


def _reason(run: Run, ind: str) -> str:
    rows = run.summary[run.summary["indicator_id"] == ind]
    reasons = [r for r in dict.fromkeys(rows["reason"].fillna("").astype(str)) if r]
    return "; ".join(reasons) or "no estimates"


def _page(ctx: Context, project, title, figures, found: list[Issue]) -> str:
    run = ctx.run
    est_by = dict(tuple(run.estimates.groupby("indicator_id", sort=False)))
    con_by = dict(tuple(run.contrasts.groupby("indicator_id", sort=False)))
    empty = run.contrasts.iloc[:0]
    body = []
    for ind in ctx.indicators:
        est, con = est_by[ind], con_by.get(ind, empty)
        if not len(con) and select.migratory_dimension(est, con) is not None:
            found.append(
                issue(
                    "MHI956",
                    f"{ind} has no reference group: gap and reference-based measures left out",
                )
            )
        html = sections.indicator_section(ctx, ind, est, con, figures)
        body.append((f"ind-{sections.slug(ind)}", ind, html))
        _measure_issues(ctx, ind, len(con) > 0, found)
    out = [
        ("", "", _intro(ctx)),
        (
            "legend",
            "Flags legend and how cells are drawn",
            sections.legend_section(run.table("flags_legend")),
        ),
        (
            "gaps",
            "Gaps between migrant groups and the reference",
            sections.gaps_section(ctx, figures),
        ),
        ("measures", "Inequality measures", _measures_summary(ctx, found)),
    ]
    comparison = run.table("comparison")
    if comparison is not None and len(comparison):
        out.append(("countries", "Country comparison", sections.country_section(ctx, figures)))
    matrix = _matrix(project)
    if matrix is not None:
        out.append(("matrix", "Harmonization matrix", sections.matrix_section(matrix)))
    elif out[-1][0] == "countries" and project is None:
        out[-1] = (
            *out[-1][:2],
            out[-1][2] + "<p>The harmonization matrix needs the project "
            "file: <code>mhi report RUN_DIR --project mhi.yaml</code>.</p>",
        )
    n = len(body)
    out.append(("indicators", "Indicators", f"<p>{n} indicator{'s' * (n != 1)}.</p>"))
    out += [(a, f"{h}", html) for a, h, html in body]
    out.append(("skipped", "Not computed", _skipped(ctx)))
    out.append(("methods", "Methods in short", sections.methods_section(ctx.level)))
    out.append(("provenance", "Provenance", sections.provenance_section(run)))
    heading = title or run.provenance.get("project.name") or "mhi report"
    k = len(ctx.indicators)
    meta = (
        f"{k} indicator{'s' * (k != 1)} · intervals {ctx.level} · built by mhi "
        f"{escape(run.provenance.get('tool_version', ''))} from {escape(run.origin)}"
    )
    return page.document(heading, out, meta)


def _intro(ctx: Context) -> str:
    return (
        '<p class="note">Estimates of the run by migratory group, with their intervals. '
        "Suppressed cells are shown as suppressed, never as a number; each plot has its data "
        "as a table below it. No part of this page is fetched from the network.</p>"
    )


def _measure_issues(ctx: Context, ind: str, has_ref: bool, found: list[Issue]) -> None:
    if ctx.inequality is None:
        return
    rows = measures.headline(ctx.inequality, ind)
    out = measures.left_out(rows)
    if len(out):
        what = ", ".join(
            f"{m} ({quote(str(r), 60)})"
            for m, r in zip(out["measure"], out["reason"].fillna(""), strict=True)
        )
        found.append(issue("MHI957", f"{ind}: measures not applicable: {what}"))


def _measures_summary(ctx: Context, found: list[Issue]) -> str:
    if ctx.inequality is None:
        return (
            '<p class="warn">Inequality measures were not computed in this run (it has no '
            "inequality table); recompute with a version of mhi that writes it (MHI958).</p>"
        )
    left = [i for i in found if i.code in ("MHI956", "MHI957")]
    items = "".join(f"<li>{escape(i.message)}</li>" for i in left)
    return (
        "<p>Summary measures of inequality between migratory groups, per indicator in its "
        "section below, with design-based intervals. Measures left out and why:</p>"
        + (f"<ul>{items}</ul>" if items else "<p>None: every measure was applicable.</p>")
    )


def _skipped(ctx: Context) -> str:
    s = ctx.run.summary
    rows = (
        s[(s["status"] != "computed") & (s["indicator_status"] != "computed")]
        if ("indicator_status" in s)
        else s[s["status"] != "computed"]
    )
    if not len(rows):
        return "<p>Every indicator of the run was computed.</p>"
    cols = [c for c in ("indicator_id", "dataset", "reason") if c in rows]
    return page.table(rows[cols].drop_duplicates())


def _matrix(project) -> pd.DataFrame | None:
    """The harmonization matrix of a project with more than one country, else None."""
    if project is None:
        return None
    from mhindicators.pipeline.matrix import harmonization_matrix
    from mhindicators.project import load_project

    table = harmonization_matrix(load_project(Path(project)))
    return table if table["country"].nunique() > 1 else None
