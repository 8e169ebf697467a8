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


class ConfirmScreen(ModalScreen[bool | None]):
    """``question`` (user text inside is shown literally); y confirms, n does not, escape backs
    out (None: for a question whose no also acts, escape must not be that no)."""

    CSS_PATH: ClassVar[list[str]] = ["dialogs.tcss", "confirm.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(None)", "Back out", id="confirm.cancel"),
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

    def action_answer(self, answer: bool | None) -> None:
        self.dismiss(answer)
