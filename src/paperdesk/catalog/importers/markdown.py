"""The one configured markdown-it parser every importer reads lists with.

CommonMark, with four changes that suit hand-written paper lists: setext headings are off
(``Some prose`` over ``---`` is a paragraph and a rule, never a topic), link reference
definitions are off (so each part of a list reads the same on its own), GitHub's pipe tables
are on (many lists are tables of papers), and link targets are kept as written
(``daily-arxiv-llm.md``, the broken ``[a](b)`` target the lists contain).
Block tokens come from :data:`MD`; inline content is parsed on demand by :mod:`.inline`.
"""

from __future__ import annotations

from markdown_it import MarkdownIt


def _as_written(url: str) -> str:
    return url


MD = MarkdownIt("commonmark")
MD.disable(["lheading", "reference", "inline", "text_join"])
MD.enable("table")
MD.normalizeLink = _as_written  # type: ignore[method-assign]
