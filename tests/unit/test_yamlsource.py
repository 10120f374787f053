"""The safe YAML loader: YAML 1.2 core scalars, source map, refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mhindicators.yamlsource import YamlProblem, parse_yaml


def test_core_schema_keeps_norway_and_yes_as_strings() -> None:
    doc = parse_yaml("a: NO\nb: yes\nc: on\nd: true\ne: 1_000\nf: 1.5\ng: null\nh: '7'\n")
    assert doc.data == {"a": "NO", "b": "yes", "c": "on", "d": True, "e": 1000, "f": 1.5,
                        "g": None, "h": "7"}  # fmt: skip


def test_source_map_locates_keys_and_values() -> None:
    doc = parse_yaml("a: 1\nb:\n  c: [x, y]\n")
    assert doc.keys[("b", "c")] == (3, 3)
    assert doc.values[("b", "c", 1)] == (3, 10)
    assert doc.locate(("b", "c", 5)) == (3, 6)  # unknown index walks up to the list


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a: 1\na: 2\n", "MHI104"),
        ("a: &x 1\nb: *x\n", "MHI105"),
        ("a: !!python/name:os.system x\n", "MHI106"),
        ("a: [1, 2\n", "MHI103"),
        ("", "MHI102"),
        ("a: " + "[" * 200 + "]" * 200 + "\n", "MHI107"),
        ("<<: {a: 1}\n", "MHI105"),
    ],
)
def test_refusals(text: str, code: str) -> None:
    with pytest.raises(YamlProblem) as info:
        parse_yaml(text, "f.yaml")
    assert info.value.issue.code == code


def test_billion_laughs_is_refused_before_expansion() -> None:
    bomb = (
        'a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    )
    with pytest.raises(YamlProblem) as info:
        parse_yaml(bomb)
    assert info.value.issue.code == "MHI105"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_loader_never_crashes_on_arbitrary_text(text: str) -> None:
    try:
        doc = parse_yaml(text)
    except YamlProblem as exc:
        assert exc.issue.code.startswith("MHI1")
    else:
        assert doc.path == "<string>"
