"""Every key, generated from the bindings (after the user's remaps), pane by pane.

paperdesk's own keys come first, grouped by pane, with the binding id that ``[keymap]`` in
``config.toml`` remaps; the generic editing and scrolling keys of Textual's widgets (the note
editor's ctrl+z, the palette's ctrl+p...) follow, folded under one heading, a few to a line.
"""

from __future__ import annotations

import re
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
_NUMBERED = re.compile(r"(.*?)(\d+)$")


def _numbered(item: KeyHelp) -> tuple[str, str, int] | None:
    """``("Saved view ", "desk.view_", 3)`` for a binding of a numbered family, else None."""
    described, bound = _NUMBERED.match(item.description), _NUMBERED.match(item.binding_id or "")
    if described is None or bound is None or described[2] != bound[2]:
        return None
    return described[1], bound[1], int(described[2])


def _folded(helps: list[KeyHelp]) -> list[tuple[str, str, str]]:
    """Keys, description and id per line; a numbered family (the saved views on ``1``-``9``)
    is one line, ``1…9  Saved view 1…9``, where three or more follow one another."""
    rows: list[tuple[str, str, str]] = []
    run: list[tuple[KeyHelp, tuple[str, str, int]]] = []

    def flush() -> None:
        if len(run) > 2:
            (described, bound, low), high = run[0][1], run[-1][1][2]
            digits = all(item.keys == (str(number[2]),) for item, number in run)
            keys = f"{low}…{high}" if digits else " ".join(k for item, _ in run for k in item.keys)
            rows.append((keys, f"{described}{low}…{high}", f"{bound}{low}…{high}"))
        else:
            rows.extend((" ".join(i.keys), i.description, i.binding_id or "") for i, _ in run)
        run.clear()

    for item in helps:
        number = _numbered(item)
        if run and not (
            number is not None and number[:2] == run[-1][1][:2] and number[2] == run[-1][1][2] + 1
        ):
            flush()
        if number is None:
            rows.append((" ".join(item.keys), item.description, item.binding_id or ""))
        else:
            run.append((item, number))
    flush()
    return rows


def render_keys(
    sections: list[tuple[str, list[KeyHelp]]], generic: list[KeyHelp] = (), width: int = 84
) -> Content:
    lines: list[Content] = []
    for title, helps in sections:
        if not helps:
            continue
        if lines:
            lines.append(Content(""))
        lines.append(Content.styled(title, "bold $accent"))
        for keys, description, binding_id in _folded(helps):
            lines.append(
                Content.assemble(
                    (f"  {keys:<{_KEY_WIDTH}}", "bold"),
                    f"{description:<{_DESCRIPTION_WIDTH}}",
                    (binding_id, "$text-muted"),
                )
            )
    if generic:
        lines.extend([Content(""), Content.styled(GENERIC_TITLE, "bold $accent")])
        line = Content("  ")
        for item in generic:
            part = Content.assemble((" ".join(item.keys), "bold"), " ", item.description)
            if line.cell_length > 2 and line.cell_length + 3 + part.cell_length > width:
                lines.append(line)
                line = Content("  ")
            line = line + (Content(" · ") if line.cell_length > 2 else Content("")) + part
        lines.append(line)
    return Content("\n").join(lines)


GENERIC_TITLE = "Editing and scrolling (the usual keys of the text box and the lists)"
REMAP_HINT = 'remap in config.toml: [keymap] id = "key"  ·  escape closes'


class HelpScreen(ModalScreen[None]):
    """The keys of the screen the help was opened from."""

    CSS_PATH: ClassVar[list[str]] = ["dialogs.tcss", "help.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="help.up"),
    ]

    def __init__(
        self, sections: list[tuple[str, list[KeyHelp]]], generic: list[KeyHelp] = ()
    ) -> None:
        super().__init__()
        self.sections = sections
        self.generic = list(generic)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            # Content, not a markup string: "[keymap]" must show as written.
            box.border_subtitle = Content(REMAP_HINT)
            yield Static(render_keys(self.sections, self.generic), id="help-text")

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll(self, direction: str) -> None:
        box = self.query_one("#help-box", VerticalScroll)
        if direction == "down":
            box.scroll_down()
        else:
            box.scroll_up()
