"""Load a profile YAML into a located Profile model, checked against the vocabulary."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from mhindicators.errors import ProfileError
from mhindicators.issues import Issue, define, issue, quote
from mhindicators.profiles.model import Profile
from mhindicators.profiles.records import records_issues
from mhindicators.schema_errors import SchemaCodes, load_model
from mhindicators.vocabulary import Vocabulary, default_vocabulary
from mhindicators.yamlsource import SourceDoc

define(
    "MHI301",
    "profile-invalid",
    "error",
    "A profile value does not satisfy the schema.",
    "See docs/profiles.md for the profile schema.",
)
define(
    "MHI302",
    "profile-unknown-key",
    "error",
    "A key is not part of the profile schema.",
    "Remove the key or fix its spelling; see docs/profiles.md.",
)
define(
    "MHI303",
    "profile-missing-key",
    "error",
    "A required profile key is missing.",
    "Add the key; see docs/profiles.md.",
)
define(
    "MHI304",
    "profile-wrong-type",
    "error",
    "A profile value has the wrong type.",
    "See docs/profiles.md for the type of each key.",
)
define(
    "MHI305",
    "profile-bad-choice",
    "error",
    "A profile value is not one of the allowed choices.",
    "Use one of the listed choices.",
)
define(
    "MHI306",
    "profile-unknown-variable",
    "error",
    "The profile maps or recodes a variable that is not in the vocabulary.",
    "Map raw columns onto canonical variables (docs/vocabulary.md) or extend the vocabulary.",
)
define(
    "MHI307",
    "profile-bad-code",
    "error",
    "A recode target is not a code of the canonical variable.",
    "Recode raw values to the variable's codes (docs/vocabulary.md); use null for missing.",
)

define(
    "MHI308",
    "duration-groups-not-in-vocabulary",
    "error",
    "The profile's duration_thresholds make duration groups the vocabulary does not define.",
    "Use the default thresholds [5, 10], or add the codes to duration_group in a project "
    "vocabulary file (docs/vocabulary.md).",
)

define(
    "MHI373",
    "unknown-encoding",
    "error",
    "The profile's `format.encoding` is not an encoding Python knows.",
    "Use a standard name such as utf-8, utf-16, latin-1 or cp1252.",
)

_CODES = SchemaCodes("MHI301", "MHI302", "MHI303", "MHI304", "MHI305")


@dataclass(frozen=True)
class LoadedProfile:
    """A profile with its source map (for locating data errors at the profile line)."""

    profile: Profile
    doc: SourceDoc

    @property
    def path(self) -> str:
        return self.doc.path

    def where(self, *path: str | int) -> tuple[str, int, int]:
        """file, line, col of a key in the profile (e.g. where('columns', 'sex'))."""
        line, col = self.doc.locate(tuple(path))
        return self.doc.path, line, col


def load_profile(path: Path | str, vocabulary: Vocabulary | None = None) -> LoadedProfile:
    """Parse, validate and vocabulary-check a profile; ProfileError lists every problem."""
    profile, doc = load_model(path, Profile, _CODES, ProfileError)
    problems = _vocabulary_issues(profile, doc, vocabulary or default_vocabulary())
    if problems:
        raise ProfileError(f"invalid profile {path}", problems)
    return LoadedProfile(profile, doc)


def _vocabulary_issues(profile: Profile, doc: SourceDoc, vocab: Vocabulary) -> list[Issue]:
    out: list[Issue] = []
    for section in ("columns", "recode", "missing_codes", "code_tables"):
        for name in getattr(profile, section):
            if name not in vocab:
                line, col = doc.locate((section, name), prefer_key=True)
                guess = vocab.suggest(name)
                out.append(
                    issue(
                        "MHI306",
                        f"{section}: {quote(name)} is not a canonical variable",
                        doc.path,
                        line,
                        col,
                        f"Did you mean '{guess}'?" if guess else "",
                    )
                )
    for name, mapping in profile.recode.items():
        var = vocab.get(name)
        if var is None:
            continue
        allowed = var.allowed_codes()
        for raw, target in mapping.items():
            if target is None:
                continue
            bad = (
                (var.type == "boolean" and not isinstance(target, bool))
                or (allowed is not None and str(target) not in allowed)
                or (var.type in ("integer", "number") and isinstance(target, str | bool))
            )
            if bad:
                line, col = doc.locate(("recode", name, raw))
                sample = ", ".join(sorted(allowed)[:6]) if allowed else var.type
                out.append(
                    issue(
                        "MHI307",
                        f"recode {name}: {quote(raw)} -> {quote(target)} is not a valid "
                        f"{name} value",
                        doc.path,
                        line,
                        col,
                        f"Valid: {sample}.",
                    )
                )
    return (
        out
        + _duration_issues(profile, doc, vocab)
        + records_issues(profile, doc, vocab)
        + _format_issues(profile, doc)
        + _table_issues(profile, doc, vocab)
    )


def _format_issues(profile: Profile, doc: SourceDoc) -> list[Issue]:
    """MHI373 for an encoding name Python does not know, MHI301 for a replicate pattern that
    is not a regular expression (found here, not when reading the data)."""
    out = []
    try:
        codecs.lookup(profile.format.encoding)
    except LookupError:
        line, col = doc.locate(("format", "encoding"))
        message = f"format.encoding {quote(profile.format.encoding)} is not a known encoding"
        out.append(issue("MHI373", message, doc.path, line, col))
    replicates = profile.design.replicates if profile.design else None
    if replicates is not None and replicates.pattern is not None:
        try:
            re.compile(replicates.pattern)
        except re.error as exc:
            line, col = doc.locate(("design", "replicates", "pattern"))
            message = f"design.replicates.pattern is not a regular expression: {exc.msg}"
            out.append(issue("MHI301", message, doc.path, line, col))
    return out


def _table_issues(profile: Profile, doc: SourceDoc, vocab: Vocabulary) -> list[Issue]:
    """Code tables must exist (MHI520) and yield codes of the variable they recode (MHI521)."""
    import difflib

    from mhindicators.profiles.code_tables import code_table, table_names

    out: list[Issue] = []
    for name, table in profile.code_tables.items():
        line, col = doc.locate(("code_tables", name))
        if table not in table_names():
            close = difflib.get_close_matches(table, table_names(), n=1, cutoff=0.5)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            hint += "Tables: " + ", ".join(table_names()) + "."
            message = f"code_tables {name}: there is no code table {quote(table, 60)}"
            out.append(issue("MHI520", message, doc.path, line, col, hint))
            continue
        var = vocab.get(name)
        allowed = var.allowed_codes() if var is not None else None
        if allowed is None:
            continue
        wrong = sorted({t for t in code_table(table).values() if t not in allowed})
        if wrong:
            message = (
                f"code_tables {name}: table '{table}' gives codes that are not {name} codes "
                f"({', '.join(wrong[:3])}, ...)"
            )
            hint = f"Valid: {', '.join(sorted(allowed)[:6])}, ..."
            out.append(issue("MHI521", message, doc.path, line, col, hint))
    return out


def _duration_issues(profile: Profile, doc: SourceDoc, vocab: Vocabulary) -> list[Issue]:
    """duration_thresholds must be increasing positive years whose groups the vocabulary has."""
    from mhindicators.profiles.derive import duration_labels

    thresholds = profile.derive.duration_thresholds
    var = vocab.get("duration_group")
    allowed = var.allowed_codes() if var is not None else None
    line, col = doc.locate(("derive", "duration_thresholds"))
    if any(t <= 0 for t in thresholds) or thresholds != sorted(set(thresholds)):
        message = f"duration_thresholds {thresholds} must be increasing whole years above 0"
        return [issue("MHI308", message, doc.path, line, col, "For example [5, 10].")]
    missing = [c for c in duration_labels(thresholds) if allowed is not None and c not in allowed]
    if not missing:
        return []
    message = (
        f"duration_thresholds {thresholds} make codes {', '.join(missing)}, not in the vocabulary"
    )
    return [issue("MHI308", message, doc.path, line, col)]
