"""SARIF 2.1.0 (code scanning) and JUnit XML (test dashboards) renderings of a report."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from mhindicators import __version__
from mhindicators.issues import CODES, Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning"}


def sarif(report: Report) -> str:
    """One run of tool `mhi` with a rule per code used; locations as relative URIs."""
    items = report.sorted()
    used = sorted({i.code for i in items})
    rules = []
    for code in used:
        spec = CODES.get(code)
        rule: dict[str, object] = {"id": code, "name": spec.name if spec else code}
        if spec:
            rule["shortDescription"] = {"text": spec.summary}
            if spec.hint:
                rule["help"] = {"text": spec.hint}
            rule["defaultConfiguration"] = {"level": _LEVEL.get(spec.severity, "note")}
        rules.append(rule)
    results = []
    for item in items:
        text = item.message + (f" (hint: {item.hint})" if item.hint else "")
        result: dict = {
            "ruleId": item.code,
            "ruleIndex": used.index(item.code),
            "level": _LEVEL.get(item.severity, "note"),
            "message": {"text": text},
        }
        if item.file:
            physical: dict = {"artifactLocation": {"uri": Path(item.file).as_posix()}}
            if item.line:
                physical["region"] = {"startLine": item.line, "startColumn": item.col or 1}
            result["locations"] = [{"physicalLocation": physical}]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mhi",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def junit(report: Report, checked: list[str], strict: bool = False) -> str:
    """A test suite with a test case per checked file (failed by its errors, or by warnings
    when `strict`), so CI dashboards count files that pass as well as those that fail."""
    items = report.sorted()
    files = list(dict.fromkeys([*checked, *(i.file or "mhi" for i in items)]))
    cases, failures = [], 0
    for name in files:
        mine = [i for i in items if (i.file or "mhi") == name]
        case = f'  <testcase classname="mhi.validate" name={quoteattr(name)}'
        if not mine:
            cases.append(case + "/>")
            continue
        if not strict and all(i.severity != "error" for i in mine):
            out = escape("\n".join(i.format_text() for i in mine))
            cases.append(case + f">\n    <system-out>{out}</system-out>\n  </testcase>")
            continue
        failures += 1
        body = "\n".join(i.format_text() for i in mine)
        kinds = sorted({i.code for i in mine})
        summary = f"{len(mine)} issue(s): {', '.join(kinds)}"
        cases.append(
            case + ">\n"
            f'    <failure message={quoteattr(summary)} type="mhi">{escape(body)}</failure>\n'
            "  </testcase>"
        )
    head = (
        f'<testsuite name="mhi validate" tests="{len(files)}" failures="{failures}" '
        'errors="0" skipped="0">'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + "\n".join([head, *cases, "</testsuite>"])
        + "\n"
    )
