"""MkDocs hook: the docs tag example blocks for their tests (```yaml project, ```yaml profile,
```yaml variant: tests/test_docs_examples.py and others load every such block). Python-Markdown's
fenced code takes one word after the fence, so the tag is dropped for the site; GitHub shows the
blocks as YAML either way."""

from __future__ import annotations

import re

_TAGGED_FENCE = re.compile(r"^(\s*`{3,})([\w+-]+)[ \t]+[\w-]+[ \t]*$", re.MULTILINE)


def on_page_markdown(markdown: str, **_: object) -> str:
    return _TAGGED_FENCE.sub(r"\1\2", markdown)
