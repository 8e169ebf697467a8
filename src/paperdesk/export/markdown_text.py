"""User text written into markdown so that the list importer reads back what was written.

Both writers of markdown (the export and ``venue publish``) put titles, labels, topics and
links from anyone's files into a list: a title like ``Foo [bar](baz)``, ``<!-- x`` or ``C#``
must come back from :mod:`paperdesk.catalog.importers` as the same text, hence the same id.
"""

from __future__ import annotations

import re

_ESCAPED = re.compile(r"[\\`*_\[\]<>&|]")
_ESCAPED_HEADING = re.compile(r"[\\`*_\[\]<>&|#]")
_ESCAPED_DESTINATION = re.compile(r"[\\()<>]")
_ANGLE_DESTINATION = re.compile(r"[\\<>]")
_SPACE = re.compile(r"\s")
_ENTITY_START = re.compile(r"&(?=#\d|#[xX][0-9a-fA-F]|[A-Za-z][A-Za-z0-9]*;)")
# What opens a block of its own at the start of a list item's text: a heading, a nested list,
# a quote, a fence or a rule (``*``, ``_``, ``` ` ``` and ``<`` are escaped everywhere).
_BLOCK_START = re.compile(r"[#>+~=-]|\d{1,9}(?=[.)])")


def _backslashed(match: re.Match[str]) -> str:
    return "\\" + match.group(0)


def escape_text(text: str) -> str:
    """User text backslash-escaped so markdown reads it back verbatim."""
    return _ESCAPED.sub(_backslashed, text)


def escape_line(text: str) -> str:
    """:func:`escape_text` on one line: whitespace (newlines included) collapsed."""
    return escape_text(" ".join(text.split()))


def escape_heading(text: str) -> str:
    """A heading's text: ``#`` escaped too, so ``C#`` keeps its ``#`` (not a closing run)."""
    return _ESCAPED_HEADING.sub(_backslashed, " ".join(text.split()))


def block_safe(text: str) -> str:
    """Escaped text that starts a list item's line without opening a block of its own
    (``# Title`` a heading, ``- Title`` a nested list, ``1. Title`` an ordered one)."""
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    if match.group(0)[0].isdigit():
        cut = match.end()
        return f"{text[:cut]}\\{text[cut:]}"
    return "\\" + text


def link_destination(url: str) -> str:
    """A link target as written inside ``(...)``; targets with spaces use the ``<...>`` form.

    Backslashes and the characters that end a target are escaped, and so is an ``&`` that
    would start an entity, since markdown decodes entities in targets.
    """
    url = url.strip()
    spaced = _SPACE.search(url) is not None
    url = (_ANGLE_DESTINATION if spaced else _ESCAPED_DESTINATION).sub(_backslashed, url)
    url = _ENTITY_START.sub(r"\\&", url)
    return f"<{url}>" if spaced else url


def markdown_link(label: str, url: str) -> str:
    """``[label](url)``, both escaped."""
    return f"[{escape_line(label)}]({link_destination(url)})"
