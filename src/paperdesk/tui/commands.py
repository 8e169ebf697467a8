"""The command palette (ctrl+p): every paperdesk action of the current screen, with its key.

Built from the same bindings as the footer and the help screen (after the user's remaps), so a
new key binding shows up here without touching this module; a screen's ``PALETTE_ACTIONS``
(actions with no key, such as "Sync now") come first. The generic keys of Textual's widgets
(a text box's select-all) are left to the help screen.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from textual.dom import DOMNode

    from paperdesk.tui.keymap import KeyHelp


class DeskCommands(Provider):
    """Actions of the screen under the palette and of the app."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Awaitable[object]]]]:
        from paperdesk.tui.keymap import key_help

        screen = self.screen
        sections: list[tuple[str, list[KeyHelp], DOMNode]] = []
        for title, node in getattr(screen, "key_nodes", lambda: [])():
            own = [item for item in key_help(node) if item.binding_id is not None]
            sections.append((title, own, node))
        sections.append(("Everywhere", key_help(self.app), self.app))
        commands = [
            (name, help_text, partial(screen.run_action, action))
            for name, action, help_text in getattr(screen, "PALETTE_ACTIONS", ())
        ]
        for title, helps, node in sections:
            for item in helps:
                keys = " ".join(item.keys)
                commands.append(
                    (
                        item.description,
                        f"{title} · key {keys}",
                        partial(node.run_action, item.action),
                    )
                )
        return commands

    async def discover(self) -> Hits:
        for name, help_text, command in self._commands():
            yield DiscoveryHit(Content(name), command, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, text=name, help=help_text)
