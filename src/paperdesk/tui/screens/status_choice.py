"""Which status a bulk mark sets: one key, before the desk asks to confirm it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from paperdesk.tui.text import clean

if TYPE_CHECKING:
    from textual.app import ComposeResult

#: The status keys, as the desk's own (r, i, a, x, u), and what each one sets.
CHOICES = (
    ("r", "read"),
    ("i", "reading"),
    ("a", "queued"),
    ("x", "skipped"),
    ("u", "unread"),
)


class StatusChoice(ModalScreen[str | None]):
    """``question`` (user text inside is shown literally), then a status key; escape: none."""

    CSS_PATH: ClassVar[list[str]] = ["dialogs.tcss", "status_choice.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(key, f"choose('{status}')", status.capitalize(), id=f"status_choice.{status}")
            for key, status in CHOICES
        ),
        Binding("escape,n", "choose(None)", "Cancel", id="status_choice.cancel"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="status-box"):
            yield Static(Content(clean(self.question)), id="status-question")
            parts: list[tuple[str, str] | str] = []
            for key, status in CHOICES:
                parts += [(key, "bold $accent"), f" {status}   "]
            parts += [("escape", "bold $accent"), " cancel"]
            yield Static(Content.assemble(*parts), id="status-keys")

    def action_choose(self, status: str | None) -> None:
        self.dismiss(status)
