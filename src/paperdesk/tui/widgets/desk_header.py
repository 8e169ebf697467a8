"""The top line: which list is open and how far the reading has got."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from paperdesk.tui.text import clean

if TYPE_CHECKING:
    from paperdesk.tui.desk_model import DeskModel


class DeskHeader(Static):
    """``paperdesk · LIST   read 3/110 · reading 1 · queued 5 · notes 2   ⟳ syncing…``.

    The end of the line says what a background task (sync, enrich, export) is doing.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._counts = Content("paperdesk")
        self.activity: str | None = None

    def show_activity(self, text: str | None) -> None:
        """``text`` at the end of the line until the next call (None clears it)."""
        self.activity = text
        self._show()

    def _show(self) -> None:
        line = self._counts
        if self.activity:
            line = line + Content.styled(f"   ⟳ {clean(self.activity)}", "$accent")
        self.update(line, layout=False)  # one line whatever it says: no layout pass

    def show_loading(self) -> None:
        self.update(
            Content.assemble(("paperdesk", "bold"), ("  loading…", "$text-muted")), layout=False
        )

    def show_counts(self, name: str, model: DeskModel) -> None:
        counts = model.counts
        total = len(model.catalog)
        self._counts = Content.assemble(
            ("paperdesk", "bold"),
            (" · ", "$text-muted"),
            clean(name),
            "   ",
            ("read ", "$text-muted"),
            (f"{counts['read']}/{total}", "bold $success"),
            (" · reading ", "$text-muted"),
            (str(counts["reading"]), "bold $warning"),
            (" · queued ", "$text-muted"),
            (str(counts["queued"]), "bold $accent"),
            (" · notes ", "$text-muted"),
            str(model.smart_count("notes")),
        )
        self._show()
