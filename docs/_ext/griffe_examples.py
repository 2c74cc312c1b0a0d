"""A Griffe extension for the API reference: a docstring's ``Example:`` section is read as an
``Examples:`` section, so its ``>>>`` lines render as Python code blocks.

Griffe's Google-style parser knows only the plural title and takes ``Example:`` for an
admonition, whose ``>>>`` lines Markdown then renders as nested block quotes. Napoleon and
the Google style guide accept both spellings, and the library's docstrings use the singular.
Loaded by mkdocs.yml (``extensions`` of the mkdocstrings Python handler).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename each ``Example:`` section title to ``Examples:`` before the docstring is parsed."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        docstring = obj.docstring
        if docstring is not None and "Example:" in docstring.value:
            docstring.value = _EXAMPLE.sub(r"\1Examples:", docstring.value)
