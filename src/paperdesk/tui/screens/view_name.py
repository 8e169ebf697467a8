"""Save search as view… (palette): the name to keep the desk's current query under.

One line: enter saves, escape cancels. The query itself is shown, literally, above the name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from paperdesk.state.file_format import VIEW_NAME_MAX
from paperdesk.tui.text import clean

if TYPE_CHECKING:
    from textual.app import ComposeResult


class ViewNameForm(ModalScreen[str | None]):
    """The name of a new saved view (or of one to replace); None when cancelled."""

    CSS_PATH: ClassVar[list[str]] = ["dialogs.tcss", "view_name.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="view_name.cancel"),
    ]

    def __init__(self, query: str, name: str = "") -> None:
        super().__init__()
        self.search = query
        self.name_given = name

    def compose(self) -> ComposeResult:
        with Vertical(id="view-form") as form:
            form.border_title = "Save search as view"
            form.border_subtitle = "enter saves · escape cancels"
            yield Static(Content(clean(self.search)), id="view-query")
            yield Label("Name (the same name replaces that view)")
            yield Input(self.name_given, max_length=VIEW_NAME_MAX, id="view-name")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if name:
            self.dismiss(name)
        else:
            self.notify("A view needs a name.", severity="warning", timeout=3)

    def action_cancel(self) -> None:
        self.dismiss(None)
