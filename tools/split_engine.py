"""Codemod: split `mhindicators/engine/` into core/, frame/, survey/, registry/ and pipeline/.

Reproducible and idempotent, so a branch written against the old layout can be merged and then
carried over by running this again:

    python tools/split_engine.py            # (a) git mv the modules, (b) rewrite every reference
    python tools/split_engine.py --rewrite  # (b) only: imports, dotted names and paths

Merging a branch made before the split: `git -c merge.directoryRenames=false merge BRANCH`,
then this script. Edits to moved modules follow them by rename detection; a module the branch
added to engine/ stays there (git's directory-rename guess would put it in pipeline/, where
most of engine/ went) until this script moves it by `PATTERNS` or stops and names it.
Then run tests/unit/test_layering.py and tests/unit/test_issue_catalogue.py (a new module
calling `issues.define` must be added to `issues.DEFINING_MODULES`).

(a) moves each module of `MOVES` (and of `PATTERNS`, for files added later, such as
`engine/inequality_*.py`) with `git mv`; a module of `engine/` that no rule maps stops the run
and is named, so nothing is left behind silently. (b) rewrites, in src/, tests/, bench/, tools/,
docs/ and the top-level files: `mhindicators.engine.x` dotted names (imports, strings given to
monkeypatch, `importlib` tables), `from mhindicators.engine import x, y` (split per new package,
with `as x` when the module was renamed), bare `engine.x` in prose, and paths such as
`engine/stats.py` or `src/mhindicators/engine/policies` (not `tests/engine/`, which stays). Then
ruff sorts the imports of the files it changed. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
PKG = ROOT / "src" / "mhindicators"

#: old module (relative to mhindicators) -> new module
MOVES: dict[str, str] = {
    # core/: pure numeric; numpy arrays in and out, no file or pandas I/O
    "engine.ci": "core.intervals",
    "engine.stats": "core.stats",
    "engine.design": "core.design",
    "engine.replicate_columns": "core.replicate_columns",
    "engine.replicate_sums": "core.replicate_sums",
    "engine.replicates": "core.replicates",
    "engine.linearization": "core.linearization",
    "engine.logit_moments": "core.logit_moments",
    "engine.quantiles": "core.quantiles",
    # frame/: from a harmonised frame to what the estimators reduce (rows' y, x, ages; cells)
    "engine.measures": "frame.measures",
    "engine.ages": "frame.ages",
    "engine.domains": "frame.domains",
    # survey/: design-based estimators over core/
    "engine.survey": "survey.indicators",
    "engine.survey_estimate": "survey.estimate",
    "engine.survey_contrasts": "survey.contrasts",
    "engine.survey_standardize": "survey.standardize",
    "engine.survey_quantile": "survey.quantile",
    "engine.survey_poverty": "survey.poverty",
    "engine.survey_inequality": "survey.inequality",
    # registry/: rates, ratios and proportions of registers over core/
    "engine.registry": "registry.indicators",
    "engine.rates": "registry.rates",
    "engine.rate_contrasts": "registry.contrasts",
    "engine.registry_proportions": "registry.proportions",
    # pipeline/: plan, read + harmonise, accumulate, finalise, policies and flags, report
    "engine.compute": "pipeline.compute",
    "engine.datasets": "pipeline.datasets",
    "engine.plan": "pipeline.plan",
    "engine.register_plan": "pipeline.register_plan",
    "engine.profile_design": "pipeline.profile_design",
    "engine.quality": "pipeline.quality",
    "engine.flags": "pipeline.flags",
    "engine.report": "pipeline.report",
    "engine.run_warnings": "pipeline.run_warnings",
    "engine.secondary": "pipeline.secondary",
    "outputs.labels": "pipeline.labels",  # labelling a result is a finalise step of the run
    "harmonization.matrix": "pipeline.matrix",  # plans every dataset as a run would
}

#: files added to engine/ later (other branches): glob on the module name -> new package
PATTERNS: dict[str, str] = {
    "inequality_measures": "core",
    "inequality_*": "survey",
    "survey_*": "survey",
    "registry_*": "registry",
    "rate_*": "registry",
}

#: directories moved whole
DIRS: dict[str, str] = {"engine/policies": "pipeline/policies"}

NEW_PACKAGES = {
    "core": "Pure numeric core: sufficient statistics and their merge, Taylor and replicate "
    "variance, named interval methods (numpy arrays in and out, no I/O).",
    "frame": "From a harmonised frame to what the estimators reduce: each row's y, x, universe "
    "and age group, and the cells and margins of a table.",
    "survey": "Survey (design-based) estimators over the numeric core: ratios, proportions, "
    "means, totals, quantiles, distribution measures, contrasts, standardisation.",
    "registry": "Registry estimators over the numeric core: crude, age-specific and "
    "standardised rates, ratios and proportions, contrasts vs a reference group.",
    "pipeline": "The run: plan, read and harmonise, accumulate, finalise (labels, reliability "
    "policies and flags, suppression) and the run report.",
}

TEXT_DIRS = ("src", "tests", "bench", "tools", "docs")
TEXT_FILES = ("README.md", "mkdocs.yml", "pyproject.toml", "CONTRIBUTING.md", ".ci/run")
SUFFIXES = {".py", ".md", ".R", ".yml", ".yaml", ".toml", ".txt", ".sh", ".cfg", ".ini"}
SKIP_PARTS = {".venv", ".git", "__pycache__", "site", ".ci-venv", ".ci-venv-lowest"}


def mapping() -> dict[str, str]:
    """Every old module -> new module: the table, plus the patterns over engine/'s files."""
    table = dict(MOVES)
    engine = PKG / "engine"
    names = {p.stem for p in engine.glob("*.py")} if engine.is_dir() else set()
    for name in sorted(names - {"__init__"}):
        old = f"engine.{name}"
        if old in table:
            continue
        for pattern, package in PATTERNS.items():
            if fnmatch.fnmatch(name, pattern):
                table[old] = f"{package}.{name}"
                break
    return table


def move_files(table: dict[str, str]) -> None:
    """(a) git mv every mapped module that is still at its old place; refuse unmapped ones."""
    for old, new in table.items():
        src = PKG / (old.replace(".", "/") + ".py")
        dst = PKG / (new.replace(".", "/") + ".py")
        if not src.exists():
            continue
        if dst.exists():
            sys.exit(f"split_engine: both {src} and {dst} exist; merge them by hand")
        _package(dst.parent)
        _git("mv", str(src), str(dst))
    for old, new in DIRS.items():
        src, dst = PKG / old, PKG / new
        if src.is_dir() and not dst.exists():
            _git("mv", str(src), str(dst))
    engine = PKG / "engine"
    if engine.is_dir():
        left = sorted(p.name for p in engine.iterdir() if p.name not in {"__pycache__"})
        if left != ["__init__.py"] and left:
            sys.exit(f"split_engine: no rule moves engine/{left}; add them to MOVES or PATTERNS")
        if (engine / "__init__.py").exists():
            _git("rm", "-q", str(engine / "__init__.py"))


def _package(folder: Path) -> None:
    init = folder / "__init__.py"
    if not init.exists():
        folder.mkdir(parents=True, exist_ok=True)
        init.write_text(_docstring(NEW_PACKAGES[folder.name]))
        _git("add", str(init))


def _docstring(text: str) -> str:
    """A module docstring wrapped at 96 columns."""
    import textwrap

    return '"""' + "\n".join(textwrap.wrap(text + '"""', 96)) + "\n"


def _git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True)


def _from_engine_import(table: dict[str, str]):
    """`from mhindicators.engine import a, b as c` -> one import per new package."""
    pattern = re.compile(
        r"^(?P<indent>[ \t]*)from mhindicators\.engine import "
        r"(?:\((?P<multi>[^)]*)\)|(?P<single>[^\n#]+))",
        re.M,
    )

    def replace(m: re.Match) -> str:
        names = (m["multi"] or m["single"]).replace("\n", " ").split(",")
        by_package: dict[str, list[str]] = {}
        for item in filter(None, (n.strip() for n in names)):
            name, _, alias = (part.strip() for part in item.partition(" as "))
            new = resolve(f"engine.{name}", table)
            if new is None:
                return m[0]  # not a module of ours (left for a human to see)
            package, module = new.rsplit(".", 1)
            bound = alias or name
            by_package.setdefault(package, []).append(
                module if module == bound else f"{module} as {bound}"
            )
        return "\n".join(
            f"{m['indent']}from mhindicators.{package} import {', '.join(mods)}"
            for package, mods in by_package.items()
        )

    return pattern, replace


def resolve(old: str, table: dict[str, str]) -> str | None:
    """The new module of `old` (`engine.x`, `outputs.labels`, ...), from the table or a pattern."""
    if old in table:
        return table[old]
    package, _, name = old.partition(".")
    if package == "engine" and "." not in name:
        for pattern, new_package in PATTERNS.items():
            if fnmatch.fnmatch(name, pattern):
                return f"{new_package}.{name}"
    return None


def rewrite_text(text: str, table: dict[str, str]) -> str:
    """(b) every reference to an old module or path, rewritten to the new one."""
    pattern, replace = _from_engine_import(table)
    text = pattern.sub(replace, text)
    packages = "|".join(sorted({o.split(".")[0] for o in table}))

    def dotted(m: re.Match) -> str:
        new = resolve(f"{m[2]}.{m[3]}", table)
        return m[0] if new is None else f"{m[1]}{new}"

    text = re.sub(rf"\b(mhindicators\.)({packages})\.(\w+)\b", dotted, text)
    # prose: `engine.rates`, `engine.compute._run_survey`
    text = re.sub(r"(?<![\w./])()(engine)\.(\w+)\b", dotted, text)
    for old, new in DIRS.items():
        text = re.sub(rf"(?<![\w.])(?<!tests/){re.escape(old)}\b", new, text)
    text = text.replace('package / "engine" / "policies"', 'package / "pipeline" / "policies"')

    def path(m: re.Match) -> str:
        new = resolve(f"{m[2]}.{m[3]}", table)
        return m[0] if new is None else m[1] + new.replace(".", "/") + ".py"

    # paths: engine/stats.py, src/mhindicators/engine/ci.py; never tests/engine/
    return re.sub(
        rf"(?<![\w.])(?<!tests/)((?:src/)?(?:mhindicators/)?)({packages})/(\w+)\.py\b", path, text
    )


def text_files() -> list[Path]:
    files = [ROOT / f for f in TEXT_FILES if (ROOT / f).is_file()]
    for top in TEXT_DIRS:
        for path in sorted((ROOT / top).rglob("*")):
            skip = SKIP_PARTS & set(path.parts) or "egg-info" in str(path)
            if path.is_file() and path.suffix in SUFFIXES and not skip and path != HERE:
                files.append(path)
    return files


def rewrite_all(table: dict[str, str]) -> list[Path]:
    changed = []
    for path in text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # a binary fixture that happens to end in .txt or .csv
            continue
        new = rewrite_text(text, table)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    python = [str(p) for p in changed if p.suffix == ".py"]
    if python:  # the rewritten imports land in ruff's (isort's) order
        ruff = [sys.executable, "-m", "ruff"]
        subprocess.run([*ruff, "check", "-q", "--select", "I", "--fix", *python], cwd=ROOT)
        subprocess.run([*ruff, "format", "-q", *python], cwd=ROOT)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rewrite", action="store_true", help="only rewrite references")
    args = parser.parse_args(argv)
    table = mapping()
    if not args.rewrite:
        move_files(table)
    changed = rewrite_all(table)
    for path in changed:
        print(f"rewrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
