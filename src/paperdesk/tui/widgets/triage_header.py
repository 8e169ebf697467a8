"""The triage screen's top line: the venue on the left, progress on the right.

``NSDI 2025 · filter kv cache: 3/12`` … ``37/312 triaged · 21 picked``. A one-line widget that
re-renders itself (no layout pass) on every triage key.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from paperdesk.state.triage import TriageCount
from paperdesk.tui.text import clean


class TriageHeader(Widget):
    """Venue, filter and progress, on one line."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.venue = ""
        self.progress = TriageCount(0, 0, 0)
        self.filter = ""
        self.filtered = TriageCount(0, 0, 0)

    def show(
        self,
        venue: str,
        progress: TriageCount,
        filter_text: str = "",
        filtered: TriageCount | None = None,
    ) -> None:
        self.venue = venue
        self.progress = progress
        self.filter = filter_text
        self.filtered = filtered or progress
        self.refresh()

    def render(self) -> Content:
        left = Content.assemble(("Triage ", "$text-muted"), (clean(self.venue), "bold"))
        if self.filter:
            shown = self.filtered
            left += Content.assemble(
                (" · filter ", "$text-muted"),
                (clean(self.filter), "bold $accent"),
                (f": {shown.triaged}/{shown.total}", "$text-muted"),
            )
        right = Content.styled(str(self.progress), "bold")
        if self.progress.done:
            right = Content.assemble(("done · ", "bold $success"), right)
        width = self.size.width
        room = width - right.cell_length - 1
        if left.cell_length > room:
            left = left.truncate(max(room, 0), ellipsis=True)
        return left.pad_right(max(width - left.cell_length - right.cell_length, 1)) + right
