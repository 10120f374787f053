"""YAML examples in docs/ are real: every ```yaml profile / project block validates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mhindicators.profiles.model import Profile
from mhindicators.project import ProjectModel
from mhindicators.yamlsource import parse_yaml

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(r"```yaml (profile|project)\n(.*?)```", re.S)
EXAMPLES = [
    (page.name, kind, text)
    for page in sorted(DOCS.glob("*.md"))
    for kind, text in BLOCK.findall(page.read_text(encoding="utf-8"))
]


def test_docs_have_examples() -> None:
    assert {kind for _, kind, _ in EXAMPLES} == {"profile", "project"}


@pytest.mark.parametrize(
    ("page", "kind", "text"), EXAMPLES, ids=[f"{p}-{k}-{i}" for i, (p, k, _) in enumerate(EXAMPLES)]
)
def test_example_validates(page: str, kind: str, text: str) -> None:
    data = parse_yaml(text, page).data
    model = Profile if kind == "profile" else ProjectModel
    model.model_validate(data)
