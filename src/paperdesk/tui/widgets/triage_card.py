"""The paper being triaged, alone on a card: title, authors, venue · session, abstract.

Built as :class:`~textual.content.Content` from cleaned user text (never markup). A line-API
widget like the desk's detail pane: showing the next paper re-wraps a few lines and repaints
the card with no layout pass, which keeps a triage key within a frame at thousands of papers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content

from paperdesk.state.triage import PICK, READ, SKIP
from paperdesk.tui.text import clean
from paperdesk.tui.widgets.line_view import WrappedView

_MUTED = "$text-muted"
#: How each status reads on the card (a paper read earlier, as a preprint too, is triaged).
STATUS_WORDS = {
    "unread": ("untriaged", "bold $warning"),
    PICK: ("picked", "bold $success"),
    SKIP: ("skipped", "bold $text-muted"),
    READ: ("read", "bold $primary"),
    "reading": ("reading", "bold $primary"),
}


@dataclass(frozen=True)
class CardPaper:
    """What the card shows of one paper (the screen gathers it from the catalog, the status
    on screen and what fetching added)."""

    title: str
    venue: str | None
    topics: Sequence[str]
    status: str
    place: int
    of: int
    authors: Sequence[str] = ()
    abstract: str | None = None
    url: str | None = None


def describe(paper: CardPaper) -> Content:
    """The card's text, one field per line; the abstract wrapped below the rest."""
    word, style = STATUS_WORDS.get(paper.status, (paper.status, "bold"))
    lines = [
        Content.assemble((f"{paper.place} of {paper.of}", _MUTED), "  ", (word, style)),
        Content(""),
        Content.styled(clean(paper.title), "bold"),
    ]
    if paper.authors:
        lines.append(Content(clean(", ".join(paper.authors))))
    where = " · ".join(clean(part) for part in [paper.venue or "", *paper.topics] if part)
    if where:
        lines.append(Content.styled(where, _MUTED))
    if paper.url:
        lines.append(Content.styled(clean(paper.url), _MUTED))
    if paper.abstract:
        lines.extend([Content(""), Content(clean(paper.abstract, multiline=True))])
    return Content("\n").join(lines)


class TriageCard(WrappedView, can_focus=True):
    """One paper, wrapped to the card; a long abstract scrolls (page keys)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "page_down", "Scroll down", show=False, id="triage_card.down"),
        Binding("pageup", "page_up", "Scroll up", show=False, id="triage_card.up"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Content.styled("Loading…", _MUTED), id=id)

    def show(self, paper: CardPaper | None, empty: str = "No paper here.") -> None:
        """Show ``paper`` from its top (``empty`` when there is none)."""
        content = describe(paper) if paper is not None else Content.styled(empty, _MUTED)
        self.set_content(content, top=True)
