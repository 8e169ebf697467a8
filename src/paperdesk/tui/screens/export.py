"""Export… (palette): choose a format, what to export and a file; the desk writes it in a worker.

Keyboard only, and enter exports from wherever the cursor is. Arrows pick the format or the
scope in place (no separate key to "press" a choice); tab moves between the choices, the path
and the buttons; escape cancels. The scope is the current view (the Library node, the status
filter and the search) unless the user picks everything, one arrow away. The path's extension
follows the format while it is one of the formats' own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from paperdesk.tui.text import clean

if TYPE_CHECKING:
    from textual.app import ComposeResult

#: The file extension of each of ``paperdesk.export.render.FORMATS``.
EXTENSIONS = {"markdown": ".md", "bibtex": ".bib", "csv": ".csv", "json": ".json"}
DEFAULT_STEM = "~/paperdesk-export"


@dataclass(frozen=True)
class ExportScope:
    """What the form offers to export: the current view's papers, described for the user."""

    label: str
    ids: list[str]
    everything: int


@dataclass(frozen=True)
class ExportRequest:
    """What the form asks the desk to write; ``ids`` None means every paper."""

    fmt: str
    path: Path
    ids: list[str] | None = None


class PickSet(RadioSet):
    """A RadioSet where moving to a choice picks it (the form's enter exports)."""

    def action_next_button(self) -> None:
        super().action_next_button()
        self.action_toggle_button()

    def action_previous_button(self) -> None:
        super().action_previous_button()
        self.action_toggle_button()


class ExportForm(ModalScreen[ExportRequest | None]):
    """Format, scope and path of an export; enter exports, escape cancels."""

    CSS_PATH: ClassVar[list[str]] = ["dialogs.tcss", "export.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "export", "Export", priority=True, id="export_form.export"),
        Binding("escape", "cancel", "Cancel", id="export_form.cancel"),
    ]

    def __init__(
        self, formats: tuple[str, ...], fmt: str = "markdown", scope: ExportScope | None = None
    ) -> None:
        super().__init__()
        self.formats = formats
        self.fmt = fmt if fmt in formats else formats[0]
        self.scope = scope
        self.whole = scope is None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-form") as form:
            form.border_title = "Export"
            form.border_subtitle = "arrows pick · tab next · enter exports · escape cancels"
            yield Label("Format")
            with PickSet(id="export-format"):
                for fmt in self.formats:
                    yield RadioButton(fmt, value=fmt == self.fmt, name=fmt)
            if self.scope is not None:
                yield Label("Papers")
                with PickSet(id="export-scope"):
                    count = len(self.scope.ids)
                    label = f"this view: {self.scope.label} ({count} {_papers(count)})"
                    yield RadioButton(Content(clean(label)), value=True, name="view")
                    everything = self.scope.everything
                    yield RadioButton(
                        f"everything ({everything} {_papers(everything)})", name="all"
                    )
            yield Label("File")
            yield Input(DEFAULT_STEM + EXTENSIONS.get(self.fmt, ""), id="export-path")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-ok")
                yield Button("Cancel", id="export-cancel")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        name = event.pressed.name
        if name is None:
            return
        if event.radio_set.id == "export-scope":
            self.whole = name == "all"
            return
        self.fmt = name
        path = self.query_one("#export-path", Input)
        current = PurePath(path.value)
        if current.suffix in EXTENSIONS.values() and name in EXTENSIONS:
            path.value = str(current.with_suffix(EXTENSIONS[name]))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export-ok":
            self.action_export()
        else:
            self.dismiss(None)

    def action_export(self) -> None:
        if isinstance(self.focused, Button) and self.focused.id == "export-cancel":
            self.dismiss(None)
            return
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.notify("Give a file to export to.", severity="error")
            self.query_one("#export-path", Input).focus()
            return
        ids = None if self.whole or self.scope is None else self.scope.ids
        self.dismiss(ExportRequest(self.fmt, Path(text).expanduser(), ids))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _papers(count: int) -> str:
    return "paper" if count == 1 else "papers"
