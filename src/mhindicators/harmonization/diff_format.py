"""Text, JSON and Markdown renderings of a semantic diff (`mhi diff`)."""

from __future__ import annotations

import json

from mhindicators.harmonization.diff import CatalogDiff, Change, IndicatorDiff

MAX_SHOWN = 200  # characters of a value quoted in text and markdown
_TEXTS = ("description", "notes", "framework.references")


def diff_json(result: IndicatorDiff | CatalogDiff) -> str:
    """Stable, pretty JSON."""
    kind = "catalog" if isinstance(result, CatalogDiff) else "indicator"
    return json.dumps({"diff": kind, **result.to_dict()}, indent=2, ensure_ascii=False) + "\n"


def diff_text(result: IndicatorDiff | CatalogDiff) -> str:
    """Plain text: one line per change, `~ field [kind] sentence`, declared deviations below."""
    if isinstance(result, CatalogDiff):
        lines = [f"+ {ident} (only in B)" for ident in result.added]
        lines += [f"- {ident} (only in A)" for ident in result.removed]
        for ident, sub in result.changed.items():
            lines.append(f"~ {ident}")
            lines += ["  " + line for line in _indicator_lines(sub)]
        if result.same:
            lines.append("no differences")
        return "\n".join(lines) + "\n"
    lines = [f"A: {result.a}", f"B: {result.b}"]
    if result.variant is not None:
        lines.append(f"{result.variant} is a national variant of the other")
    return "\n".join(lines + _indicator_lines(result)) + "\n"


def _indicator_lines(result: IndicatorDiff) -> list[str]:
    lines = []
    for change in result.changes:
        lines.append(f"~ {change.field} [{change.kind}]")
        if change.field in _TEXTS:
            lines.append("    (text differs)")
        else:
            lines += [f"    A: {_value(change.old)}", f"    B: {_value(change.new)}"]
        if result.variant is not None and change.kind != "metadata":
            declared = result.declared(change)
            if not declared:
                lines.append("    declared: none")
            for dev in declared:
                lines.append(f"    declared: {dev.kind}: {_cap(dev.note)}")
        elif result.variant is None and change.kind != "metadata":
            for side in ("a", "b"):
                for dev in result.declared_on(change, side):
                    lines.append(f"    {side.upper()} declared: {dev.kind}: {_cap(dev.note)}")
    if result.variant is not None:
        for dev in result.deviations:
            if not dev.fields:
                lines.append(f"  declared, no definition field: {dev.kind}: {_cap(dev.note)}")
    else:
        for side, devs in (("A", result.a_deviations), ("B", result.b_deviations)):
            for dev in devs:
                if not dev.fields:
                    note = _cap(dev.note)
                    lines.append(f"  {side} declared, no definition field: {dev.kind}: {note}")
    if not result.changes:
        lines.append("no differences")
    return lines


def diff_markdown(result: IndicatorDiff | CatalogDiff) -> str:
    """A Markdown report: one table of changes per indicator."""
    if isinstance(result, CatalogDiff):
        lines = ["# Catalogue differences", ""]
        if result.added:
            lines += ["Only in B: " + ", ".join(f"`{i}`" for i in result.added), ""]
        if result.removed:
            lines += ["Only in A: " + ", ".join(f"`{i}`" for i in result.removed), ""]
        for ident, sub in result.changed.items():
            lines += [f"## `{ident}`", "", *_table(sub), ""]
        if result.same:
            lines += ["No differences.", ""]
        return "\n".join(lines)
    title = f"# `{result.a}` vs `{result.b}`"
    lines = [title, ""]
    if result.variant is not None:
        lines += [f"`{result.variant}` is a national variant of the other.", ""]
    lines += _table(result)
    sides = [("", result.deviations)] if result.variant is not None else []
    sides = sides or [("A: ", result.a_deviations), ("B: ", result.b_deviations)]
    fieldless = [(side, d) for side, devs in sides for d in devs if not d.fields]
    if fieldless:
        lines += ["", "Deviations that change no definition field:", ""]
        lines += [f"- {side}**{d.kind}**: {_md(d.note)}" for side, d in fieldless]
    return "\n".join(lines) + "\n"


def _table(result: IndicatorDiff) -> list[str]:
    if not result.changes:
        return ["No differences."]
    with_notes = result.variant is not None
    siblings = not with_notes and bool(result.a_deviations or result.b_deviations)
    head, rule = "| field | kind | A | B |", "|---|---|---|---|"
    if with_notes:
        head, rule = head + " declared deviation | note |", rule + "---|---|"
    elif siblings:
        head, rule = head + " declared by A | declared by B |", rule + "---|---|"
    rows = [head, rule]
    for change in result.changes:
        row = (
            f"| {change.field} | {change.kind} | {_cell(change, 'old')} | {_cell(change, 'new')} |"
        )
        if with_notes:
            declared = result.declared(change)
            none = "-" if change.kind == "metadata" else "none"
            kinds = ", ".join(d.kind for d in declared) or none
            notes = " ".join(_md(d.note) for d in declared)
            row += f" {kinds} | {notes} |"
        elif siblings:
            for side in ("a", "b"):
                devs = result.declared_on(change, side)
                row += " " + "; ".join(f"{d.kind}: {_md(d.note)}" for d in devs) + " |"
        rows.append(row)
    return rows


def _cell(change: Change, side: str) -> str:
    value = getattr(change, side)
    if change.field in _TEXTS:
        return "(text)" if value else ""
    if value is None:
        return ""
    return f"`{_md(_value(value))}`"


def cell_text(value: object) -> str:
    """A changed value as one capped line (for tables such as `mhi show`'s)."""
    return _value(value)


def _value(value: object) -> str:
    """A value as one capped line: bands as 15-44, mappings as k = v, lists comma-separated."""
    if value is None:
        return "(none)"
    if isinstance(value, list | tuple) and value and isinstance(value[0], list | tuple):
        text = ", ".join(f"{lo}-{hi}" if hi is not None else f"{lo}+" for lo, hi in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{k} = {v}" for k, v in value.items())
    elif isinstance(value, list | tuple) and value and isinstance(value[0], dict):
        text = ", ".join(str(v.get("kind")) for v in value)  # deviations: notes shown below
    elif isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    return _cap(text)


def _cap(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
