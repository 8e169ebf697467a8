"""The note editor: a TextArea that never drops what was typed.

A change is saved a moment after typing stops, when the editor loses focus, before it switches
to another paper, and when the desk quits (:meth:`NoteEditor.take_unsaved`). "Unsaved" is a
comparison with the last saved text rather than a flag, so a reload that puts the same text
back, or undoing back to it, is not a change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import TextArea

from paperdesk.tui.text import clean

if TYPE_CHECKING:
    from paperdesk.catalog.records import Paper

SAVE_DELAY = 0.8


class NoteEditor(TextArea):
    """The highlighted paper's note; ``escape`` saves and goes back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Done", id="note.leave"),
    ]

    class Save(Message):
        """The note of ``paper`` should become ``text`` (empty text deletes the note).

        ``taken`` is set by whoever queues the write — the screen's handler, or a quit that
        cannot wait for the message — so a save is written exactly once.
        """

        def __init__(self, paper: Paper, text: str) -> None:
            super().__init__()
            self.paper = paper
            self.text = text
            self.taken = False

    class Left(Message):
        """The user is done editing; the screen puts the focus back."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            "",
            id=id,
            soft_wrap=True,
            tab_behavior="focus",
            read_only=True,
            highlight_cursor_line=False,
            placeholder="No note. Press n to write one.",
        )
        self.paper: Paper | None = None
        self._saved = ""
        self._timer: Timer | None = None
        self._posted: list[NoteEditor.Save] = []

    @property
    def unsaved(self) -> bool:
        return self.paper is not None and self.text != self._saved

    def show_note(
        self, paper: Paper | None, note: str | None, *, unsaved: str | None = None
    ) -> None:
        """Show ``paper``'s stored ``note`` (or ``unsaved`` text still to be written over it).

        What was typed for the previous paper is saved first; the same paper with typing in
        progress is left alone.
        """
        if paper is not None and self.paper is not None and paper.id == self.paper.id:
            if self.unsaved:
                return
        else:
            self.save_now()
        self.paper = paper
        self.read_only = paper is None
        self._saved = clean(note or "", multiline=True)
        self.load_text(self._saved if unsaved is None else unsaved)

    def replace_saved(self, note: str | None) -> None:
        """Another process changed this paper's note: show it unless the user is typing."""
        if not self.unsaved:
            self._saved = clean(note or "", multiline=True)
            if self.text != self._saved:
                self.load_text(self._saved)

    def _take_text(self) -> tuple[Paper, str] | None:
        self._stop_timer()
        if self.paper is None or not self.unsaved:
            return None
        self._saved = self.text
        return self.paper, self.text

    def take_unsaved(self) -> list[tuple[Paper, str]]:
        """Everything not yet handed to the writer, now: quitting cannot wait for messages."""
        taken = []
        for message in self._posted:
            if not message.taken:
                message.taken = True
                taken.append((message.paper, message.text))
        self._posted.clear()
        current = self._take_text()
        if current is not None:
            taken.append(current)
        return taken

    def save_now(self) -> None:
        pending = self._take_text()
        if pending is not None:
            message = self.Save(*pending)
            self._posted = [posted for posted in self._posted if not posted.taken]
            self._posted.append(message)
            self.post_message(message)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._stop_timer()
        if self.unsaved:
            self.border_subtitle = "unsaved"
            self._timer = self.set_timer(SAVE_DELAY, self.save_now)

    def on_blur(self) -> None:
        self.save_now()

    def action_leave(self) -> None:
        self.save_now()
        # Let go of the keyboard now: a key typed right after escape is a command, not text.
        self.screen.set_focus(None)
        self.post_message(self.Left())
