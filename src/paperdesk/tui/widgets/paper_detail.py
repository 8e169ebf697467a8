"""The highlighted paper in full: where it is from, its links, summary, abstract and history.

Built as :class:`~textual.content.Content` from cleaned user text (styles come from the theme
variables, text never goes through markup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content

from paperdesk.tui.text import clean
from paperdesk.tui.widgets.line_view import WrappedView

if TYPE_CHECKING:
    from paperdesk.catalog.models import ArxivMetadata, DblpMetadata
    from paperdesk.catalog.records import Paper
    from paperdesk.state.models import PaperState

_LABEL = "$text-muted"
_LABEL_WIDTH = 10


def _field(name: str, value: str | Content, *, multiline: bool = False) -> Content:
    text = Content(clean(value, multiline=multiline)) if isinstance(value, str) else value
    return Content.assemble((f"{name:<{_LABEL_WIDTH}}", _LABEL), text)


def describe(
    paper: Paper,
    status: str,
    state: PaperState | None,
    metadata: ArxivMetadata | None = None,
    dblp: DblpMetadata | None = None,
) -> Content:
    """Everything the desk knows about ``paper``, one field per line. ``status`` is the one on
    screen, which leads the store's ``state`` while a mark is being written. Authors are
    arXiv's when it was enriched, else DBLP's (a fetched venue's); DOI and pages are DBLP's."""
    lines: list[Content] = [Content.styled(clean(paper.title), "bold")]
    where = " · ".join(clean(part) for part in [paper.venue or "", *paper.topics] if part)
    if where:
        lines.append(Content.styled(where, _LABEL))
    lines.append(Content(""))
    when = f" · {state.updated_at.astimezone():%Y-%m-%d %H:%M}" if state else ""
    if state is not None and state.status_from and state.status == status:
        when += f" · from {clean(state.status_from)}"  # marked on another machine, synced
    lines.append(_field("status", Content.assemble((status, "bold"), when)))
    if state is not None and len(state.note_heads) > 1 and state.note:
        merged = "edited on several machines: every version is kept; edit it to settle"
        lines.append(_field("note", Content.styled(merged, _LABEL)))
    if paper.tags:
        lines.append(_field("tags", ", ".join(paper.tags)))
    if paper.keywords:
        lines.append(_field("keywords", ", ".join(paper.keywords)))
    if paper.date:
        lines.append(_field("date", paper.date.isoformat()))
    if paper.arxiv_id:
        lines.append(_field("arXiv", paper.arxiv_id))
    links = list(paper.links)
    if paper.url and all(link.url != paper.url for link in links):
        lines.append(_field("url", paper.url))
    for index, link in enumerate(links):
        lines.append(_field("links" if index == 0 else "", f"{link.label}  {link.url}"))
    authors = metadata.authors if metadata is not None and metadata.authors else None
    if authors is None and dblp is not None and dblp.authors:
        authors = dblp.authors
    if authors:
        lines.append(_field("authors", ", ".join(authors)))
    if dblp is not None and dblp.doi:
        lines.append(_field("doi", dblp.doi))
    if dblp is not None and dblp.pages:
        lines.append(_field("pages", dblp.pages))
    if paper.summary:
        lines.extend([Content(""), _field("summary", paper.summary, multiline=True)])
    if metadata is not None and metadata.abstract:
        lines.extend([Content(""), _field("abstract", metadata.abstract, multiline=True)])
    if state is not None and state.history:
        lines.append(Content(""))
        for index, change in enumerate(reversed(state.history)):
            stamp = f"{change.at.astimezone():%Y-%m-%d %H:%M}  {change.status}"
            lines.append(_field("history" if index == 0 else "", stamp))
    return Content("\n").join(lines)


class PaperDetail(WrappedView, can_focus=True):
    """The highlighted paper, wrapped to the pane; scrolls with j/k when focused.

    A line-API widget: showing another paper re-wraps a few dozen lines and redraws the pane,
    with no layout pass (the desk does this on every cursor move).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Scroll down", show=False, id="detail.down"),
        Binding("k,up", "scroll_up", "Scroll up", show=False, id="detail.up"),
        Binding("enter", "screen.edit_note", "Write note", id="detail.note"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Content.styled("Loading…", _LABEL), id=id)
        self._paper_id: str | None = None

    def show_paper(
        self,
        paper: Paper | None,
        status: str,
        state: PaperState | None,
        metadata: ArxivMetadata | None = None,
        dblp: DblpMetadata | None = None,
    ) -> None:
        if paper is None:
            content = Content.styled("No paper selected.", _LABEL)
        else:
            content = describe(paper, status, state, metadata, dblp)
        paper_id = paper.id if paper else None
        self.set_content(content, top=paper_id != self._paper_id)
        self._paper_id = paper_id
