"""Moving through a backlog: ``]``/``[`` to the next/previous unread paper, on across the
Library's sections, and repeat counts (``5j``, ``3]``).

``]`` looks for an unread paper below the cursor in the list as shown; past its end it opens
the next section of the same kind in the Library (the next venue, topic, source, source venue
or day) whose view has one, with the cursor on it. ``[`` does the same upwards, landing on the
last unread paper of an earlier section. Each step walks only as far as the next unread paper.
The keys are brackets, not newsboat's ``n``/``N``: ``n`` has written the note since the first
release, and scripts and fingers still send it.

A digit in the paper list is a repeat count or a saved view: it waits (shown in the key bar)
for a move — ``j``/``k``/``]``/``[``/``G`` and the arrows — which it repeats; any other key, or
a pause of :data:`COUNT_SECONDS`, opens the saved view of that digit as a digit always did, and
the other key then acts in the view. ``0`` only extends a count (``10j``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType

from paperdesk.tui.desk_model import next_unread
from paperdesk.tui.screens.desk.base import DeskBase
from paperdesk.tui.widgets.key_bar import KeyBar
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.tui.widgets.search_bar import SearchBar

if TYPE_CHECKING:
    from textual import events
    from textual.dom import DOMNode
    from textual.timer import Timer

#: A digit waits this long for a move before it opens its saved view.
COUNT_SECONDS = 0.8
#: What a repeat count repeats: the list's moves, and the desk's own.
LIST_MOVES = frozenset({"cursor_down", "cursor_up", "last"})
DESK_MOVES = frozenset({"next_unread", "previous_unread", "count_zero"})


def count_hint(count: str) -> str:
    """What the key bar says while a count waits for its move."""
    hint = f"{count}… j/k/]/[/G repeat {count}x"
    return f"{hint} · or a saved view" if len(count) == 1 else hint


class DeskNavigation(DeskBase):
    """Next/previous unread, and repeat counts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "right_square_bracket", "next_unread", "Next unread", show=False, id="desk.next_unread"
        ),
        Binding(
            "left_square_bracket",
            "previous_unread",
            "Previous unread",
            show=False,
            id="desk.previous_unread",
        ),
        Binding("0", "count_zero", "Count digit 0", show=False, id="desk.count_zero"),
    ]

    _count_timer: Timer | None = None
    _view_keys_for: object = None
    _view_key_digits: dict[str, str] | None = None

    # -- next / previous unread ----------------------------------------------------------

    def action_next_unread(self) -> None:
        self._walk_unread(1)

    def action_previous_unread(self) -> None:
        self._walk_unread(-1)

    def _walk_unread(self, step: int) -> None:
        for _ in range(self.paper_list.take_count()):
            if not self._step_unread(step):
                break

    def _step_unread(self, step: int) -> bool:
        """One unread paper further, in this list or the next section's; False at the end."""
        model, papers = self.model, self.paper_list
        if model is None:
            return False
        index = next_unread(papers.rows, model.row_status, papers.cursor, step)
        if index is not None:
            papers.move_to(index)
            return True
        query = self.query_text if self.query_one(SearchBar).error is None else ""
        found = model.unread_section(self.selection, step, query, self.status_filter, self.sort)
        if found is None:
            where = "below" if step > 0 else "above"
            more = " or in the sections after it" if model.sections(self.selection) else ""
            self.notify(f"No unread paper {where} here{more}.", timeout=2)
            return False
        section, rows, index = found
        tree = self.query_one(NavTree)
        node = tree.find(section)
        if node is not None:  # the tree's own selection: its label, and no second Highlighted
            tree.move_cursor(node)
            section = node.data
        self.selection = section
        self._show_rows(keep=rows[index])
        self._update_header()
        return True

    # -- repeat counts -------------------------------------------------------------------

    def _bound(self, key: str) -> tuple[DOMNode, str] | None:
        """The node and action ``key`` runs where the focus is (the user's remaps included),
        looked up the way Textual's own dispatch does."""
        for node, bindings in self._modal_binding_chain:
            for binding in bindings.key_to_bindings.get(key, ()):
                return node, binding.action
        return None

    def _view_keys(self) -> dict[str, str]:
        """Key -> the digit of the saved view it opens, after the user's remaps (made once per
        keymap: every key in the list asks, so it must cost a dict lookup)."""
        keymap = self.app._keymap
        if self._view_keys_for is not keymap:
            bindings = self._bindings.copy()
            if keymap:
                bindings.apply_keymap(keymap)
            self._view_key_digits = {
                key: binding.action[len("open_view(") : -1]
                for key, bound in bindings.key_to_bindings.items()
                for binding in bound
                if binding.action.startswith("open_view(")
            }
            self._view_keys_for = keymap
        return self._view_key_digits or {}

    async def on_key(self, event: events.Key) -> None:
        """A digit in the paper list starts a count; while one waits, a move takes it and any
        other key opens the digit's saved view first (see the module docstring)."""
        papers = self.paper_list
        if self.focused is not papers:
            return
        number = self._view_keys().get(event.key, "")
        if number.isdigit():
            event.stop()
            event.prevent_default()
            self._count(papers.count + number)
            return
        if not papers.count:
            return
        bound = self._bound(event.key)
        node, action = bound if bound is not None else (None, "")
        if (node is papers and action in LIST_MOVES) or (node is self and action in DESK_MOVES):
            self._count_done()  # the move takes the count from the list
            return
        count = papers.count
        papers.count = ""
        self._count_done()
        if event.key == "escape":  # escape only lets go of the count
            event.stop()
            event.prevent_default()
        elif len(count) == 1:  # first, so the key acts in the view (as "1" then "r" did)
            await self.run_action(f"open_view({count})")

    def _count(self, count: str) -> None:
        self.paper_list.count = count
        self.query_one(KeyBar).show_pending(count_hint(count))
        if self._count_timer is not None:
            self._count_timer.stop()
        self._count_timer = self.set_timer(COUNT_SECONDS, self._count_lapsed)

    def _count_done(self) -> None:
        if self._count_timer is not None:
            self._count_timer.stop()
            self._count_timer = None
        self.query_one(KeyBar).show_pending("")

    async def _count_lapsed(self) -> None:
        """No move came: one digit opens its saved view, a longer count is let go."""
        count = self.paper_list.count
        self.paper_list.count = ""
        self._count_done()
        if len(count) == 1:
            await self.run_action(f"open_view({count})")

    def action_count_zero(self) -> None:
        self._count(self.paper_list.count + "0")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "count_zero":
            return bool(self.paper_list.count) and self.focused is self.paper_list
        return super().check_action(action, parameters)
