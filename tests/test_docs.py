"""Docs that are generated from the code must be current; README commands must be what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mhindicators.docgen import PAGES
from mhindicators.issues import catalogue

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.reference_toolchain
@pytest.mark.parametrize("name", sorted(PAGES))
def test_generated_page_is_current(name: str) -> None:
    committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert committed == PAGES[name](), f"docs/{name} is stale: run python -m mhindicators.docgen"


def test_every_issue_code_is_documented_with_summary_and_hint() -> None:
    page = (ROOT / "docs" / "issue-codes.md").read_text(encoding="utf-8")
    for code in catalogue().values():
        assert f"| {code.code} | `{code.name}` |" in page
        assert code.summary, code.code
        assert code.hint, f"{code.code} has no hint"


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [line for b in blocks for line in b.splitlines() if line.startswith("python -m pip")]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    commands = _readme_commands()
    test_cmd = next(c for c in commands if "[test]" in c)
    assert test_cmd in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_main_command_runs_mhi_compute() -> None:
    commands = _readme_commands()
    assert any(c.endswith("&& mhi compute") for c in commands)


def test_every_output_status_is_documented():
    from mhindicators.core import intervals as ci
    from mhindicators.registry import rates

    text = (ROOT / "docs" / "project-file.md").read_text(encoding="utf-8")
    statuses = [s for s in ci.STATUS.values() if s != "ok"]
    statuses += [*rates._STATUS.values(), "MHI342", "empty-age-band"]
    missing = [s for s in statuses if f"`{s}`" not in text]
    assert not missing, f"docs/project-file.md does not explain status {missing}"


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys) -> None:
    """The README's Python block runs as written (its output folder moved to tmp)."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```python\n(.*?)```", text, re.S)
    monkeypatch.chdir(ROOT)
    code = block.replace('"out"', repr(str(tmp_path / "out")))
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "out" / "estimates.parquet").exists()
    assert "nhs_2024" in capsys.readouterr().out
