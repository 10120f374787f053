"""What a register's records are: the event types of an events extract and the measure a
denominator table counts, declared as data in the profile and checked against its mapping.

The plan matches them with what a registry indicator counts (docs/profiles.md, "What the
records are"), so an indicator never runs on a register of other events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mhindicators.errors import DataError
from mhindicators.issues import Issue, define, issue
from mhindicators.profiles.model import Profile
from mhindicators.vocabulary import Vocabulary
from mhindicators.yamlsource import SourceDoc

if TYPE_CHECKING:
    import pandas as pd

    from mhindicators.profiles.loader import LoadedProfile

define(
    "MHI330",
    "event-types-undeclared",
    "error",
    "An events profile does not say what its records are.",
    "Add `event_types: [...]` with the event_type codes of its records, e.g. [death].",
)
define(
    "MHI331",
    "event-types-recode-mismatch",
    "error",
    "The declared event_types disagree with the targets of the profile's event_type recode.",
    "Declare exactly the event types the recode produces, or fix the recode.",
)
define(
    "MHI332",
    "profile-unknown-event-type",
    "error",
    "A declared event type is not a code of the event_type variable.",
    "Use codes listed for event_type in docs/vocabulary.md, or extend the vocabulary.",
)
define(
    "MHI333",
    "event-type-column-needed",
    "error",
    "An extract of several event types does not map event_type, so its records cannot be told "
    "apart.",
    "Map the raw column that holds the record type onto `event_type` (with a recode).",
)
define(
    "MHI334",
    "denominator-type",
    "error",
    "A denominator profile does not say what it counts, or names a measure it does not map.",
    "Add `denominator_type:` (population, live_births, workers or person_years) and map the "
    "raw column of that measure under `columns:`.",
)
define(
    "MHI335",
    "records-declaration-misplaced",
    "error",
    "event_types belongs to `kind: events` profiles and denominator_type to `kind: denominator`.",
    "Remove the key, or set the profile's kind.",
)
define(
    "MHI337",
    "undeclared-event-type-in-data",
    "error",
    "The events file holds records of an event type its profile does not declare.",
    "Add the type to `event_types:` if the extract really holds it, or filter the extract.",
)


def recode_event_types(profile: Profile) -> frozenset[str] | None:
    """The targets of the event_type recode (None when event_type is not mapped and recoded)."""
    recode = profile.recode.get("event_type")
    if "event_type" not in profile.columns or not recode:
        return None
    return frozenset(str(v) for v in recode.values() if v is not None)


def event_types(profile: Profile) -> frozenset[str]:
    """What an events extract's records are: `event_types:`, else the event_type recode's
    targets; empty when neither says (a profile error, MHI330)."""
    if profile.event_types:
        return frozenset(profile.event_types)
    return recode_event_types(profile) or frozenset()


def denominator_measures(profile: Profile, vocab: Vocabulary) -> list[str]:
    """The denominator measures (vocabulary role `denominator`) the profile maps."""
    return [name for name in profile.columns if (v := vocab.get(name)) and v.role == "denominator"]


def denominator_type(profile: Profile, vocab: Vocabulary) -> str | None:
    """What a denominator table counts: `denominator_type:`, else its one mapped measure."""
    if profile.denominator_type:
        return profile.denominator_type
    measures = denominator_measures(profile, vocab)
    return measures[0] if len(measures) == 1 else None


def records_issues(profile: Profile, doc: SourceDoc, vocab: Vocabulary) -> list[Issue]:
    """Located problems with a profile's declaration of what its records are."""
    out: list[Issue] = []

    def at(path: tuple, code: str, msg: str, hint: str = "", key: bool = False) -> None:
        line, col = doc.locate(path, prefer_key=key)
        out.append(issue(code, msg, doc.path, line, col, hint))

    for key, kind in (("event_types", "events"), ("denominator_type", "denominator")):
        if getattr(profile, key) is not None and profile.kind != kind:
            msg = f"`{key}:` has no meaning in a kind {profile.kind} profile"
            at((key,), "MHI335", msg, key=True)
    if profile.kind == "events":
        _events_issues(profile, vocab, at)
    elif profile.kind == "denominator":
        _denominator_issues(profile, vocab, at)
    return out


def _events_issues(profile: Profile, vocab: Vocabulary, at) -> None:
    var = vocab.get("event_type")
    allowed = var.allowed_codes() if var is not None else None
    for i, code in enumerate(profile.event_types or []):
        if allowed is not None and code not in allowed:
            at(
                ("event_types", i),
                "MHI332",
                f"event type '{code}' is not a code of event_type",
                f"Codes: {', '.join(sorted(allowed))}.",
            )
    from_recode = recode_event_types(profile)
    if profile.event_types and from_recode is not None and set(profile.event_types) != from_recode:
        at(
            ("event_types",),
            "MHI331",
            f"event_types [{', '.join(profile.event_types)}] disagree with the event_type "
            f"recode, whose targets are [{', '.join(sorted(from_recode))}]",
        )
    declared = event_types(profile)
    if not declared:
        hint = (
            "Declare the codes the event_type column holds: `event_types: [...]`."
            if "event_type" in profile.columns
            else "Add `event_types: [death]` (or the type of this extract's records)."
        )
        at(("kind",), "MHI330", "the events profile does not declare what its records are", hint)
    elif len(declared) > 1 and "event_type" not in profile.columns:
        at(
            ("event_types",),
            "MHI333",
            f"the extract holds {len(declared)} event types but does not map event_type",
        )


def _denominator_issues(profile: Profile, vocab: Vocabulary, at) -> None:
    measures = denominator_measures(profile, vocab)
    declared = profile.denominator_type
    if declared is None:
        if len(measures) != 1:
            what = "no denominator measure" if not measures else f"{', '.join(measures)}"
            at(
                ("kind",),
                "MHI334",
                f"the denominator table maps {what}; declare what it counts",
                "Add `denominator_type: population` (or live_births, workers, person_years).",
            )
        return
    var = vocab.get(declared)
    if var is None or var.role != "denominator":
        known = sorted(n for n, v in vocab.variables.items() if v.role == "denominator")
        at(
            ("denominator_type",),
            "MHI334",
            f"'{declared}' is not a denominator measure",
            f"Use one of {', '.join(known)}.",
        )
    elif declared not in profile.columns:
        at(
            ("denominator_type",),
            "MHI334",
            f"the table counts {declared} but does not map a {declared} column",
            f"Map the raw column under `columns:` as `{declared}: <column>`.",
        )


def check_event_types(values: pd.Series, loaded: LoadedProfile, file_name: str) -> None:
    """DataError (MHI337) when the harmonised event_type holds a type the profile does not
    declare; the message gives codes and counts, never records."""
    declared = event_types(loaded.profile)
    counts = values.value_counts(dropna=True)
    extra = sorted((str(k), int(n)) for k, n in counts.items() if n and str(k) not in declared)
    if not extra:
        return
    shown = ", ".join(f"{code} ({n:,})" for code, n in extra[:5])
    more = f" and {len(extra) - 5} more" if len(extra) > 5 else ""
    file, line, col = loaded.where("columns", "event_type")
    msg = (
        f"{file_name}: records of event type {shown}{more} are not among the declared "
        f"event_types [{', '.join(sorted(declared))}]"
    )
    raise DataError(msg, [issue("MHI337", msg, file, line, col)])
