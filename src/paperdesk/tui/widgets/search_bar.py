"""The live search box above the paper list (``/``): the query language of
:mod:`paperdesk.query`.

Every keystroke filters the list (:class:`SearchBar.Changed`); ``enter`` keeps the filter and
hands the keyboard to the list, ``escape`` clears it. The box stays visible while a filter is
kept, so a filtered list never looks like the whole one. While typing, a second line says how
many papers match and what the query can hold, or where its mistake is
(:meth:`SearchBar.show_error`). That line is there for as long as the box has the focus, so a
mistake coming and going repaints two lines and never changes the layout.

A widget of its own rather than Textual's ``Input``: an ``Input`` asks the screen for a layout
pass on every keystroke, which on the desk costs more than the whole 50 ms budget of a search
keystroke. This one only repaints its lines.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from paperdesk.tui.text import clean

PROMPT = "/ "
PLACEHOLDER = "search words, or venue: year: status: tag: topic: has: …"
HINT = "words · venue: year: status: tag: topic: source: has: new: · -not · a OR b · ( )"


class SearchBar(Widget, can_focus=True):
    """Words to find; each keystroke posts :class:`SearchBar.Changed`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,down", "keep", "Keep filter", id="search.keep"),
        Binding("escape", "clear", "Clear search", id="search.clear"),
        Binding("backspace", "delete_left", "Delete left", show=False, id="search.backspace"),
        Binding("delete", "delete_right", "Delete right", show=False, id="search.delete"),
        Binding("left", "cursor(-1)", "Cursor left", show=False, id="search.left"),
        Binding("right", "cursor(1)", "Cursor right", show=False, id="search.right"),
        Binding("home,ctrl+a", "home", "Line start", show=False, id="search.home"),
        Binding("end,ctrl+e", "end", "Line end", show=False, id="search.end"),
        Binding("ctrl+u", "delete_all", "Delete all", show=False, id="search.delete_all"),
        Binding("ctrl+w", "delete_word", "Delete word", show=False, id="search.delete_word"),
    ]

    class Changed(Message):
        """The search text changed."""

        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    class Cleared(Message):
        """Escape: the filter is gone and the box hides."""

    class Kept(Message):
        """Enter (or down): keep the filter, move to the list."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.value = ""
        self.cursor = 0
        self.matches: int | None = None
        #: The query's mistake: (1-based column, reason), or None.
        self.error: tuple[int, str] | None = None

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Printable keys are text here, never the desk's single-letter bindings."""
        return character is not None and character.isprintable()

    def show_value(self, value: str) -> None:
        """Show ``value`` as the kept search (the desk reopening on it), without a Changed."""
        self.value = clean(value)
        self.cursor = len(self.value)
        self.display = True
        self.refresh()

    def show_matches(self, count: int | None) -> None:
        """How many papers the search finds (None: no search); the typed text is repainted
        with it (see :meth:`_set`)."""
        self.matches = count
        self.refresh()

    def show_error(self, column: int | None, reason: str = "") -> None:
        """Say where the query's mistake is (None: it has none); repainted with the matches."""
        self.error = None if column is None else (column, reason)
        if not self.has_focus:
            self.set_class(self.error is not None, "-error")

    def _second_line(self) -> Content:
        """The hint, or a caret under the mistake with its reason."""
        if self.error is None:
            if self.matches is None:
                return Content.styled(HINT, "$text-muted")
            return Content.assemble((self._matches_text(), "bold"), (f" · {HINT}", "$text-muted"))
        column, reason = self.error
        offset = cell_len(PROMPT + self.value[: column - 1])
        if offset + 16 <= self.content_size.width:  # room for the caret and a start of reason
            return Content.styled(f"{' ' * offset}^ {reason}", "$text-error")
        return Content.styled(f"column {column}: {reason}", "$text-error")

    def render(self) -> Content:
        prompt = Content.styled(PROMPT, "bold $accent")
        if not self.value and not self.has_focus:
            return prompt + Content.styled(PLACEHOLDER, "$text-muted")
        text = self.value
        if self.has_focus:
            at = text[self.cursor : self.cursor + 1] or " "
            line = Content.assemble(
                prompt, text[: self.cursor], (at, "reverse"), text[self.cursor + 1 :]
            )
        else:
            line = prompt + Content(text)
        if self.has_focus or self.error is not None:
            return line + Content("\n") + self._second_line()
        if self.matches is not None:
            line += Content.styled(f"   {self._matches_text()}", "$text-muted")
        return line

    def _matches_text(self) -> str:
        noun = "match" if self.matches == 1 else "matches"
        return f"{self.matches} {noun}"

    def _set(self, value: str, cursor: int) -> None:
        changed = value != self.value
        self.value = value
        self.cursor = max(0, min(cursor, len(value)))
        if changed:
            # Straight to the screen rather than bubbling through the parents' queues, and no
            # repaint until the screen answers with show_matches: a repaint of the text alone
            # would take the next frame, and the narrowed list would wait a frame for it.
            self.screen.post_message(self.Changed(value))
        else:
            self.refresh()

    def insert(self, text: str) -> None:
        text = clean(text)
        if text:
            value = self.value[: self.cursor] + text + self.value[self.cursor :]
            self._set(value, self.cursor + len(text))

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character is not None:
            event.stop()
            event.prevent_default()
            self.insert(event.character)

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        self.insert(event.text)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.set_class(self.error is not None, "-error")  # the mistake's line stays
        self.refresh()

    def action_delete_left(self) -> None:
        if self.cursor > 0:
            self._set(self.value[: self.cursor - 1] + self.value[self.cursor :], self.cursor - 1)

    def action_delete_right(self) -> None:
        self._set(self.value[: self.cursor] + self.value[self.cursor + 1 :], self.cursor)

    def action_cursor(self, step: int) -> None:
        self._set(self.value, self.cursor + step)

    def action_home(self) -> None:
        self._set(self.value, 0)

    def action_end(self) -> None:
        self._set(self.value, len(self.value))

    def action_delete_all(self) -> None:
        self._set("", 0)

    def action_delete_word(self) -> None:
        head = self.value[: self.cursor].rstrip()
        cut = head.rfind(" ") + 1
        self._set(self.value[:cut] + self.value[self.cursor :], cut)

    def action_clear(self) -> None:
        self._set("", 0)
        self.post_message(self.Cleared())

    def action_keep(self) -> None:
        if self.error is not None:  # in full, for a line too narrow to say it all
            column, reason = self.error
            self.notify(
                f"column {column}: {reason}", title="Bad query", severity="warning", markup=False
            )
            return
        self.post_message(self.Kept())
