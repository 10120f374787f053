"""What a registry indicator counts: its declared event types and its denominator type.

Rule (docs/definition-reference.md): a registry definition declares `event_types:`, the
event_type codes of the records it is computed over; a rate's denominator type is the one
denominator measure (vocabulary role `denominator`) its `denominator:` expression names.
"""

from __future__ import annotations

from collections.abc import Callable

from mhindicators.definitions.loader import LoadedDefinition
from mhindicators.definitions.model import Indicator
from mhindicators.expr import ExprSyntaxError, parse
from mhindicators.expr.check import variables
from mhindicators.expr.nodes import Compare, InList, Name, Node, String, walk
from mhindicators.issues import Issue, define, issue
from mhindicators.vocabulary import Vocabulary

define(
    "MHI142",
    "event-types-missing",
    "error",
    "A registry definition does not declare which event types it counts.",
    "Add `event_types: [...]` with the event_type codes of the records it is computed over, "
    "e.g. [death]; it then runs only on registers of those records.",
)
define(
    "MHI143",
    "event-types-on-survey",
    "error",
    "event_types belongs to registry definitions; survey records are respondents.",
    "Remove `event_types:`, or set `source: registry`.",
)
define(
    "MHI144",
    "unknown-event-type",
    "error",
    "A declared event type is not a code of the event_type variable.",
    "Use codes listed for event_type in docs/vocabulary.md, or extend the vocabulary.",
)
define(
    "MHI145",
    "event-type-test-not-declared",
    "error",
    "The universe or numerator selects an event type the definition does not declare.",
    "Add the type to `event_types:`, or fix the condition.",
)
define(
    "MHI146",
    "denominator-type-unclear",
    "error",
    "A registry rate's denominator does not name exactly one denominator measure.",
    "Write `denominator: population` (or live_births, workers, person_years).",
)

RATES = ("rate", "standardized_rate")


def measures(vocab: Vocabulary) -> frozenset[str]:
    """The denominator measures of the vocabulary (the possible denominator types)."""
    return frozenset(n for n, v in vocab.variables.items() if v.role == "denominator")


def per(ind: Indicator, vocab: Vocabulary) -> str | None:
    """A registry rate's denominator type: the measure its denominator names (else None)."""
    if ind.estimator not in RATES or ind.denominator is None:
        return None
    try:
        named = variables(parse(ind.denominator)) & measures(vocab)
    except ExprSyntaxError:
        return None
    return next(iter(named)) if len(named) == 1 else None


def tested_event_types(node: Node) -> set[str]:
    """Codes an expression selects with `event_type == "x"` or `event_type in [...]`."""
    out: set[str] = set()
    for n in walk(node):
        match n:
            case Compare(op="==", left=Name(name="event_type"), right=String(value=v)):
                out.add(v)
            case InList(operand=Name(name="event_type"), items=items, negated=False):
                out |= {i.value for i in items if isinstance(i, String)}
    return out


def records_issues(item: LoadedDefinition, vocab: Vocabulary) -> list[Issue]:
    """Located problems with what a definition declares it counts."""
    ind, doc = item.indicator, item.doc
    assert ind is not None and doc is not None
    out: list[Issue] = []

    def at(path: tuple, code: str, msg: str, hint: str = "", key: bool = False) -> None:
        line, col = doc.locate(path, prefer_key=key)
        out.append(issue(code, msg, str(item.path), line, col, hint))

    if ind.source == "survey":
        if ind.event_types is not None:
            at(("event_types",), "MHI143", "a survey definition declares event_types", key=True)
        return out
    _declaration(ind, vocab, at)
    if ind.estimator in RATES and per(ind, vocab) is None:
        at(
            ("denominator",),
            "MHI146",
            f"denominator '{ind.denominator}' names no single denominator measure "
            f"({', '.join(sorted(measures(vocab)))})",
        )
    return out


def _declaration(ind: Indicator, vocab: Vocabulary, at: Callable[..., None]) -> None:
    tested: dict[str, set[str]] = {}
    for field in ("universe", "numerator"):
        text = getattr(ind, field)
        try:
            tested[field] = tested_event_types(parse(text)) if text else set()
        except ExprSyntaxError:
            tested[field] = set()  # reported by the expression checks
    if ind.event_types is None:
        found = sorted(tested["universe"] or tested["numerator"])
        hint = f"Add `event_types: [{', '.join(found)}]`." if found else ""
        at(("source",), "MHI142", "the registry definition does not declare event_types", hint)
        return
    var = vocab.get("event_type")
    allowed = var.allowed_codes() if var is not None else None
    for i, code in enumerate(ind.event_types):
        if allowed is not None and code not in allowed:
            at(
                ("event_types", i),
                "MHI144",
                f"event type '{code}' is not a code of event_type",
                f"Codes: {', '.join(sorted(allowed))}.",
            )
    for field, codes in tested.items():
        if extra := sorted(codes - set(ind.event_types)):
            at(
                (field,),
                "MHI145",
                f"{field} selects event type {', '.join(extra)}, not among event_types "
                f"[{', '.join(ind.event_types)}]",
            )
