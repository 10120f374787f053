"""The one registry of named confidence-interval methods: which estimators may use each.

Definitions validate `ci_method` against it (`definitions/model.py`, `definitions/rules.py`), the
survey and registry estimators dispatch on it (`core/intervals.py`, `registry/rates.py`), and
docs/methods-*.md describe each method. Plain data: importing it loads no numpy, so
`mhi validate` stays light. Add a method here, then its implementation; tests check both agree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IntervalMethod:
    """A named interval: `family` is the implementation that computes it."""

    name: str
    family: str  # proportion | wald | poisson | standardized | quantile
    estimators: tuple[str, ...]  # the definitions' estimators that may name it (none: library only)
    summary: str


PROPORTION_LIKE = ("proportion", "below_line")

METHODS: tuple[IntervalMethod, ...] = (
    IntervalMethod(
        "logit", "proportion", ("proportion",), "R svyciprop default: svyglm logit, t(df)"
    ),
    IntervalMethod("xlogit", "proportion", PROPORTION_LIKE, "logit of the mean, its delta SE"),
    IntervalMethod(
        "mean",
        "wald",
        (
            "proportion",
            "mean",
            "ratio",
            "total",
            "count",
            "below_line",
            "gini",
            "quintile_share_ratio",
        ),
        "Wald: estimate -/+ t(df) SE",
    ),
    IntervalMethod("beta", "proportion", PROPORTION_LIKE, "Korn-Graubard as R svyciprop"),
    IntervalMethod(
        "korn-graubard-nchs",
        "proportion",
        PROPORTION_LIKE,
        "Korn-Graubard with n_eff capped at n, defined at p = 0 and 1 (NCHS 2017)",
    ),
    IntervalMethod("wilson", "proportion", PROPORTION_LIKE, "Wilson score on n_eff"),
    IntervalMethod("garwood", "poisson", ("count", "rate"), "exact Poisson (Garwood)"),
    IntervalMethod("byar", "poisson", ("count", "rate"), "Byar's approximation"),
    IntervalMethod("fay-feuer", "standardized", ("standardized_rate",), "Fay-Feuer gamma"),
    IntervalMethod("tiwari", "standardized", ("standardized_rate",), "Tiwari's modified gamma"),
    IntervalMethod("dobson", "standardized", ("standardized_rate",), "Dobson (as PHE)"),
    IntervalMethod("woodruff", "quantile", ("quantile",), "Woodruff, as R svyquantile"),
    IntervalMethod("phe", "poisson", (), "Byar from 10 events, Garwood below (PHE)"),
)

#: the names a definition may give as `ci_method`, in the order of the JSON Schema enum
DEFINITION_METHODS: tuple[str, ...] = tuple(m.name for m in METHODS if m.estimators)

#: other accepted spellings -> the method
ALIASES = {"exact": "garwood"}

#: registry estimator -> its interval when the definition names none (survey proportions take
#: the project's `ci_method`, `logit` unless set)
DEFAULTS = {"count": "garwood", "rate": "garwood", "standardized_rate": "fay-feuer"}


def by_family(family: str) -> tuple[str, ...]:
    """The methods one implementation computes, in registry order."""
    return tuple(m.name for m in METHODS if m.family == family)


def for_estimator(estimator: str) -> tuple[str, ...]:
    """The methods a definition of this estimator may name, in registry order."""
    return tuple(m.name for m in METHODS if estimator in m.estimators)


def canonical(name: str) -> str:
    """`name` with aliases resolved (`exact` -> `garwood`)."""
    return ALIASES.get(name, name)
