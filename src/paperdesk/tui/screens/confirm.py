"""A yes/no question before something that cannot be undone from the desk."""

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


class ConfirmScreen(ModalScreen[bool]):
    """``question`` (user text inside is shown literally); y confirms, n or escape does not."""

    CSS_PATH: ClassVar[list[str]] = ["dialogs.tcss", "confirm.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Content(clean(self.question)), id="confirm-question")
            yield Static(
                Content.assemble(("y", "bold $accent"), " yes    ", ("n", "bold $accent"), " no"),
                id="confirm-keys",
            )

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
