"""The bottom line: the keys of the focused pane, then the screen's and the app's.

A screen may name actions in ``KEY_BAR_FIRST`` to show them first while they are available
(the desk's "cancel fetch"): a key that exists only for a moment must not be cut off the end.

One line of text re-rendered when the bindings change, instead of Textual's ``Footer``, which
mounts a widget per key on every focus change — on the desk that churn cost more than the rest
of start-up. Reads ``screen.active_bindings`` exactly as the ``Footer`` does (user remaps
included), so it shows the same keys.
"""

from __future__ import annotations

from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

_SEPARATOR = "  "


class KeyBar(Widget):
    """``r Read  i Reading  …`` for the focused widget and its ancestors, and ``^p palette``."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self.refresh()

    def render(self) -> Content:
        app = self.app
        seen: set[str] = set()
        parts: list[Content] = []
        palette = None
        first = getattr(self.screen, "KEY_BAR_FIRST", ())
        bindings = sorted(
            self.screen.active_bindings.items(),
            key=lambda item: item[1].binding.action not in first,
        )
        for key, active in bindings:
            binding = active.binding
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = app.get_key_display(binding)
                continue
            if not binding.show or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            colour = "$text" if active.enabled else "$text-disabled"
            parts.append(
                Content.assemble(
                    (
                        app.get_key_display(binding),
                        f"bold {'$accent' if active.enabled else colour}",
                    ),
                    " ",
                    (binding.description, colour),
                )
            )
        line = Content(_SEPARATOR).join(parts)
        if palette is not None:
            hint = Content.assemble((palette, "bold $accent"), (" palette", "$text-muted"))
            room = self.size.width - hint.cell_length - 3  # the margins and one space
            if line.cell_length > room:
                line = line.truncate(max(room, 0), ellipsis=True)
            line = line.pad_right(max(room - line.cell_length, 0)) + Content(" ") + hint
        return Content(" ") + line
