"""Tokenizer: one token at a time, ASCII-only outside string literals.

Characters the language does not know become a `bad` token carrying a hint, so the parser can
report them as "found X; expected Y" with what it was expecting at that point.
"""

from __future__ import annotations

import keyword
import math
import unicodedata
from dataclasses import dataclass
from typing import Literal

TokenKind = Literal["number", "string", "name", "keyword", "op", "end", "bad"]

KEYWORDS = frozenset({"and", "or", "not", "in", "between", "is", "missing", "true", "false"})
_DIGITS = frozenset("0123456789")
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | _DIGITS
_SPACE = frozenset(" \t\r\n")
_OPS2 = ("==", "!=", "<=", ">=")
_OPS1 = frozenset("<>+-*/()[],")
_MISSING_HINT = "test for missing values with `x is missing` or `x is not missing`"
_WORD_HINTS = {
    "True": "booleans are written in lowercase: true",
    "False": "booleans are written in lowercase: false",
    "None": _MISSING_HINT,
    "null": _MISSING_HINT,
    "NULL": _MISSING_HINT,
    "NA": _MISSING_HINT,
    "nan": _MISSING_HINT,
    "NaN": _MISSING_HINT,
}
_FOREIGN_WORDS = frozenset(keyword.kwlist) - KEYWORDS
_BAD_OPS = {
    "**": "the power operator ** is not supported",
    "<>": "use != for 'not equal'",
    "&&": "use and",
    "||": "use or",
    "=": "use == to compare; = alone is not an operator",
    "!": "use not",
    "&": "use and",
    "|": "use or",
    "~": "use not",
    ";": "an expression is a single condition or value; ';' is not allowed",
    "`": "backticks are not allowed; quote codes with \" or '",
    ":": "':' is not part of the language (no lambdas, slices or dictionaries)",
    "%": "the modulo operator % is not supported",
    "{": "braces are not allowed; write lists as [a, b]",
    "}": "braces are not allowed; write lists as [a, b]",
    "\u201c": "use straight quotes \" or '",
    "\u201d": "use straight quotes \" or '",
    "\u2018": "use straight quotes \" or '",
    "\u2019": "use straight quotes \" or '",
}


@dataclass(frozen=True, slots=True)
class Token:
    """A token: `kind`, its source `text`, offsets, a decoded `value` and, for `bad`, a hint."""

    kind: TokenKind
    text: str
    start: int
    end: int
    value: object = None
    hint: str = ""

    def is_op(self, *ops: str) -> bool:
        return self.kind == "op" and self.text in ops

    def is_kw(self, *words: str) -> bool:
        return self.kind == "keyword" and self.text in words

    def describe(self) -> str:
        """How the token is named in messages: `name 'agee'`, `'('`, `the end of the expression`."""
        if self.kind == "end":
            return "the end of the expression"
        if self.kind == "bad" and isinstance(self.value, str):
            return self.value
        text = self.text if len(self.text) <= 30 else self.text[:27] + "..."
        label = {"number": "number ", "string": "string ", "name": "name ", "keyword": "keyword "}
        return f"{label.get(self.kind, '')}{_quote(text)}"


def _quote(text: str) -> str:
    if (len(text) == 1 and not text.isprintable()) or text in ("\u00a0", "\u3000"):
        default = "control character" if unicodedata.category(text) == "Cc" else "unnamed"
        return f"U+{ord(text):04X} ({unicodedata.name(text, default).lower()})"
    return repr(text)


def next_token(text: str, pos: int) -> Token:
    """The token starting at or after `pos` (skipping blanks); `end` at the end of `text`."""
    n = len(text)
    while pos < n and text[pos] in _SPACE:
        pos += 1
    if pos >= n:
        return Token("end", "", n, n)
    ch = text[pos]
    if ch in _DIGITS:
        return _number(text, pos)
    if ch in _NAME_START:
        end = pos + 1
        while end < n and text[end] in _NAME_CHARS:
            end += 1
        return _word(text[pos:end], pos, end)
    if ch in "\"'":
        return _string(text, pos)
    two = text[pos : pos + 2]
    if two in _OPS2:
        return Token("op", two, pos, pos + 2)
    if two in _BAD_OPS:
        return Token("bad", two, pos, pos + 2, hint=_BAD_OPS[two])
    if ch in _OPS1:
        return Token("op", ch, pos, pos + 1)
    if ch == ".":
        if pos + 1 < n and text[pos + 1] in _DIGITS:
            return Token("bad", ch, pos, pos + 1, hint="write numbers with a leading digit: 0.5")
        return Token("bad", ch, pos, pos + 1, hint="attribute access with '.' is not allowed")
    if ch in _BAD_OPS:
        return Token("bad", ch, pos, pos + 1, hint=_BAD_OPS[ch])
    if ch.isspace():
        return Token("bad", ch, pos, pos + 1, hint="use plain spaces between tokens")
    if ch.isalpha():
        return Token("bad", ch, pos, pos + 1, hint="names use ASCII letters, digits and _ only")
    return Token("bad", ch, pos, pos + 1, hint=f"{_quote(ch)} is not part of the language")


def _word(word: str, start: int, end: int) -> Token:
    if word in KEYWORDS:
        return Token("keyword", word, start, end)
    if word in _WORD_HINTS:
        return Token("bad", word, start, end, hint=_WORD_HINTS[word])
    if word.lower() in KEYWORDS:
        return Token("bad", word, start, end, hint=f"keywords are lowercase: {word.lower()}")
    if word in _FOREIGN_WORDS:
        hint = f"'{word}' is not part of the expression language"
        return Token("bad", word, start, end, f"reserved word {word!r}", hint)
    return Token("name", word, start, end, word)


def _number(text: str, start: int) -> Token:
    n = len(text)
    end = start
    while end < n and text[end] in _DIGITS:
        end += 1
    is_float = False
    if end + 1 < n and text[end] == "." and text[end + 1] in _DIGITS:
        is_float = True
        end += 1
        while end < n and text[end] in _DIGITS:
            end += 1
    if end < n and text[end] in "eE":
        exp = end + 1
        if exp < n and text[exp] in "+-":
            exp += 1
        if exp < n and text[exp] in _DIGITS:
            is_float = True
            end = exp
            while end < n and text[end] in _DIGITS:
                end += 1
    if end < n and (text[end] in _NAME_CHARS or text[end] == "."):
        while end < n and (text[end] in _NAME_CHARS or text[end] == "."):
            end += 1
        raw = text[start:end]
        hint = "numbers are written like 18, 0.1 or 1e6 (no _ separators or suffixes)"
        return Token("bad", raw, start, end, f"malformed number {_quote(raw)}", hint)
    raw = text[start:end]
    value: int | float = float(raw) if is_float else int(raw)
    if not math.isfinite(value):
        return Token("bad", raw, start, end, f"number {raw} out of range", "use a smaller number")
    return Token("number", raw, start, end, value)


def _string(text: str, start: int) -> Token:
    quote = text[start]
    n = len(text)
    chars: list[str] = []
    pos = start + 1
    while pos < n:
        ch = text[pos]
        if ch == quote:
            return Token("string", text[start : pos + 1], start, pos + 1, "".join(chars))
        if ch == "\\":
            nxt = text[pos + 1 : pos + 2]
            if nxt not in ("\\", '"', "'"):
                desc = f"unknown escape {_quote(ch + nxt)} in a string"
                hint = "only \\\\, \\\" and \\' are escapes in strings"
                return Token("bad", text[pos : pos + 2], pos, pos + 2, desc, hint)
            chars.append(nxt)
            pos += 2
            continue
        chars.append(ch)
        pos += 1
    hint = f"close the string with {quote}"
    return Token("bad", text[start:], start, n, "an unterminated string", hint)
