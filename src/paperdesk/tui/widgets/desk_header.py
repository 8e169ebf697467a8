"""The top line: which view is open, how far the reading has got, and what is due.

``paperdesk · OSDI 2024   read 3/110 · reading 1 · queued 5 · notes 2   TODO 2 overdue · 1 in 7 d``

Fitted to the width at every paint: the less urgent counts give way to the view's name, and
only then does the name shorten (with an ellipsis); numbers that are shown are never cut. The
end of the line says what a background task (sync, enrich, export) is doing.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from textual.content import Content
from textual.widget import Widget

from paperdesk.tui.text import clean

#: What gives way, in turn, when the view's name does not fit: the least urgent counts first.
_DROPPED: tuple[frozenset[str], ...] = tuple(
    frozenset(("notes", "queued", "reading", "soon")[:n]) for n in range(5)
)


@dataclass(frozen=True)
class HeaderCounts:
    """The numbers the header shows (the model's, taken when they changed)."""

    read: int
    total: int
    reading: int
    queued: int
    notes: int
    overdue: int = 0
    due_soon: int = 0


class DeskHeader(Widget):
    """The desk's top line; see the module docstring."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: str | None = None
        self.counts: HeaderCounts | None = None
        self.activity: str | None = None

    def show_activity(self, text: str | None) -> None:
        """``text`` at the end of the line until the next call (None clears it)."""
        self.activity = text
        self.refresh()

    def show_loading(self) -> None:
        self.view, self.counts = None, None
        self.refresh()

    def show_counts(self, view: str, counts: HeaderCounts) -> None:
        self.view, self.counts = view, counts
        self.refresh()

    def render(self) -> Content:
        width = max(self.size.width - 2, 0)  # the padding
        if self.counts is None:
            return Content.assemble(("paperdesk", "bold"), ("  loading…", "$text-muted"))
        counts = self.counts
        parts = {
            "read": Content.assemble(
                ("read ", "$text-muted"), (f"{counts.read}/{counts.total}", "bold $success")
            ),
            "reading": Content.assemble(
                ("reading ", "$text-muted"), (str(counts.reading), "bold $warning")
            ),
            "queued": Content.assemble(
                ("queued ", "$text-muted"), (str(counts.queued), "bold $accent")
            ),
            "notes": Content.assemble(("notes ", "$text-muted"), str(counts.notes)),
        }
        todo = {}
        if counts.overdue:
            todo["overdue"] = Content.styled(f"{counts.overdue} overdue", "bold $error")
        if counts.due_soon:
            todo["soon"] = Content.styled(f"{counts.due_soon} due in 7 d", "$warning")
        name = clean(self.view or "")
        for dropped in _DROPPED:  # the view's name first, then the counts that matter most
            right = Content(" · ").join(c for key, c in parts.items() if key not in dropped)
            due = [c for key, c in todo.items() if key not in dropped]
            if due:
                right = right + Content.styled("   TODO ", "$text-muted") + Content(" · ").join(due)
            name_room = width - right.cell_length - len("paperdesk · ") - 3
            if cell_len(name) <= name_room:
                break
        if cell_len(name) > name_room:
            name = set_cell_size(name, max(name_room - 1, 0)) + "…"
        line = Content.assemble(("paperdesk", "bold"), (" · ", "$text-muted"), name, "   ", right)
        if self.activity:
            line = line + Content.styled(f"   ⟳ {clean(self.activity)}", "$accent")
        if line.cell_length > width:
            line = line.truncate(width, ellipsis=True)
        return line
