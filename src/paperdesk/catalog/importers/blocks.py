"""A list's block structure: headings, bullets with their nesting, HTML blocks, paragraphs.

markdown-it's block parser gives the structure. On a big list it is also most of the import
time, and nearly every line there is a plain top-level bullet (``* Title [paper](url)`` between
other bullets, blank lines or headings) whose structure is certain from the line alone. Those
lines take a fast lane that yields exactly the item markdown-it would; everything else, cut only
where markdown-it starts afresh (never inside a fence or an HTML block), goes to markdown-it.
``read_blocks(text, fast=False)`` is the plain markdown-it reading the tests compare against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.common.utils import mdTrim
from markdown_it.token import Token

from .markdown import MD


@dataclass(slots=True, eq=False)
class Heading:
    """An ATX heading (``## [OSDI 2024](url)``); ``content`` is its inline markdown."""

    line: int
    level: int
    content: str


@dataclass(slots=True, eq=False)
class Item:
    """A list item: the inline markdown of its first paragraph, and where it sits.

    ``more`` holds the paragraphs after the first (``Arxiv 2025 [[Paper]](url)`` on a line of
    its own below the title), ``quotes`` the block quotes under it.
    """

    line: int
    depth: int
    content: str = ""
    parent: Item | None = None
    has_children: bool = False
    quotes: list[str] = field(default_factory=list)
    more: list[str] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Html:
    """An HTML block (comments, ``<details>``/``<summary>``, badges in ``<div>``)."""

    line: int
    content: str


@dataclass(slots=True, eq=False)
class Paragraph:
    """A paragraph outside any list."""

    line: int
    content: str


@dataclass(slots=True, eq=False)
class Table:
    """A pipe table: its header cells and its rows, each with its line; cells are inline."""

    line: int
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


Block = Heading | Item | Html | Paragraph | Table

# A top-level bullet whose content starts no block of its own (no nested list, heading,
# quote, fence, HTML or indented code), so its item is one paragraph: the rest of the line.
_PLAIN_BULLET = re.compile(
    r"[*+-] (?![ \t]|[*+-](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|#{1,6}(?:[ \t]|$)|>|<|```|~~~)\S"
)
_ANY_BULLET = re.compile(r"[*+-][ \t]+\S")
_RULE = re.compile(r" {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_ATX = re.compile(r"#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# HTML blocks that run to an end marker (across blank lines), as markdown-it's html_block has them.
_RAW_HTML = (
    (re.compile(r" {0,3}<(?:script|pre|style|textarea)(?:[\s>]|$)", re.I),
     re.compile(r"</(?:script|pre|style|textarea)>", re.I)),
    (re.compile(r" {0,3}<!--"), re.compile(r"-->")),
    (re.compile(r" {0,3}<\?"), re.compile(r"\?>")),
    (re.compile(r" {0,3}<![A-Za-z]"), re.compile(r">")),
    (re.compile(r" {0,3}<!\[CDATA\["), re.compile(r"\]\]>")),
)  # fmt: skip
# Any other tag may open a block that runs to the next blank line.
_OTHER_HTML = re.compile(r" {0,3}</?[A-Za-z]")

_NORMAL, _FENCED, _RAW, _UNTIL_BLANK = range(4)


def normalise_newlines(text: str) -> str:
    """Line endings and NULs as markdown-it's own normalisation leaves them."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\0", "\ufffd") if "\0" in text else text


def read_blocks(text: str, *, fast: bool = True) -> list[Block]:
    """The blocks of ``text`` in document order, with 1-based line numbers."""
    text = normalise_newlines(text)
    out: list[Block] = []
    if not fast:
        _walk(MD.parse(text), 0, out)
        return out
    lines = text.split("\n")
    count = len(lines)
    blank = [not line.strip(" \t") for line in lines]
    indented_next = _indented_next(lines, blank)
    state = _NORMAL
    closer: re.Pattern[str] | None = None
    previous_clear = True  # the line before starts nothing that could swallow this one
    start = 0
    for index, line in enumerate(lines):
        if state != _NORMAL and closer is not None:
            if closer.search(line) if state == _RAW else closer.match(line):
                state = _NORMAL
            previous_clear = False
            continue
        if state == _UNTIL_BLANK:
            if blank[index]:
                state = _NORMAL
                previous_clear = True
            continue
        if previous_clear and _PLAIN_BULLET.match(line):
            content = mdTrim(line[2:])
            after = index + 1
            ends_here = (
                after == count
                or (blank[after] and not indented_next[after])
                or _ANY_BULLET.match(lines[after]) is not None
                or _ATX.match(lines[after]) is not None
            )
            if ends_here and not _RULE.match(line) and not _RULE.match(content):
                if start < index:
                    _parse_chunk(lines, start, index, out)
                out.append(Item(line=index + 1, depth=0, content=content))
                start = after
                continue
        previous_clear = blank[index] or _ATX.match(line) is not None
        state, closer = _opens(line)
        if state != _NORMAL:
            previous_clear = False
    if start < count:
        _parse_chunk(lines, start, count, out)
    return out


def _opens(line: str) -> tuple[int, re.Pattern[str] | None]:
    """What a line starts that can swallow the lines after it: a fence or an HTML block."""
    fence = _FENCE.match(line)
    if fence:
        mark = fence[1]
        return _FENCED, re.compile(rf" {{0,3}}{re.escape(mark[0])}{{{len(mark)},}}[ \t]*$")
    for opener, end in _RAW_HTML:
        if opener.match(line):
            return (_NORMAL, None) if end.search(line) else (_RAW, end)
    if _OTHER_HTML.match(line):
        return _UNTIL_BLANK, None
    return _NORMAL, None


def _indented_next(lines: list[str], blank: list[bool]) -> list[bool]:
    """For each line: is the next non-blank line after it indented (a possible continuation)?"""
    result = [False] * len(lines)
    indented = False
    for index in range(len(lines) - 1, -1, -1):
        result[index] = indented
        if not blank[index]:
            indented = lines[index][:1] in (" ", "\t")
    return result


def _parse_chunk(lines: list[str], start: int, stop: int, out: list[Block]) -> None:
    chunk = "\n".join(lines[start:stop])
    if chunk.strip(" \t\n"):
        _walk(MD.parse(chunk), start, out)


def _walk(tokens: list[Token], offset: int, out: list[Block]) -> None:
    """Turn markdown-it block tokens into blocks; ``offset`` is the chunk's first line index."""
    items: list[tuple[Item, int]] = []  # open list items, with the quote depth they opened at
    quotes = 0
    table: Table | None = None
    row: list[str] = []
    row_line = 0
    for index, token in enumerate(tokens):
        kind = token.type
        if table is not None:
            if kind == "inline":
                row.append(token.content)
            elif kind == "tr_open":
                row, row_line = [], _line(token, offset)
            elif kind == "tr_close":
                if table.header:
                    table.rows.append((row_line, row))
                else:
                    table.header = row
            elif kind == "table_close":
                out.append(table)
                table = None
            continue
        if kind == "table_open":
            table = Table(line=_line(token, offset))
        elif kind == "inline":
            _place_inline(token, tokens[index - 1], items, quotes, offset, out)
        elif kind == "list_item_open":
            parent = items[-1][0] if items else None
            item = Item(line=_line(token, offset), depth=len(items), parent=parent)
            if parent is not None:
                parent.has_children = True
            items.append((item, quotes))
            out.append(item)
        elif kind == "list_item_close":
            if items:
                items.pop()
        elif kind == "blockquote_open":
            quotes += 1
        elif kind == "blockquote_close":
            quotes = max(quotes - 1, 0)
        elif kind == "html_block" and not items and not quotes:
            out.append(Html(line=_line(token, offset), content=token.content))


def _place_inline(
    token: Token,
    opener: Token,
    items: list[tuple[Item, int]],
    quotes: int,
    offset: int,
    out: list[Block],
) -> None:
    if items:
        item, opened_at = items[-1]
        if quotes > opened_at:
            item.quotes.append(token.content)
        elif not item.content and not item.has_children:
            item.content = token.content
        elif not item.has_children and opener.type == "paragraph_open":
            item.more.append(token.content)
    elif quotes:
        if out and isinstance(out[-1], Item):
            out[-1].quotes.append(token.content)
    elif opener.type == "heading_open":
        level = int(opener.tag[1:]) if opener.tag[1:].isdigit() else 6
        out.append(Heading(line=_line(token, offset), level=level, content=token.content))
    else:
        out.append(Paragraph(line=_line(token, offset), content=token.content))


def _line(token: Token, offset: int) -> int:
    return (token.map[0] if token.map else 0) + offset + 1
