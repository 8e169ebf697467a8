"""Every key, generated from the bindings (after the user's remaps), pane by pane.

The binding id in the last column is what ``[keymap]`` in ``config.toml`` remaps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from paperdesk.tui.keymap import KeyHelp

_KEY_WIDTH = 14
_DESCRIPTION_WIDTH = 24


def render_keys(sections: list[tuple[str, list[KeyHelp]]]) -> Content:
    lines: list[Content] = []
    for title, helps in sections:
        if not helps:
            continue
        if lines:
            lines.append(Content(""))
        lines.append(Content.styled(title, "bold $accent"))
        for item in helps:
            keys = " ".join(item.keys)
            lines.append(
                Content.assemble(
                    (f"  {keys:<{_KEY_WIDTH}}", "bold"),
                    f"{item.description:<{_DESCRIPTION_WIDTH}}",
                    (item.binding_id or "", "$text-muted"),
                )
            )
    return Content("\n").join(lines)


REMAP_HINT = 'remap in config.toml: [keymap] id = "key"  ·  escape closes'


class HelpScreen(ModalScreen[None]):
    """The keys of the screen the help was opened from."""

    CSS_PATH: ClassVar[list[str]] = ["dialogs.tcss", "help.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="help.up"),
    ]

    def __init__(self, sections: list[tuple[str, list[KeyHelp]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            # Content, not a markup string: "[keymap]" must show as written.
            box.border_subtitle = Content(REMAP_HINT)
            yield Static(render_keys(self.sections), id="help-text")

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll(self, direction: str) -> None:
        box = self.query_one("#help-box", VerticalScroll)
        if direction == "down":
            box.scroll_down()
        else:
            box.scroll_up()
