"""docs/ci.md's pre-commit recipe, followed literally: the hook installed from a local clone.

pre-commit builds the hook's environment from the clone (pip install of mhi and its
dependencies), so the clone's commit is made deterministic (fixed dates and author) and the
environments are kept in the pytest cache: the install runs once per change of the sources.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "indicator_defs" / "access_to_care" / "eu_unmet_dental_need.yaml"
BAD = "id: broken\nversion: 1.0.0\nestimator: not_an_estimator\n"
FIXED = {
    "GIT_AUTHOR_NAME": "mhi test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "mhi test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


def _git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **FIXED}
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def _local_clone(dest: Path) -> str:
    """A git repository holding the working tree's package files; returns its commit."""
    listed = _git("ls-files", "-co", "--exclude-standard", cwd=ROOT).splitlines()
    keep = ("src/", "pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml")
    for name in sorted(n for n in listed if n.startswith(keep) and (ROOT / n).is_file()):
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, target)
    _git("init", "-q", cwd=dest)
    _git("add", "-A", cwd=dest)
    _git("commit", "-q", "-m", "mhi", cwd=dest)
    return _git("rev-parse", "HEAD", cwd=dest)


def _recipe() -> str:
    """The .pre-commit-config.yaml block of docs/ci.md, verbatim."""
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(repos:\n.*?)```", text, re.S)
    assert block, "docs/ci.md has no ```yaml repos: block"
    return block.group(1)


@pytest.fixture(scope="module")
def cache_dir(request: pytest.FixtureRequest, tmp_path_factory) -> Path:
    """Kept between runs (same clone path and commit: pre-commit reuses its environment)."""
    cache = getattr(request.config, "cache", None)
    return cache.mkdir("mhi-pre-commit") if cache else tmp_path_factory.mktemp("pre-commit")


def test_docs_recipe_passes_good_and_fails_bad(tmp_path: Path, cache_dir: Path) -> None:
    clone = cache_dir / "mhi"
    shutil.rmtree(clone, ignore_errors=True)
    clone.mkdir()
    rev = _local_clone(clone)
    config = _recipe()
    assert "/path/to/mhi" in config and "<commit>" in config
    config = config.replace("/path/to/mhi", str(clone)).replace("<commit>", rev)
    repo = tmp_path / "defs-repo"
    (repo / "indicator_defs").mkdir(parents=True)
    shutil.copyfile(GOOD, repo / "indicator_defs" / GOOD.name)
    (repo / "mhi.yaml").write_text("this: is not a definition\n", encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    _git("init", "-q", cwd=repo)
    _git("add", "-A", cwd=repo)
    env = {**os.environ, "PRE_COMMIT_HOME": str(cache_dir / "home"), "NO_COLOR": "1"}
    run = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"]

    ok = subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "mhi validate" in ok.stdout and "Passed" in ok.stdout

    (repo / "indicator_defs" / "broken.yaml").write_text(BAD, encoding="utf-8")
    _git("add", "-A", cwd=repo)
    bad = subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert re.search(r"indicator_defs/broken\.yaml:3:12: error MHI114", bad.stdout), bad.stdout
    assert GOOD.name not in bad.stdout and "mhi.yaml" not in bad.stdout
