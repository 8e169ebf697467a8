"""The bottom line: ``?`` and ``q`` always, then the focused pane's keys, then the screen's.

A pending repeat count (``5`` typed before ``j``) leads the line while it waits for its move
(:meth:`KeyBar.show_pending`), so the digit the user typed is never silent.

A screen may name actions in ``KEY_BAR_FIRST`` to show them first while they are available
(the desk's "cancel fetch"): a key that exists only for a moment must not be cut off the end.

One line of text re-rendered when the bindings change, instead of Textual's ``Footer``, which
mounts a widget per key on every focus change — on the desk that churn cost more than the rest
of start-up. Reads ``screen.active_bindings`` exactly as the ``Footer`` does (user remaps
included), focused widget first, so it shows the same keys in the order they win. Help and quit
lead the line, so no width ever hides them; keys the focused widget takes as text (a letter
while a note is being written) are left out, since pressing them would type, not act.
"""

from __future__ import annotations

from textual.content import Content
from textual.keys import REPLACED_KEYS, key_to_character
from textual.screen import Screen
from textual.widget import Widget

_SEPARATOR = "  "
#: Always first, when they act: the keys a newcomer needs to find everything else and to leave.
FIRST = ("help", "quit")


class KeyBar(Widget):
    """``? Help  q Quit  r Read  i Reading  …`` for the focused widget and its ancestors."""

    #: What a typed prefix (a repeat count) waits for, shown first; "" when nothing waits.
    pending = ""

    def show_pending(self, text: str) -> None:
        if text != self.pending:
            self.pending = text
            self.refresh()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self.refresh()

    def _typed(self, key: str) -> bool:
        """Whether the focused widget takes ``key`` as text rather than as a command."""
        focused = self.screen.focused
        if focused is None:
            return False
        return focused.check_consume_key(key, key_to_character(REPLACED_KEYS.get(key, key)))

    def render(self) -> Content:
        app = self.app
        seen: set[str] = set()
        leading: list[tuple[int, Content]] = []
        parts: list[Content] = []
        palette = None
        early = getattr(self.screen, "KEY_BAR_FIRST", ())
        bindings = sorted(
            self.screen.active_bindings.items(),
            key=lambda item: item[1].binding.action not in early,
        )
        for key, active in bindings:
            binding = active.binding
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = app.get_key_display(binding)
                continue
            if not binding.show or not binding.description or binding.action in seen:
                continue
            if self._typed(key):
                continue
            seen.add(binding.action)
            colour = "$text" if active.enabled else "$text-disabled"
            part = Content.assemble(
                (app.get_key_display(binding), f"bold {'$accent' if active.enabled else colour}"),
                " ",
                (binding.description, colour),
            )
            if binding.action in FIRST:
                leading.append((FIRST.index(binding.action), part))
            else:
                parts.append(part)
        if self.pending:
            leading.insert(0, (-1, Content.styled(self.pending, "bold $warning")))
        line = Content(_SEPARATOR).join(
            [part for _, part in sorted(leading, key=lambda item: item[0])] + parts
        )
        if palette is not None and not self._typed(app.COMMAND_PALETTE_BINDING):
            hint = Content.assemble((palette, "bold $accent"), (" palette", "$text-muted"))
            room = self.size.width - hint.cell_length - 3  # the margins and one space
            if line.cell_length > room:
                line = line.truncate(max(room, 0), ellipsis=True)
            line = line.pad_right(max(room - line.cell_length, 0)) + Content(" ") + hint
        elif line.cell_length > self.size.width - 2:
            line = line.truncate(max(self.size.width - 2, 0), ellipsis=True)
        return Content(" ") + line
