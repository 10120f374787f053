"""Safe YAML loading with a source map: every key and value located at line:col.

The YAML 1.2 core schema is applied by hand (so `no`, `on`, `NO` stay strings: country
codes and answers survive), duplicate keys are errors, and anchors/aliases, explicit
tags and oversized or deeply nested documents are refused before any value is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mhindicators.issues import Issue, define, issue

define(
    "MHI101",
    "unreadable-file",
    "error",
    "The file cannot be read or is not UTF-8 text.",
    "Save the file as UTF-8 text and check its permissions.",
)
define(
    "MHI102",
    "empty-file",
    "error",
    "The file holds no YAML document.",
    "Write the definition as a YAML mapping, or delete the file.",
)
define(
    "MHI103",
    "yaml-syntax",
    "error",
    "The file is not valid YAML.",
    "Check indentation and quoting near the reported position.",
)
define(
    "MHI104",
    "duplicate-key",
    "error",
    "A mapping repeats a key; YAML parsers would silently keep the last.",
    "Keep one occurrence of the key.",
)
define(
    "MHI105",
    "yaml-alias",
    "error",
    "Anchors and aliases are not allowed in mhi files.",
    "Write the value out in full instead of `&anchor` / `*alias`.",
)
define(
    "MHI106",
    "yaml-tag",
    "error",
    "Explicit YAML tags are not allowed in mhi files.",
    "Remove the `!tag`; mhi files hold plain strings, numbers, booleans, lists and mappings.",
)
define(
    "MHI107",
    "yaml-too-large",
    "error",
    "The document is too large or too deeply nested.",
    "Flatten or split the file: definitions, profiles and project files are small documents.",
)
define(
    "MHI108",
    "not-a-mapping",
    "error",
    "The document must be a YAML mapping (key: value).",
    "Start the file with `id: ...` and one key per line.",
)

MAX_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 64
MAX_FAST_BRACKETS = 500
_CSafeLoader = getattr(yaml, "CSafeLoader", None)

Path_ = tuple[str | int | float, ...]  # YAML mapping keys may be numbers (and booleans)
_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = {
    ".inf": float("inf"),
    "+.inf": float("inf"),
    "-.inf": float("-inf"),
    ".nan": float("nan"),
}
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_CORE_TAG = re.compile(
    r"tag:yaml\.org,2002:(str|int|float|bool|null|map|seq|omap|merge|timestamp)$"
)


@dataclass
class SourceDoc:
    """A parsed YAML document: plain Python data plus where each piece came from."""

    path: str
    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    styles: dict[Path_, str | None] = field(default_factory=dict)

    def file_of(self, path: Path_) -> str:
        """The file a path's value comes from (a resolved variant spans two files)."""
        return self.path

    def locate_in_scalar(self, path: Path_, offset: int) -> tuple[int, int]:
        """Line and column of a character offset inside a one-line scalar value."""
        line, col = self.locate(path)
        style = self.styles.get(tuple(path), "")
        if style in ('"', "'"):
            return line, col + 1 + offset
        if not style:
            return line, col + offset
        return line, col

    def locate(self, path: Path_, prefer_key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) for a path, walking up to the nearest located parent."""
        path = tuple(path)
        while True:
            table = (self.keys, self.values) if prefer_key else (self.values, self.keys)
            for t in table:
                if path in t:
                    return t[path]
            if not path:
                return (1, 1)
            path = path[:-1]


class YamlProblem(Exception):
    def __init__(self, item: Issue) -> None:
        super().__init__(item.message)
        self.issue = item


class _Loader(yaml.SafeLoader):
    """Refuses aliases while composing, so alias bombs never expand, and nesting deeper than
    MAX_DEPTH at the line of the too-deep node (before Python's recursion limit)."""

    _depth = 0

    def compose_node(self, parent, index):
        if self._depth >= MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise YamlProblem(
                issue(
                    "MHI107",
                    f"document has too many levels of nesting (more than {MAX_DEPTH})",
                    "",
                    mark.line + 1,
                    mark.column + 1,
                )
            )
        self._depth += 1
        try:
            return self._compose_checked(parent, index)
        finally:
            self._depth -= 1

    def _compose_checked(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            mark = event.start_mark
            raise YamlProblem(
                issue(
                    "MHI105",
                    f"alias '*{event.anchor}' is not allowed",
                    "",
                    mark.line + 1,
                    mark.column + 1,
                )
            )
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            mark = event.start_mark
            raise YamlProblem(
                issue(
                    "MHI105",
                    f"anchor '&{anchor}' is not allowed",
                    "",
                    mark.line + 1,
                    mark.column + 1,
                )
            )
        return super().compose_node(parent, index)


def read_text(path: Path) -> str:
    """Read a file as UTF-8, raising a located issue for size, bytes or I/O problems."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise YamlProblem(
                issue("MHI107", f"file is {size:,} bytes; the limit is {MAX_BYTES:,}", name)
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlProblem(issue("MHI101", f"cannot read file: {exc.strerror}", name)) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem(
            issue("MHI101", f"byte 0x{raw[exc.start]:02x} is not valid UTF-8", name, line, col)
        ) from exc


def parse_yaml(text: str, name: str = "<string>") -> SourceDoc:
    """Parse one YAML document into a SourceDoc; raise YamlProblem with a located issue."""
    if len(text) > MAX_BYTES:
        raise YamlProblem(issue("MHI107", f"document is {len(text):,} characters", name))
    try:
        loader = _loader_for(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except YamlProblem as exc:
        raise YamlProblem(_with_file(exc.issue, name)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        msg = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise YamlProblem(issue("MHI103", msg, name, line, col)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(issue("MHI103", str(exc).splitlines()[0], name)) from None
    except RecursionError:
        raise YamlProblem(issue("MHI107", "document is nested too deeply", name)) from None
    if node is None:
        raise YamlProblem(issue("MHI102", "file is empty", name, 1, 1))
    doc = SourceDoc(path=name, data=None)
    counter: list = [0, set()]
    doc.data = _build(node, (), doc, counter, 0)
    return doc


def _loader_for(text: str) -> yaml.SafeLoader:
    """libyaml when the text cannot nest deeply (C recursion), else the checked Python loader.

    libyaml composes an alias as the same node object; `_build` refuses a node seen twice, so
    aliases are refused on both paths and never expanded.
    """
    flow_brackets = text.count("[") + text.count("{")
    if _CSafeLoader is not None and flow_brackets <= MAX_FAST_BRACKETS and "*" not in text:
        return _CSafeLoader(text)
    return _Loader(text)


def load_yaml(path: Path | str) -> SourceDoc:
    """Read and parse a YAML file (see `parse_yaml`)."""
    path = Path(path)
    return parse_yaml(read_text(path), str(path))


def load_mapping(path: Path | str) -> SourceDoc:
    """Like `load_yaml`, but the document must be a mapping."""
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        line, col = doc.locate(())
        raise YamlProblem(
            issue(
                "MHI108",
                f"document is a {type(doc.data).__name__}, not a mapping",
                doc.path,
                line,
                col,
            )
        )
    return doc


def raise_as(error_cls: type, exc: YamlProblem) -> None:
    """Re-raise a YamlProblem as a domain error (DefinitionError, ProfileError)."""
    raise error_cls(exc.issue.message, [exc.issue]) from None


def _with_file(item: Issue, name: str) -> Issue:
    return Issue(
        item.code, item.message, name, item.line, item.col, item.hint, item.severity, item.name
    )


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _build(node: yaml.Node, path: Path_, doc: SourceDoc, counter: list, depth: int) -> Any:
    counter[0] += 1
    if id(node) in counter[1]:  # libyaml shares the node of an anchor with its aliases
        line, col = _pos(node)
        raise YamlProblem(
            issue(
                "MHI105",
                "anchors and aliases are not allowed (this value is reused through an alias)",
                doc.path,
                line,
                col,
            )
        )
    if isinstance(node, yaml.CollectionNode | yaml.ScalarNode):
        counter[1].add(id(node))
    if counter[0] > MAX_NODES or depth > MAX_DEPTH:
        line, col = _pos(node)
        what = "nodes" if counter[0] > MAX_NODES else "levels of nesting"
        limit = f"{MAX_NODES:,}" if counter[0] > MAX_NODES else f"{MAX_DEPTH}"
        message = f"document has too many {what} (more than {limit})"
        raise YamlProblem(issue("MHI107", message, doc.path, line, col))
    if not _CORE_TAG.match(node.tag):
        line, col = _pos(node)
        raise YamlProblem(issue("MHI106", f"tag '{node.tag}' is not allowed", doc.path, line, col))
    doc.values[path] = _pos(node)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                line, col = _pos(key_node)
                raise YamlProblem(
                    issue("MHI105", "merge key '<<' is not allowed", doc.path, line, col)
                )
            key = _build(key_node, path + ("<key>",), doc, counter, depth + 1)
            if not isinstance(key, str | int | float | bool) or key is None:
                line, col = _pos(key_node)
                raise YamlProblem(
                    issue("MHI103", "mapping keys must be plain scalars", doc.path, line, col)
                )
            if key in out:
                line, col = _pos(key_node)
                first = doc.keys[path + (key,)]
                raise YamlProblem(
                    issue(
                        "MHI104",
                        f"duplicate key '{key}' (first at line {first[0]})",
                        doc.path,
                        line,
                        col,
                    )
                )
            doc.keys[path + (key,)] = _pos(key_node)
            out[key] = _build(value_node, path + (key,), doc, counter, depth + 1)
        doc.values.pop(path + ("<key>",), None)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, path + (i,), doc, counter, depth + 1) for i, item in enumerate(node.value)
        ]
    doc.styles[path] = node.style
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    text = node.value
    if node.style:  # quoted or block scalars are always strings (libyaml gives "" for plain)
        return text
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _FLOAT.match(text) and any(ch.isdigit() for ch in text):
        return float(text.replace("_", ""))
    if text.lower() in _SPECIAL_FLOAT:
        return _SPECIAL_FLOAT[text.lower()]
    return text
