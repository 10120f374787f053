"""One catalogue of issue codes, complete whatever was imported (`issues.catalogue()`)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import mhindicators
from mhindicators import issues

PKG = Path(mhindicators.__file__).parent


def _defines_codes(path: Path) -> bool:
    """A module that calls `define(...)` anywhere (codes belong at module level, beside use)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Call) and getattr(node.func, "id", None) == "define"
        for node in ast.walk(tree)
    )


def _module(path: Path) -> str:
    return ".".join(("mhindicators", *path.relative_to(PKG).with_suffix("").parts)).removesuffix(
        ".__init__"
    )


def test_every_defining_module_is_listed():
    defining = {_module(p) for p in PKG.rglob("*.py") if _defines_codes(p)}
    defining.discard("mhindicators.issues")  # define() itself
    assert sorted(defining - set(issues.DEFINING_MODULES)) == []
    assert sorted(set(issues.DEFINING_MODULES) - defining - {"mhindicators.issues"}) == []


def _fresh(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return out.stdout


def test_catalogue_is_complete_in_a_fresh_process():
    """Nothing imported but `issues`: the catalogue still holds every documented code."""
    got = json.loads(
        _fresh(
            "import json, sys\n"
            "from mhindicators import issues\n"
            "before = len(issues.CODES)\n"
            "codes = sorted(issues.catalogue())\n"
            "print(json.dumps({'before': before, 'codes': codes}))"
        )
    )
    page = (PKG.parents[1] / "docs" / "issue-codes.md").read_text(encoding="utf-8")
    documented = sorted(
        line.split("|")[1].strip() for line in page.splitlines() if line.startswith("| MHI")
    )
    assert got["codes"] == documented
    assert got["before"] < len(documented)  # importing `issues` registers no other module's codes


def test_explain_finds_a_code_whose_module_was_not_imported():
    """MHI703 is defined in pipeline/secondary.py, which `mhi explain` never imports itself."""
    out = _fresh(
        "import sys\n"
        "from mhindicators.lint.explain import explain\n"
        "assert 'mhindicators.pipeline.secondary' not in sys.modules\n"
        "print(explain('secondary-suppression-unmet'))"
    )
    assert out.startswith("MHI703 secondary-suppression-unmet (error)")
