"""The query language: its syntax tree, and the parser that builds it from what the user typed.

::

    status:unread year:>=2024 -venue:arxiv (tag:"kv cache" OR topic:serving)

Bare words and ``"quoted phrases"`` must all appear in a paper's text (title, authors, venue,
topics, tags, keywords, note); ``field:value`` filters name one field (:data:`FIELDS`); ``-``
negates the term it precedes; ``OR`` joins the terms on each side of it; parentheses group.
Terms side by side must all hold, and ``OR`` binds tighter than that (as in web search:
``venue:osdi OR venue:nsdi year:2024`` is OSDI or NSDI papers, of 2024). Text is compared
folded (case and accents ignored, :func:`~paperdesk.catalog.folding.fold`), and a field's value
matches any part of the field: ``venue:osdi`` finds ``OSDI 2024``, ``topic:serving`` finds
``LLM Serving``.

The tree is frozen dataclasses rather than pydantic models: it is built on every keystroke of
the desk's search, never crosses a process or a file (saved views keep the query's text and
parse it again), and the parser is what checks it. A mistake is a
:class:`~paperdesk.errors.QueryError` naming the column it starts at.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from paperdesk.catalog.folding import fold
from paperdesk.catalog.records import STATUSES
from paperdesk.errors import QueryError

TextField = Literal["venue", "tag", "topic", "source"]
HasWhat = Literal["note", "arxiv", "code"]
TEXT_FIELDS: tuple[TextField, ...] = ("venue", "tag", "topic", "source")
HAS: tuple[HasWhat, ...] = ("note", "arxiv", "code")
FIELDS: tuple[str, ...] = ("venue", "year", "status", "tag", "topic", "source", "has", "new")
#: What ends a bare word or a field's unquoted value.
_STOPS = frozenset(' \t\n()"')
_EXAMPLES = {
    "venue": "osdi",
    "year": ">=2024",
    "status": "unread",
    "tag": '"kv cache"',
    "topic": "serving",
    "source": "daily",
    "has": "note",
}
_YEAR = re.compile(r"(>=|<=|>|<|=)?(\d{4})")
_YEAR_RANGE = re.compile(r"(\d{4})?\.\.(\d{4})?")


@dataclass(frozen=True, slots=True)
class Text:
    """A bare word or a quoted phrase (folded) that the paper's text must contain."""

    text: str


@dataclass(frozen=True, slots=True)
class FieldText:
    """``venue:``, ``tag:``, ``topic:`` or ``source:``: some value of the field contains
    ``text`` (folded)."""

    field: TextField
    text: str


@dataclass(frozen=True, slots=True)
class Year:
    """``year:``: the paper's year lies in ``low..high`` (both inclusive, None: open)."""

    low: int | None
    high: int | None


@dataclass(frozen=True, slots=True)
class Status:
    """``status:``: the paper's reading status is ``status``."""

    status: str


@dataclass(frozen=True, slots=True)
class Has:
    """``has:note``, ``has:arxiv`` or ``has:code``."""

    what: HasWhat


@dataclass(frozen=True, slots=True)
class New:
    """``new:``: the paper came with the last sync."""


@dataclass(frozen=True, slots=True)
class Not:
    """``-term``: the term does not hold."""

    term: Node


@dataclass(frozen=True, slots=True)
class And:
    """Terms side by side: all hold (no terms: every paper)."""

    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """``a OR b``: at least one holds."""

    terms: tuple[Node, ...]


Node = Text | FieldText | Year | Status | Has | New | Not | And | Or
EVERYTHING = And(())


def parse(query: str) -> Node:
    """The tree of ``query``; :class:`QueryError` at the first mistake. Blank: every paper."""
    return _Parser(query).parse()


class _Parser:
    """Recursive descent over the text: sequence > OR > ``-`` > term."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, at: int, reason: str) -> QueryError:
        return QueryError(at + 1, reason)

    def parse(self) -> Node:
        return self.sequence(opener=None)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def at_or(self) -> bool:
        """``OR`` as a word of its own (``ORACLE`` and ``or`` are words to search)."""
        end = self.pos + 2
        return self.text.startswith("OR", self.pos) and (
            end == len(self.text) or self.text[end] in _STOPS
        )

    def sequence(self, opener: int | None) -> Node:
        """Terms until the end (or the ``)`` of the ``(`` at ``opener``): all must hold."""
        terms: list[Node] = []
        while True:
            self.skip_space()
            if self.at_end():
                if opener is not None:
                    raise self.fail(opener, "'(' is never closed; add ')'")
                break
            if self.text[self.pos] == ")":
                if opener is None:
                    raise self.fail(self.pos, "')' closes nothing; remove it or add '('")
                self.pos += 1
                if not terms:
                    raise self.fail(opener, "'()' holds nothing; put terms inside")
                break
            terms.append(self.either())
        return terms[0] if len(terms) == 1 else And(tuple(terms))

    def either(self) -> Node:
        """Terms joined by ``OR``."""
        if self.at_or():
            raise self.fail(self.pos, "OR needs a term before it")
        terms = [self.unary()]
        while True:
            before = self.pos
            self.skip_space()
            if not self.at_or():
                self.pos = before
                break
            where = self.pos
            self.pos += 2
            self.skip_space()
            if self.at_end() or self.text[self.pos] == ")" or self.at_or():
                raise self.fail(where, "OR needs a term after it")
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def unary(self) -> Node:
        char = self.text[self.pos]
        if char == "-":
            start = self.pos
            self.pos += 1
            if self.at_end() or self.text[self.pos].isspace() or self.text[self.pos] == ")":
                raise self.fail(start, "'-' needs a term right after it, like -venue:arxiv")
            return Not(self.unary())
        if char == "(":
            start = self.pos
            self.pos += 1
            return self.sequence(opener=start)
        return self.term()

    def quoted(self) -> str:
        """The text between the ``"`` at the cursor and the next ``"``."""
        start = self.pos
        end = self.text.find('"', start + 1)
        if end < 0:
            raise self.fail(start, "'\"' is never closed; add '\"'")
        self.pos = end + 1
        return self.text[start + 1 : end]

    def term(self) -> Node:
        start = self.pos
        if self.text[start] == '"':
            phrase = fold(self.quoted()).strip()
            if not phrase:
                raise self.fail(start, "'\"\"' holds nothing; put words inside")
            return Text(phrase)
        while not self.at_end() and self.text[self.pos] not in _STOPS:
            self.pos += 1
        word = self.text[start : self.pos]
        name, colon, value = word.partition(":")
        field = name.casefold()
        if colon and field in FIELDS:
            at = start + len(name) + 1
            if not value and not self.at_end() and self.text[self.pos] == '"':
                value = self.quoted()
            return self.field(field, value, at)
        if colon and name:
            close = difflib.get_close_matches(field, FIELDS, n=1, cutoff=0.75)
            if close:
                raise self.fail(
                    start,
                    f"unknown field '{name}:'; did you mean '{close[0]}:'? "
                    "(quote it to search the text)",
                )
        return Text(fold(word))

    def field(self, field: str, value: str, at: int) -> Node:
        """The filter ``field:value``; ``at`` is where the value starts."""
        if field == "new":
            if value:
                raise self.fail(at, f"new: takes no value (got '{value}'); write new: alone")
            return New()
        if not value.strip():
            example = _EXAMPLES[field]
            raise self.fail(at, f"{field}: needs a value, like {field}:{example}")
        if field == "year":
            return self.year(value, at)
        if field == "status":
            if value.casefold() not in STATUSES:
                raise self.fail(at, f"status: is one of {', '.join(STATUSES)}; not '{value}'")
            return Status(value.casefold())
        if field == "has":
            what = value.casefold()
            if what not in HAS:
                raise self.fail(at, f"has: is one of {', '.join(HAS)}; not '{value}'")
            return Has(what)  # type: ignore[arg-type]
        return FieldText(field, fold(value).strip())  # type: ignore[arg-type]

    def year(self, value: str, at: int) -> Year:
        wanted = "takes 2024, >=2024, <2020 or 2023..2025"
        if match := _YEAR.fullmatch(value):
            op, year = match.group(1) or "=", int(match.group(2))
            return {
                "=": Year(year, year),
                ">=": Year(year, None),
                ">": Year(year + 1, None),
                "<=": Year(None, year),
                "<": Year(None, year - 1),
            }[op]
        match = _YEAR_RANGE.fullmatch(value)
        if match and (match.group(1) or match.group(2)):
            low = int(match.group(1)) if match.group(1) else None
            high = int(match.group(2)) if match.group(2) else None
            if low is not None and high is not None and low > high:
                raise self.fail(at, f"year:{value} is an empty range; write {high}..{low}")
            return Year(low, high)
        raise self.fail(at, f"year: {wanted}, not '{value}'")
