"""The top line: which list is open and how far the reading has got."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from paperdesk.tui.text import clean

if TYPE_CHECKING:
    from paperdesk.tui.desk_model import DeskModel


class DeskHeader(Static):
    """``paperdesk · LIST   read 3/110 · reading 1 · queued 5 · notes 2``."""

    def show_loading(self) -> None:
        self.update(
            Content.assemble(("paperdesk", "bold"), ("  loading…", "$text-muted")), layout=False
        )

    def show_counts(self, name: str, model: DeskModel) -> None:
        counts = model.counts
        total = len(model.catalog)
        self.update(
            Content.assemble(
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
            ),
            layout=False,  # one line whatever it says: no layout pass on every mark
        )
