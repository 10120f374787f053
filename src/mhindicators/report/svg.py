"""Interval plots written directly as SVG: one row per line, a point with its interval, notes
beside the rows, a legend, an x axis with round ticks. Milliseconds per plot, text kept as
text, <title>/<desc> for screen readers, and nothing for a browser to fetch."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

WIDTH, ROW, TOP_PAD, BOTTOM = 760, 20, 12, 46
CHAR = 6.1  # px per character of the 11 px sans-serif labels (a generous average)
NOTE_CHARS = 36
#: marker name -> SVG path around (0, 0), about 10 px across
SHAPES = {
    "o": "M5,0A5,5 0 1,1 -5,0A5,5 0 1,1 5,0Z",
    "s": "M-4.5,-4.5H4.5V4.5H-4.5Z",
    "^": "M0,-5.5L5,4H-5Z",
    "v": "M0,5.5L5,-4H-5Z",
    "D": "M0,-5.5L5,0L0,5.5L-5,0Z",
    "P": "M-1.8,-5H1.8V-1.8H5V1.8H1.8V5H-1.8V1.8H-5V-1.8H-1.8Z",
    "X": "M-5,-3L-3,-5L0,-2L3,-5L5,-3L2,0L5,3L3,5L0,2L-3,5L-5,3L-2,0Z",
    "p": "M0,-5.5L5.2,-1.7L3.2,4.5H-3.2L-5.2,-1.7Z",
    "*": "M0,-5.5L1.5,-1.8L5.3,-1.7L2.3,0.8L3.3,4.5L0,2.4L-3.3,4.5L-2.3,0.8L-5.3,-1.7L-1.5,-1.8Z",
}


def nice_ticks(lo: float, hi: float, n: int = 6) -> np.ndarray:
    """Round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        lo, hi = (lo - 1, lo + 1) if math.isfinite(lo) else (0.0, 1.0)
    raw = (hi - lo) / n
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return np.arange(math.floor(lo / step) * step, hi + step * 0.5, step)


@dataclass
class _Layout:
    """Where things go: label column, plot area [x0, x1], rows from `top`, the x scale."""

    width: int
    height: int
    top: int
    x0: float
    x1: float
    ticks: np.ndarray

    def px(self, v):
        lo, hi = float(self.ticks[0]), float(self.ticks[-1])
        return self.x0 + (np.clip(v, lo, hi) - lo) * (self.x1 - self.x0) / (hi - lo)

    @property
    def bottom(self) -> int:
        return self.height - BOTTOM


def interval_svg(
    rows: pd.DataFrame,
    styles: dict,
    xlabel: str,
    ref_x: float | None,
    slug: str,
    title: str,
    desc: str,
) -> str:
    """The plot of `rows` (plots.ROW_COLUMNS) as an <svg> element."""
    notes = rows["note"].astype(str).map(_cut)
    shown = ~rows["hidden"].to_numpy(bool) & np.isfinite(rows["estimate"].to_numpy(float))
    present = set(rows["key"].to_numpy()[shown])
    legend = [k for k in styles if k in present]
    legend = legend if len(legend) > 1 else []
    ref = ref_x if ref_x is not None and math.isfinite(ref_x) else None
    box = _layout(rows, notes, shown, len(legend), ref)
    w, h = box.width, box.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" role="img" width="{w}" '
        f'height="{h}" viewBox="0 0 {w} {h}" aria-labelledby="{slug}-title {slug}-desc" '
        f'font-family="system-ui, \'DejaVu Sans\', sans-serif" font-size="11">',
        f'<title id="{slug}-title">{escape(title)}</title>',
        f'<desc id="{slug}-desc">{escape(desc)}</desc>',
        f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
        *_axis(box, xlabel, ref),
        *_rows(box, rows, notes, shown, styles),
        *_legend(box, legend, styles),
        "</svg>",
    ]
    return "".join(out)


def _layout(rows, notes, shown, n_legend: int, ref: float | None) -> _Layout:
    label_w = min(460, 12 + CHAR * max((len(str(s)) for s in rows["label"]), default=8))
    note_w = max(12 + CHAR * max((len(s) for s in notes), default=0), 20)
    width = max(WIDTH, round(label_w + 340 + note_w))
    top = TOP_PAD + 18 * math.ceil(n_legend / 3)
    vals = rows.loc[shown, ["estimate", "lower", "upper"]].to_numpy(float).ravel()
    vals = np.r_[vals[np.isfinite(vals)], [ref] if ref is not None else []]
    ticks = nice_ticks(*((vals.min(), vals.max()) if len(vals) else (0.0, 1.0)))
    height = top + max(len(rows), 1) * ROW + BOTTOM
    return _Layout(width, height, top, label_w, width - note_w, ticks)


def _axis(box: _Layout, xlabel: str, ref: float | None) -> list[str]:
    """Grid lines, tick labels, the axis and its label, the dashed reference line."""
    top, bottom, out = box.top, box.bottom, []
    for t in box.ticks:
        x = box.px(t)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#e3e3e3"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 15}" text-anchor="middle">{_tick(t)}</text>')
    out.append(f'<line x1="{box.x0}" y1="{bottom}" x2="{box.x1}" y2="{bottom}" stroke="#333"/>')
    out.append(
        f'<text x="{(box.x0 + box.x1) / 2:.1f}" y="{bottom + 34}" text-anchor="middle">'
        f"{escape(xlabel)}</text>"
    )
    if ref is not None:
        x = box.px(ref)
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#555" '
            'stroke-dasharray="4 3"/>'
        )
    return out


def _rows(box: _Layout, rows, notes, shown, styles) -> list[str]:
    """Per row: its label, its interval and marker (hollow: caution), its note."""
    out = []
    for i, r in enumerate(rows.itertuples(index=False)):
        y = box.top + (i + 0.5) * ROW
        label = escape(str(r.label))
        out.append(f'<text x="{box.x0 - 8}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
        if shown[i]:
            colour, marker = styles[r.key]
            if np.isfinite(r.lower) and np.isfinite(r.upper):
                a, b = box.px(r.lower), box.px(r.upper)
                out.append(
                    f'<path d="M{a:.1f},{y}H{b:.1f}M{a:.1f},{y - 4}v8M{b:.1f},{y - 4}v8" '
                    f'stroke="{colour}" stroke-width="1.4" fill="none"/>'
                )
            fill = "#ffffff" if r.hollow else colour
            out.append(
                f'<path d="{SHAPES[marker]}" transform="translate({box.px(r.estimate):.1f},'
                f'{y})" fill="{fill}" stroke="{colour}" stroke-width="1.5"/>'
            )
        if notes.iloc[i]:
            out.append(
                f'<text x="{box.x1 + 8:.1f}" y="{y + 4:.1f}" font-size="10" fill="#333">'
                f"{escape(notes.iloc[i])}</text>"
            )
    return out


def _legend(box: _Layout, keys: list[str], styles) -> list[str]:
    out = []
    for j, key in enumerate(keys):
        colour, marker = styles[key]
        lx, ly = 20 + (j % 3) * (box.width - 40) / 3, TOP_PAD + 18 * (j // 3) + 4
        out.append(
            f'<path d="{SHAPES[marker]}" transform="translate({lx:.1f},{ly})" '
            f'fill="{colour}" stroke="{colour}"/>'
        )
        out.append(f'<text x="{lx + 10:.1f}" y="{ly + 4}">{escape(str(key))}</text>')
    return out


def _cut(note: str) -> str:
    return note if len(note) <= NOTE_CHARS else note[: NOTE_CHARS - 1] + "…"


def _tick(v: float) -> str:
    return f"{v:,.10g}".replace(",", " ") if abs(v) >= 1e4 else f"{v:.10g}"
