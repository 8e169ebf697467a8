"""Export… (palette): choose a format and a file; the desk writes it in a worker.

Keyboard only: tab moves between the formats, the path and the buttons; arrows pick a format;
enter in the path exports; escape cancels. The path's extension follows the format while it is
one of the formats' own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

if TYPE_CHECKING:
    from textual.app import ComposeResult

#: The file extension of each of ``paperdesk.export.render.FORMATS``.
EXTENSIONS = {"markdown": ".md", "bibtex": ".bib", "csv": ".csv", "json": ".json"}
DEFAULT_STEM = "~/paperdesk-export"


@dataclass(frozen=True)
class ExportRequest:
    """What the form asks the desk to write."""

    fmt: str
    path: Path


class ExportForm(ModalScreen[ExportRequest | None]):
    """Format and path of an export; Export (or enter in the path) exports, escape cancels."""

    CSS_PATH: ClassVar[list[str]] = ["dialogs.tcss", "export.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export_form.cancel"),
    ]

    def __init__(self, formats: tuple[str, ...], fmt: str = "markdown") -> None:
        super().__init__()
        self.formats = formats
        self.fmt = fmt if fmt in formats else formats[0]

    def compose(self) -> ComposeResult:
        with Vertical(id="export-form") as form:
            form.border_title = "Export"
            form.border_subtitle = "arrows pick · tab next field · enter exports · escape cancels"
            yield Label("Format")
            with RadioSet(id="export-format"):
                for fmt in self.formats:
                    yield RadioButton(fmt, value=fmt == self.fmt, name=fmt)
            yield Label("File")
            yield Input(DEFAULT_STEM + EXTENSIONS.get(self.fmt, ""), id="export-path")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-ok")
                yield Button("Cancel", id="export-cancel")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        fmt = event.pressed.name
        if fmt is None:
            return
        self.fmt = fmt
        path = self.query_one("#export-path", Input)
        current = PurePath(path.value)
        if current.suffix in EXTENSIONS.values() and fmt in EXTENSIONS:
            path.value = str(current.with_suffix(EXTENSIONS[fmt]))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export-ok":
            self.submit()
        else:
            self.dismiss(None)

    def submit(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.notify("Give a file to export to.", severity="error")
            self.query_one("#export-path", Input).focus()
            return
        self.dismiss(ExportRequest(self.fmt, Path(text).expanduser()))

    def action_cancel(self) -> None:
        self.dismiss(None)
