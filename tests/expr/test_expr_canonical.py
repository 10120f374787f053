"""Canonical forms: reordering and flipping never change them; arbitrary text never crashes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mhindicators.expr.canonical import canonical_text, same_expression

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
names = st.sampled_from(["age", "x", "y", "household_consumption"])
ops = st.sampled_from(list(_FLIP))
numbers = st.integers(-1000, 1000)
atoms = st.tuples(names, ops, numbers)


@given(st.lists(atoms, min_size=1, max_size=6), st.randoms(use_true_random=False), st.data())
def test_order_and_flips_do_not_change_the_canonical_form(parts, rnd, data) -> None:
    written = [f"{n} {op} {v}" for n, op, v in parts]
    shuffled = list(parts)
    rnd.shuffle(shuffled)
    flipped = []
    for n, op, v in shuffled:
        if data.draw(st.booleans()):
            flipped.append(f"{v} {_FLIP[op]} {n}")
        else:
            flipped.append(f"not not ({n} {op} {v})")
    assert same_expression(" and ".join(written), " and ".join(flipped))


@given(st.text(max_size=200))
def test_canonical_text_never_raises(text: str) -> None:
    canonical_text(text)
    canonical_text(text, condition=False)
