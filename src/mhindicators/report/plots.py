"""Interval plots (forest plots of estimates, gaps, country comparisons): SVG written by
`svg.interval_svg` for the page and for SVG files; PNG files drawn from the same rows with
matplotlib (the optional `report` extra), which only `--plot-format png` needs."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mhindicators.errors import UsageError
from mhindicators.issues import issue
from mhindicators.report.svg import interval_svg

#: Okabe & Ito (2008) colour-blind-safe palette: reference blue, the groups in the others
#: (not its yellow, too light on white)
REFERENCE = ("#0072B2", "s")
TOTAL = ("#000000", "D")
COLOURS = ["#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999999"]
#: not the square and diamond of the reference and the total; 6 colours x 7 shapes: 42 pairs
MARKERS = ["o", "^", "v", "P", "X", "*", "p"]
PLOT_FORMATS = ("svg", "png")
#: notes beside a row are cut to this length in the plot (whole in its data table)
NOTE_CHARS = 36
#: columns of the frame `interval_figure` draws, one row per line of the plot
ROW_COLUMNS = ["label", "estimate", "lower", "upper", "key", "hollow", "hidden", "note"]


@dataclass
class Figure:
    """One plot: its SVG for the page, and what it was drawn from (to draw it as PNG)."""

    name: str
    title: str
    desc: str
    svg: str
    rows: pd.DataFrame
    xlabel: str
    ref_x: float | None
    styles: dict


def require_matplotlib() -> None:
    """matplotlib with the report's settings, or UsageError MHI950."""
    try:
        import matplotlib
    except ImportError:
        msg = "mhi report needs matplotlib, which is not installed"
        raise UsageError(msg, [issue("MHI950", msg)]) from None
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: selectable, searchable, read aloud
            "font.family": "sans-serif",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


def check_plot_format(fmt: str) -> None:
    if fmt not in PLOT_FORMATS:
        msg = f"unknown plot format {html.escape(str(fmt))[:20]!r}; use svg or png"
        raise UsageError(msg, [issue("MHI959", msg)])


def interval_figure(
    name: str,
    rows: pd.DataFrame,
    xlabel: str,
    title: str,
    desc: str,
    ref_x: float | None = None,
    known: dict | None = None,
) -> Figure:
    """Points with intervals, one row each (ROW_COLUMNS); hidden rows show their note only
    (a suppressed cell has no number), hollow markers mark cells to read with caution;
    `known` styles keys the same in every plot (`palette`)."""
    slug = re.sub(r"[^A-Za-z0-9_-]", "-", name)
    styles = _styles(rows["key"], known)
    text = interval_svg(rows, styles, xlabel, ref_x, slug, title, desc)
    return Figure(name, title, desc, text, rows, xlabel, ref_x, styles)


def _png(fig: Figure, path: Path) -> None:
    """The figure drawn with matplotlib as a 200 dpi PNG."""
    rows, xlabel, ref_x, styles = fig.rows, fig.xlabel, fig.ref_x, fig.styles
    require_matplotlib()
    import matplotlib
    from matplotlib.figure import Figure as MplFigure

    n = len(rows)
    # fixed margins from the label lengths: a layout engine would lay the text out twice
    longest = max((len(str(s)) for s in rows["label"]), default=10)
    notes = min(max((len(str(s)) for s in rows["note"]), default=0), NOTE_CHARS)
    height = 1.3 + 0.26 * max(n, 1)
    canvas = MplFigure(figsize=(8.0, height))  # not pyplot: no global figure list
    left = min(0.55, 0.1 + 0.062 * longest / 8.0)
    right = 1 - min(0.3, 0.02 + 0.058 * notes / 8.0)
    ax = canvas.add_axes((left, 0.55 / height, right - left, 1 - 1.05 / height))
    y = -np.arange(n, dtype=float)
    shown = ~rows["hidden"].to_numpy(bool) & np.isfinite(rows["estimate"].to_numpy(float))
    for key, (colour, marker) in styles.items():
        labelled = False
        for hollow in (False, True):
            sel = (
                shown & (rows["key"] == key).to_numpy() & (rows["hollow"].to_numpy(bool) == hollow)
            )
            if not sel.any():
                continue
            est = rows["estimate"].to_numpy(float)[sel]
            lo, hi = rows["lower"].to_numpy(float)[sel], rows["upper"].to_numpy(float)[sel]
            err = np.vstack([np.nan_to_num(est - lo), np.nan_to_num(hi - est)])
            ax.errorbar(
                est,
                y[sel],
                xerr=err,
                fmt=marker,
                color=colour,
                ecolor=colour,
                capsize=2,
                markersize=6,
                markerfacecolor="white" if hollow else colour,
                linewidth=1.2,
                label=None if labelled else key,
            )
            labelled = True
    if ref_x is not None and np.isfinite(ref_x):
        ax.axvline(ref_x, color="#555555", linewidth=0.8, linestyle="--")
    trans = matplotlib.transforms.blended_transform_factory(ax.transAxes, ax.transData)
    for yi, note, hidden in zip(y, rows["note"], rows["hidden"], strict=True):
        if hidden or note:
            short = note if len(note) <= NOTE_CHARS else note[: NOTE_CHARS - 1] + "…"
            ax.text(1.01, yi, short, transform=trans, va="center", fontsize=8, color="#333333")
    ax.set_yticks(y, list(rows["label"]))
    ax.set_ylim(-n + 0.4, 0.6)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    if len(ax.get_legend_handles_labels()[1]) > 1:
        canvas.legend(
            loc="upper center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False, fontsize=8
        )
    canvas.savefig(path, format="png", dpi=200, metadata={"Software": None})


def palette(keys) -> dict[str, tuple[str, str]]:
    """Colour and marker per key, in order: one palette for the whole report keeps a group
    (or a country) the same colour and shape in every plot."""
    return {k: (COLOURS[i % len(COLOURS)], MARKERS[i % len(MARKERS)]) for i, k in enumerate(keys)}


def _styles(keys: pd.Series, known: dict | None = None) -> dict[str, tuple[str, str]]:
    out, extra = {}, len(known or {})
    for key in dict.fromkeys(keys):
        if key.endswith("(reference)"):
            out[key] = REFERENCE
        elif key == "Total":
            out[key] = TOTAL
        elif known and key in known:
            out[key] = known[key]
        else:
            out[key] = (COLOURS[extra % len(COLOURS)], MARKERS[extra % len(MARKERS)])
            extra += 1
    return out


def write_figures(figures: list[Figure], folder: Path | str, fmt: str = "svg") -> list[Path]:
    """Each figure as <name>.svg or <name>.png (200 dpi) in `folder`, written atomically."""
    from mhindicators.outputs.atomic import atomic_path

    check_plot_format(fmt)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fig in figures:
        target = folder / f"{fig.name}.{fmt}"
        with atomic_path(target) as tmp:
            if fmt == "svg":
                tmp.write_text(
                    '<?xml version="1.0" encoding="utf-8"?>\n' + fig.svg, encoding="utf-8"
                )
            else:
                _png(fig, tmp)
        written.append(target)
    return written
