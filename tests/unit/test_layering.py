"""The package layout keeps its arrows pointing down (docs/architecture.md).

    cli -> pipeline / outputs -> harmonization -> survey / registry -> frame -> core

Every `import` of every module is read with `ast`, including the ones inside functions (a lazy
import is still a dependency), so a new upward import fails here with the file and line."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import mhindicators

PKG = Path(mhindicators.__file__).parent

#: the leaf modules and packages everything may use (models, messages, vocabulary, expressions)
BASE = {
    "errors",
    "issues",
    "results",
    "definitions",
    "expr",
    "vocabulary",
    "stdpop",
    "yamlsource",
    "schema_errors",
}

#: package -> the other mhindicators packages it may import (None: not restricted here)
ALLOWED: dict[str, set[str]] = {
    "core": {"errors", "issues"},
    "frame": {"core"} | BASE,
    "survey": {"core", "frame"} | BASE,
    "registry": {"core", "frame"} | BASE,
}

#: package -> packages it must never import
FORBIDDEN: dict[str, set[str]] = {
    "pipeline": {"cli", "outputs"},
    "outputs": {"cli", "pipeline"},
    "report": {"cli"},  # reads runs, and computes one or the matrix when asked
    "harmonization": {"cli", "pipeline", "outputs", "survey", "registry", "core", "frame"},
    **{p: {"cli"} for p in ("definitions", "expr", "vocabulary", "profiles", "readers", "policy")},
}

#: numeric core: no files, no readers, no pandas or pyarrow I/O
CORE_IO_MODULES = {"io", "os", "pathlib", "shutil", "tempfile", "pyarrow", "csv", "json"}
CORE_IO_CALLS = {"open", "to_csv", "to_parquet", "to_excel", "to_json", "read_bytes"}


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    module: str  # absolute, dotted
    names: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(PKG.parent)}:{self.line}"


def _package(path: Path) -> str:
    parts = path.relative_to(PKG).with_suffix("").parts
    return parts[0]


def _imports(path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = ".".join(("mhindicators", *path.relative_to(PKG).with_suffix("").parts))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [Import(path, node.lineno, a.name, ()) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against this module's package
                base = here.split(".")[: -node.level]
                module = ".".join([*base, module] if module else base)
            out.append(Import(path, node.lineno, module, tuple(a.name for a in node.names)))
    return out


def _targets(imp: Import) -> set[str]:
    """The mhindicators packages an import reaches (`from mhindicators import x` reaches x)."""
    parts = imp.module.split(".")
    if parts[0] != "mhindicators":
        return set()
    if len(parts) > 1:
        return {parts[1]}
    return {n for n in imp.names if not n.startswith("__")}


MODULES = sorted(PKG.rglob("*.py"))
ALL_IMPORTS = [imp for path in MODULES for imp in _imports(path)]


def test_engine_is_gone():
    """The flat `engine/` package was split; nothing may recreate or import it."""
    assert not (PKG / "engine").exists()
    assert not [i.where for i in ALL_IMPORTS if i.module.startswith("mhindicators.engine")]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_lower_layers_import_only_what_is_below(package):
    bad = [
        f"{i.where}: {i.module}"
        for i in ALL_IMPORTS
        if _package(i.path) == package
        for t in _targets(i)
        if t != package and t not in ALLOWED[package]
    ]
    assert not bad, f"{package}/ imports above its layer:\n" + "\n".join(bad)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_upward_imports(package):
    bad = [
        f"{i.where}: {i.module}"
        for i in ALL_IMPORTS
        if _package(i.path) == package
        for t in _targets(i)
        if t in FORBIDDEN[package]
    ]
    assert not bad, f"{package}/ imports a layer above it:\n" + "\n".join(bad)


def test_only_the_entry_points_import_the_cli():
    entry = {"cli", "__main__", "docgen"}  # docgen renders the CLI's help into docs/
    bad = [
        f"{i.where}: {i.module}"
        for i in ALL_IMPORTS
        if "cli" in _targets(i) and _package(i.path) not in entry
    ]
    assert not bad


def test_no_private_names_across_packages():
    """`from mhindicators.a.b import _x` in another package: make `_x` public or move it."""
    bad = [
        f"{i.where}: {i.module}.{n}"
        for i in ALL_IMPORTS
        if i.module.startswith("mhindicators.") and i.module.split(".")[1] != _package(i.path)
        for n in i.names
        if n.startswith("_") and not n.startswith("__")
    ]
    assert not bad, "\n".join(bad)


def test_core_does_no_io():
    """core/ takes and returns arrays: no files, no readers, no pandas or pyarrow I/O."""
    bad = []
    for path in (PKG / "core").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for imp in _imports(path):
            if imp.module.split(".")[0] in CORE_IO_MODULES:
                bad.append(f"{imp.where}: import {imp.module}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name in CORE_IO_CALLS or name.startswith("read_"):
                    bad.append(f"{path.relative_to(PKG.parent)}:{node.lineno}: {name}()")
    assert not bad, "\n".join(bad)


def test_the_rules_see_imports():
    """Guard against a vacuous pass: the parser finds the imports we know exist."""
    found = {(_package(i.path), t) for i in ALL_IMPORTS for t in _targets(i)}
    assert {("survey", "core"), ("registry", "core"), ("pipeline", "survey")} <= found
    assert ("cli", "pipeline") in found
