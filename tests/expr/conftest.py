from __future__ import annotations

import pytest

from mhindicators.vocabulary import Variable, Vocabulary, default_vocabulary


@pytest.fixture(scope="session")
def vocab() -> Vocabulary:
    """The shipped vocabulary plus a few project variables used by the examples."""
    extra = {
        "health_spending": Variable(
            name="health_spending", type="number", role="outcome", description="x"
        ),
        "household_consumption": Variable(
            name="household_consumption", type="number", role="outcome", description="x"
        ),
        "oop_spending": Variable(
            name="oop_spending", type="number", role="outcome", description="x"
        ),
    }
    return Vocabulary({**default_vocabulary().variables, **extra})
