"""`mhi profile draft`: a profile skeleton from a data file, every guess marked `# REVIEW`.

Suggestions come from a small synonym table of common national names, then difflib similarity
of the normalised column name and of its Stata/SPSS variable label to the canonical names.
The draft always loads (`mhi validate`); it is a starting point, never a finished mapping.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mhindicators.profiles.code_tables import code_table
from mhindicators.profiles.scan import ColumnScan, FileScan
from mhindicators.vocabulary import Variable, Vocabulary

# normalised national names (accents stripped, lower case, _ for separators) -> canonical
SYNONYMS: dict[str, tuple[str, ...]] = {
    "sex": ("sex", "sexo", "sexe", "gender", "genero", "kon", "kjonn", "geschlecht", "sesso"),
    "age": ("age", "edad", "alder", "idade", "eta", "alter", "age_years", "leeftijd", "ika"),
    "country_of_birth": (
        "country_of_birth", "pais_nac", "pais_nacimiento", "pais_de_nacimiento", "cob",
        "birth_country", "lugar_de_nacimiento",
        "pays_naissance", "geburtsland", "fodelseland", "fodeland", "land_of_birth",
    ),
    "citizenship": (
        "citizenship", "nationality", "nacionalidad", "nationalite", "staatsangehorigkeit",
        "medborgarskap", "cittadinanza", "statsborgerskap",
    ),
    "mother_country_of_birth": ("pais_nac_madre", "mother_cob", "cob_mother", "mother_country"),
    "father_country_of_birth": ("pais_nac_padre", "father_cob", "cob_father", "father_country"),
    "year_of_arrival": (
        "year_of_arrival", "ano_llegada", "anio_llegada", "yoa", "arrival_year", "invandringsar",
        "annee_arrivee",
    ),
    "area": ("area", "region", "provincia", "province", "lan", "departement", "county"),
    "year": ("year", "ano", "anio", "annee", "jahr", "ar"),
    "population": ("population", "poblacion", "pop", "befolkning"),
}  # fmt: skip
DESIGN_SYNONYMS = {
    "weight": (
        "weight",
        "wgt",
        "wt",
        "wtmec",
        "wtint",
        "factor",
        "peso",
        "pond",
        "ponderation",
        "fexp",
        "vikt",
    ),
    "strata": ("strata", "stratum", "estrato", "strate", "strat", "sdmvstra"),
    "psu": ("psu", "upm", "cluster", "conglomerado", "ups", "sdmvpsu"),
}
# value labels -> canonical codes (for recode suggestions from Stata/SPSS labels)
LABEL_CODES: dict[str, dict[object, tuple[str, ...]]] = {
    "sex": {"M": ("male", "man", "men", "hombre", "varon", "homme", "mann"),
            "F": ("female", "woman", "women", "mujer", "kvinna", "femme", "frau")},
    "boolean": {True: ("yes", "si", "ja", "oui", "true"), False: ("no", "nej", "non", "nein")},
}  # fmt: skip
MISSING_LABELS = ("don't know", "dont know", "refused", "no sabe", "no contesta", "ns/nc",
                  "not stated", "missing", "unknown", "vet ej", "no consta")  # fmt: skip
COUNTRY_VARIABLES = (
    "country_of_birth", "citizenship", "mother_country_of_birth", "father_country_of_birth",
)  # fmt: skip
MAX_CODES = 50  # columns with more distinct values are listed by count only (ids, amounts)


def normalise(text: str) -> str:
    """Lower case, accents stripped, runs of other characters as one '_'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


@dataclass(frozen=True)
class Suggestion:
    variable: str
    why: str
    score: float


def suggest(
    columns: list[ColumnScan], vocab: Vocabulary, names: list[str]
) -> dict[str, Suggestion]:
    """raw column -> its best canonical variable among `names`; each variable used once."""
    candidates: list[tuple[float, str, Suggestion]] = []
    for col in columns:
        best = _best(col, vocab, names)
        if best is not None:
            candidates.append((best.score, col.name, best))
    out: dict[str, Suggestion] = {}
    taken: set[str] = set()
    for _, raw, sug in sorted(candidates, key=lambda c: -c[0]):
        if sug.variable not in taken:
            out[raw] = sug
            taken.add(sug.variable)
    return out


def _best(col: ColumnScan, vocab: Vocabulary, names: list[str]) -> Suggestion | None:
    raw, label = normalise(col.name), normalise(col.label)
    for var, words in SYNONYMS.items():
        if var in names and (raw in words or label in words):
            return Suggestion(var, f"name '{_short(col.name, 40)}' is a common name of {var}", 1.0)
    best: Suggestion | None = None
    for var in names:
        spaced = var.replace("_", " ")
        score = difflib.SequenceMatcher(None, raw, var).ratio()
        why = f"name similar to {var}"
        if label:
            by_label = difflib.SequenceMatcher(None, label.replace("_", " "), spaced).ratio()
            if by_label > score:
                score, why = by_label, f"label '{_short(col.label, 40)}' similar to {var}"
        if score >= 0.8 and (best is None or score > best.score):
            best = Suggestion(var, why, round(score, 2))
    return best


def design_column(columns: list[ColumnScan], role: str) -> str | None:
    """The column that looks like the design's weight, strata or psu."""
    words = DESIGN_SYNONYMS[role]
    names = [(col.name, normalise(col.name), normalise(col.label)) for col in columns]
    tests = (
        lambda n, label: n in words or label in words,  # FACTOR, peso
        lambda n, label: any(t in words for t in n.split("_")),  # FACTOR_HOGAR
        lambda n, label: any(n.startswith(w) for w in words if len(w) > 2),  # WTMEC2YR
    )
    for test in tests:
        found = [name for name, n, label in names if test(n, label)]
        if found:
            return found[0]
    return None


def label_recode(col: ColumnScan, var: Variable, variable: str) -> dict[object, object] | None:
    """A complete recode from value labels, or None when any labelled value has no guess.

    Labels are matched to the synonyms above, else to the variable's own codes and their
    labels (`Very good` -> very_good)."""
    if not col.value_labels:
        return None
    table = LABEL_CODES.get("boolean" if var.type == "boolean" else variable)
    if table is None and var.codes:
        table = {c: (normalise(c), normalise(label)) for c, label in var.codes.items()}
    if table is None:
        return None
    out: dict[object, object] = {}
    for raw, text in col.value_labels.items():
        plain = normalise(str(text))
        words = (plain, plain.replace("_", " "))
        target = next((c for c, names in table.items() if any(w in names for w in words)), "?")
        if target == "?" and any(m in str(text).lower() for m in MISSING_LABELS):
            target = None
        if target == "?":
            return None
        out[_number(raw)] = target
    return out


def code_table_for(col: ColumnScan) -> str | None:
    """m49_to_iso3 for numeric country codes, iso2_to_iso3 for alpha-2, when most rows fit."""
    values = [str(_number(v)).strip() for v in col.counts.index]
    if not values:
        return None
    counts = col.counts.to_numpy()
    for name in ("m49_to_iso3", "iso2_to_iso3"):
        table = code_table(name)
        hit = sum(int(c) for v, c in zip(values, counts, strict=True) if _table_key(v) in table)
        if hit >= 0.9 * counts.sum():
            return name
    return None


def _table_key(value: str) -> object:
    return int(value) if value.isdigit() else value


def _number(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def guess_year(path: Path) -> int:
    """A four-digit year in the file name, else this year."""
    found = re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", path.stem)
    return int(found[-1]) if found else date.today().year


def profile_id(path: Path) -> str:
    ident = re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem).strip("_") or "profile"
    if not ident[0].isalpha():
        ident = "p_" + ident
    return ident[:64].ljust(2, "_")


def describe(col: ColumnScan, scan: FileScan) -> str:
    """type; value labels or top values (codes only: columns with few distinct values)."""
    n = len(col.counts)
    text = f"{col.kind}, {n:,} distinct"
    if col.n_missing:
        text += f", {col.n_missing:,} blank"
    if col.value_labels:
        shown = list(col.value_labels.items())[:8]
        text += "; labels " + ", ".join(f"{_short(k)} = {_short(v)}" for k, v in shown)
    elif 0 < n <= MAX_CODES:
        text += "; top " + ", ".join(f"{_short(v)} ({c:,})" for v, c in col.top(6))
    return text


def _short(value: object, width: int = 24) -> str:
    """A value or name for a YAML comment: one line, cut to `width` characters."""
    text = " ".join(str(_number(value)).split())
    return text if len(text) <= width else text[: width - 1] + "…"
