"""The sections of the report, each as (anchor, heading, html), with the figures they draw."""

from __future__ import annotations

import re
from html import escape

import pandas as pd

from mhindicators.report import measures, page, plots, select
from mhindicators.report.plots import Figure

NUMERIC = ("estimate", "CI lower", "CI upper", "difference", "ci_lower", "ci_upper", "n_groups")


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def _rows_table(rows: pd.DataFrame, first: str = "row") -> str:
    shown = pd.DataFrame(
        {
            first: rows["label"],
            "estimate": rows["estimate"],
            "CI lower": rows["lower"],
            "CI upper": rows["upper"],
            "note": rows["note"],
            "action": rows.get("action", ""),
        }
    )
    return page.table(shown, numeric=("estimate", "CI lower", "CI upper"))


def indicator_section(ctx, ind: str, est: pd.DataFrame, con: pd.DataFrame, figs: list) -> str:
    """Forest plot of one indicator by migratory group, its data, and its measures."""
    mig = select.migratory_dimension(est, con)
    ref = select.reference_group(con)
    rows = select.forest_rows(est, mig, ref, ctx.by, ctx.labels)
    name = str(est["indicator_name"].iloc[0]) if "indicator_name" in est else ind
    unit = str(est["unit_label"].iloc[0]) if "unit_label" in est else str(est["unit"].iloc[0])
    by = f" and by {', '.join(ctx.by)}" if ctx.by else ""
    mig_text = mig.replace("_", " ") if mig else "no migratory breakdown"
    title = f"{name}: estimate by {mig_text}{by}, with {ctx.level} intervals"
    n_sup = int((rows["action"] == "suppress").sum())
    desc = (
        f"{len(rows)} rows; {n_sup} suppressed (no number shown); "
        f"{int(rows['hollow'].sum())} to read with caution (hollow markers). "
        + ("Reference group: " + ctx.labels(mig or "", ref) + "." if ref else "No reference group.")
    )
    ref_x = rows.loc[rows["key"].str.endswith("(reference)"), "estimate"]
    fig = plots.interval_figure(
        f"forest-{slug(ind)}",
        rows,
        unit,
        title,
        desc,
        float(ref_x.iloc[0]) if len(ref_x) == 1 else None,
        ctx.palette,
    )
    figs.append(fig)
    parts = [
        f"<p><code>{escape(ind)}</code> · unit: {escape(unit)} · {escape(mig_text)}"
        + (
            f" · reference group: <strong>{escape(ctx.labels(mig or '', ref))}</strong>"
            if ref
            else ""
        )
        + "</p>",
        page.figure(fig, _rows_table(rows), title + ". " + desc),
    ]
    if ref is None and mig is not None:
        parts.append(
            '<p class="warn">No reference group: no gap is shown and the reference-based '
            "measures (D, R, PAF, PAR, MDRU, MDRW) are left out (MHI956).</p>"
        )
    parts.append(measures_block(ctx, ind, ref is not None))
    return "".join(parts)


def measures_block(ctx, ind: str, has_reference: bool) -> str:
    """The indicator's inequality measures, and those left out with the reason."""
    if ctx.inequality is None:
        return ""
    rows = measures.headline(ctx.inequality, ind)
    html = f"<h4>Inequality measures ({ctx.level} design-based intervals)</h4>"
    if not len(rows):
        return html + "<p>No inequality measures for this indicator in the run.</p>"
    multi = rows["dataset"].nunique() > 1
    done = rows[~rows.index.isin(measures.left_out(rows).index)]
    if len(done):
        html += page.table(measures.display(done, multi), numeric=NUMERIC)
    out = measures.left_out(rows)
    if len(out):
        html += "<p>Left out (not applicable):</p>" + page.table(measures.display(out, multi))
    return html


def gaps_section(ctx, figs: list) -> str:
    rows = select.gap_rows(ctx.run, ctx.labels, ctx.indicators)
    if not len(rows):
        return "<p>No indicator of the report has contrasts with a reference group.</p>"
    html = (
        "<p>Each migratory group minus the indicator's reference group, over the whole "
        "population (every other dimension total). A gap whose group or reference cell is "
        "suppressed is not shown; one with a cell to read with caution has a hollow marker.</p>"
    )
    for unit, part in rows.groupby("unit_label", sort=True):
        title = f"Gaps (group minus reference) across indicators, {unit}"
        desc = f"{len(part)} gaps; {int(part['hidden'].sum())} suppressed or missing."
        fig = plots.interval_figure(
            f"gaps-{slug(unit)}", part, f"difference ({unit})", title, desc, 0.0, ctx.palette
        )
        figs.append(fig)
        html += f"<h3>{escape(unit)}</h3>" + page.figure(fig, _rows_table(part, "gap"), title)
    return html


def country_section(ctx, figs: list) -> str:
    comp = ctx.run.table("comparison")
    rows = select.country_rows(comp, ctx.labels)
    html = (
        "<p>The migrant-reference gap of each reference indicator, country by country. "
        "Hollow markers: not comparable as defined (a national variant or another basis); "
        "the comparability codes are in docs/multi-country.md.</p>"
    )
    from mhindicators.pipeline.labels import UNIT_LABELS

    for code, part in rows.groupby("unit", sort=True):
        unit = UNIT_LABELS.get(code, code)
        title = f"Country comparison of gaps (group minus reference), {unit}"
        desc = f"{len(part)} country gaps; {int(part['hollow'].sum())} not comparable."
        fig = plots.interval_figure(
            f"countries-{slug(unit)}",
            part.assign(action=""),
            f"difference ({unit})",
            title,
            desc,
            0.0,
            ctx.palette,
        )
        figs.append(fig)
        table = _rows_table(part.assign(action="", note=part["note"] + " " + part["reasons"]))
        html += f"<h3>{escape(unit)}</h3>" + page.figure(fig, table, title)
    return html


def matrix_section(matrix: pd.DataFrame) -> str:
    """Reference indicators x countries: reference, variant (deviation kinds) or not (why)."""
    cell = matrix["status"].where(matrix["status"] != "variant", "variant: " + matrix["deviations"])
    cell = cell.where(matrix["status"] != "not_computable", "no: " + matrix["reason"])
    wide = (
        matrix.assign(cell=cell)
        .groupby(["reference_indicator_id", "country"], sort=False)["cell"]
        .agg("; ".join)
        .unstack("country")
        .fillna("")
        .reset_index()
    )
    return (
        "<p>Which country computes which indicator: as the reference definition, as a national "
        "variant (its deviation kinds), or not at all (why). See docs/harmonization.md.</p>"
        + page.table(wide.rename(columns={"reference_indicator_id": "indicator"}))
    )


def legend_section(legend: pd.DataFrame | None) -> str:
    html = (
        "<p>How cells are drawn: a <strong>filled marker</strong> is published; a "
        "<strong>hollow marker</strong> with its flag code beside it is to be read with caution; "
        "a <strong>suppressed</strong> cell has no marker and no number, only the word "
        "'suppressed' and its flag codes. The reference group is a blue square, the total a "
        "black diamond, each other group its own colour and marker shape (Okabe-Ito palette). "
        "Rules: docs/reliability.md.</p>"
    )
    if legend is None or not len(legend):
        return html + "<p>The run used no flag codes.</p>"
    cols = [c for c in ("flag", "meaning", "policy", "action", "source") if c in legend]
    return html + page.table(legend[cols].rename(columns={"action": "publication"}))


def methods_section(level: str) -> str:
    docs = [
        (
            "methods-survey.md",
            "Survey estimation: design-based estimates, linearization or "
            "replicate variances, named interval methods, contrasts with the joint covariance",
        ),
        (
            "methods-registry.md",
            "Registry rates: exact Poisson intervals, direct "
            "standardisation with Fay-Feuer intervals, rate ratios and differences",
        ),
        ("reliability.md", "Reliability and disclosure policies and their flag codes"),
        ("multi-country.md", "Multi-country stacking and comparability codes"),
        ("report.md", "Reading this report, the inequality measures and the plotting choices"),
    ]
    items = "".join(f'<li><a href="docs/{d}">{escape(d)}</a>: {escape(t)}</li>' for d, t in docs)
    return (
        f"<p>Every interval is a {escape(level)} interval from the run. Survey estimates are "
        "design-based (weights, strata, clusters); gaps use the covariance of the two groups' "
        "estimates; registry rates treat groups as independent Poisson counts. Inequality "
        "measures (when computed) have delta-method intervals on the joint covariance of the "
        f"group estimates.</p><ul>{items}</ul>"
        "<p>The links are relative to the mhi repository (the docs/ folder).</p>"
    )


def provenance_section(run) -> str:
    prov = pd.DataFrame(sorted(run.provenance.items()), columns=["key", "value"])
    return (
        f"<p>Run read from <code>{escape(run.origin)}</code>; mhi version "
        f"{escape(run.provenance.get('tool_version', 'unknown'))}. Data files are identified "
        "by their SHA-256 (no data is in this report).</p><details><summary>Provenance "
        f"({len(prov)} entries)</summary>{page.table(prov)}</details>"
    )


__all__ = ["Figure"]
