"""The HTML page: one file, inline CSS and SVG, no script, font or image fetched."""

from __future__ import annotations

import math
from html import escape

import pandas as pd

CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: #1a1a1a; max-width: 1000px; margin: 0 auto; padding: 1rem 1.5rem 4rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.5rem;
  border-bottom: 2px solid #0072B2; padding-bottom: .2rem; } h3 { margin-top: 1.8rem; }
.meta { color: #555; margin-top: 0; }
nav ol { columns: 2; font-size: .9rem; }
figure { margin: 1rem 0; } figcaption { font-size: .9rem; color: #333; }
svg.plot { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .2rem .45rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.suppressed { color: #555; font-style: italic; } tr.caution td { background: #fff6dd; }
details { margin: .4rem 0 1rem; } summary { cursor: pointer; color: #0b5394; }
.note { background: #f4f8fb; border-left: 4px solid #0072B2; padding: .5rem .8rem; }
.warn { background: #fff6dd; border-left: 4px solid #E69F00; padding: .5rem .8rem; }
code { font-size: .85em; background: #f2f2f2; padding: 0 .2em; }
@media print { details { display: block; } nav { display: none; } }
"""


def number(value: object, digits: int = 3) -> str:
    """A number with `digits` significant decimals for display ('' when missing)."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return escape(str(value))
    if not math.isfinite(x):
        return ""
    if x == int(x) and abs(x) < 1e15:
        return f"{x:,.0f}"  # counts, and round values such as 100 %
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:,.{min(decimals, 6)}f}"


def table(frame: pd.DataFrame, caption: str = "", numeric: tuple[str, ...] = ()) -> str:
    """An HTML table; cells of rows whose `action` is suppress show 'suppressed'."""
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in frame.columns if c != "action")
    body = []
    for row in frame.itertuples(index=False):
        values = dict(zip(frame.columns, row, strict=True))
        action = values.pop("action", "")
        cells = []
        for col, val in values.items():
            if col in numeric and action == "suppress":
                cells.append('<td class="suppressed">suppressed</td>')
            elif col in numeric:
                cells.append(f'<td class="num">{number(val)}</td>')
            else:
                cells.append(f"<td>{escape('' if _missing(val) else str(val))}</td>")
        cls = ' class="caution"' if action == "publish_with_caution" else ""
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _missing(val: object) -> bool:
    return val is None or (isinstance(val, float) and math.isnan(val))


def figure(fig, data_table: str, caption: str) -> str:
    """A plot with its caption and its data as a table (the text alternative)."""
    return (
        f"<figure>{fig.svg}<figcaption>{escape(caption)}</figcaption></figure>"
        f"<details><summary>Data of this plot as a table</summary>{data_table}</details>"
    )


def document(title: str, sections: list[tuple[str, str, str]], meta: str) -> str:
    """The page: title, contents and (anchor, heading, html) sections."""
    nav = "".join(f'<li><a href="#{a}">{escape(h)}</a></li>' for a, h, _ in sections if h)
    body = "".join(
        f'<section id="{a}"><h2>{escape(h)}</h2>{content}</section>' if h else content
        for a, h, content in sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{escape(title)}</h1><p class="meta">{meta}</p></header>'
        f'<nav aria-label="Contents"><h2>Contents</h2><ol>{nav}</ol></nav>'
        f"<main>{body}</main></body></html>\n"
    )
