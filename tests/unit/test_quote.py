"""issues.quote: every value quoted in a message is capped (a 10 MB cell is never echoed)."""

from __future__ import annotations

from mhindicators.issues import quote


def test_short_values_quote_like_repr() -> None:
    assert quote("abc") == "'abc'"
    assert quote(3) == "3"
    assert quote(1.5) == "1.5"


def test_long_text_is_cut_with_its_length() -> None:
    text = "x" * 10_000_000
    out = quote(text)
    assert out == "'" + "x" * 80 + "'\u2026 (10,000,000 characters)"


def test_limit_is_a_parameter_and_exact_length_is_kept() -> None:
    assert quote("y" * 60, 60) == "'" + "y" * 60 + "'"
    assert quote("y" * 61, 60).endswith("(61 characters)")
