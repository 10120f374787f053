"""Interval plots (forest plots of estimates, gaps, country comparisons) drawn with matplotlib
and kept as SVG with its text as text, a <title>/<desc> for screen readers and ids unique within
the page; the same figures can be written as SVG or PNG files for publications."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mhindicators.errors import UsageError
from mhindicators.issues import issue

#: Okabe & Ito (2008) colour-blind-safe palette: reference blue, the groups in the others
#: (not its yellow, too light on white)
REFERENCE = ("#0072B2", "s")
TOTAL = ("#000000", "D")
CYCLE = [
    ("#D55E00", "o"), ("#009E73", "^"), ("#CC79A7", "v"), ("#E69F00", "P"),
    ("#56B4E9", "X"), ("#999999", "*"),
]  # fmt: skip
PLOT_FORMATS = ("svg", "png")
#: notes beside a row are cut to this length in the plot (whole in its data table)
NOTE_CHARS = 36
#: columns of the frame `interval_figure` draws, one row per line of the plot
ROW_COLUMNS = ["label", "estimate", "lower", "upper", "key", "hollow", "hidden", "note"]


@dataclass
class Figure:
    """One plot: its SVG for the page, and the matplotlib figure to write as a file."""

    name: str
    title: str
    desc: str
    svg: str
    figure: object


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
    name: str, rows: pd.DataFrame, xlabel: str, title: str, desc: str, ref_x: float | None = None
) -> Figure:
    """Points with intervals, one row each (ROW_COLUMNS); hidden rows show their note only
    (a suppressed cell has no number), hollow markers mark cells to read with caution."""
    require_matplotlib()
    import matplotlib
    from matplotlib.figure import Figure as MplFigure

    matplotlib.rcParams["svg.hashsalt"] = name  # ids unique between the page's SVGs
    n = len(rows)
    # fixed margins from the label lengths: a layout engine would lay the text out twice
    longest = max((len(str(s)) for s in rows["label"]), default=10)
    notes = min(max((len(str(s)) for s in rows["note"]), default=0), NOTE_CHARS)
    height = 1.3 + 0.26 * max(n, 1)
    fig = MplFigure(figsize=(8.0, height))  # not pyplot: no global figure list
    left = min(0.55, 0.1 + 0.062 * longest / 8.0)
    right = 1 - min(0.3, 0.02 + 0.058 * notes / 8.0)
    ax = fig.add_axes((left, 0.55 / height, right - left, 1 - 1.05 / height))
    y = -np.arange(n, dtype=float)
    styles = _styles(rows["key"])
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
                est, y[sel], xerr=err, fmt=marker, color=colour, ecolor=colour, capsize=2,
                markersize=6, markerfacecolor="white" if hollow else colour, linewidth=1.2,
                label=None if labelled else key,
            )  # fmt: skip
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
        fig.legend(loc="upper center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False,
                   fontsize=8)  # fmt: skip
    return Figure(name, title, desc, _svg(fig, name, title, desc), fig)


def _styles(keys: pd.Series) -> dict[str, tuple[str, str]]:
    out, i = {}, 0
    for key in dict.fromkeys(keys):
        if key.endswith("(reference)"):
            out[key] = REFERENCE
        elif key == "Total":
            out[key] = TOTAL
        else:
            out[key] = CYCLE[i % len(CYCLE)]
            i += 1
    return out


def _svg(fig, name: str, title: str, desc: str) -> str:
    """The figure as inline SVG: no XML prolog, role=img labelled by its <title> and <desc>."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    slug = re.sub(r"[^A-Za-z0-9_-]", "-", name)
    # matplotlib numbers its ids per figure (figure_1, patch_1): prefixed, unique in the page
    text = re.sub(r'\bid="', f'id="{slug}-', text)
    text = text.replace('href="#', f'href="#{slug}-').replace("url(#", f"url(#{slug}-")
    label = (
        f'<title id="{slug}-title">{html.escape(title)}</title>'
        f'<desc id="{slug}-desc">{html.escape(desc)}</desc>'
    )
    text = re.sub(
        r"<svg ",
        f'<svg role="img" aria-labelledby="{slug}-title {slug}-desc" class="plot" ',
        text,
        count=1,
    )
    return re.sub(r"(<svg[^>]*>)", r"\1" + label.replace("\\", "\\\\"), text, count=1)


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
                fig.figure.savefig(tmp, format="png", dpi=200, metadata={"Software": None})
        written.append(target)
    return written
