"""The note editor: a TextArea that never drops what was typed, and never takes a key by
accident.

Until the user asks to write (``w``, enter on the paper, a click on the note:
:meth:`NoteEditor.start_editing`) it is a preview that cannot be focused, so ``tab`` never
lands in it and a ``j`` is never typed into a note; the preview shows the first lines and says
how many more there are. A change is saved a moment
after typing stops, when the editor loses focus, before it switches to another paper, and when
the desk quits (:meth:`NoteEditor.take_unsaved`). "Unsaved" is a comparison with the last saved
text rather than a flag, so a reload that puts the same text back, or undoing back to it, is
not a change.
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

    class EditRequested(Message):
        """A click on the preview: the screen starts the editing."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            "",
            id=id,
            soft_wrap=True,
            tab_behavior="focus",
            read_only=True,
            highlight_cursor_line=False,
            placeholder="No note. w writes one.",
        )
        self.can_focus = False  # a preview until edit() (see the module docstring)
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
        self.border_subtitle = ""
        self.call_after_refresh(self.show_more)

    def start_editing(self) -> None:
        """Let the editor take the focus (and the keys) until the user leaves it."""
        self.can_focus = True
        self.move_cursor(self.document.end)

    def stop_editing(self) -> None:
        """Back to a preview: ``tab`` passes it by again."""
        self.can_focus = False
        self.scroll_to(y=0, animate=False)
        self.show_more()

    def show_more(self) -> None:
        """In the preview, ``+N more lines`` when the note is longer than the pane shows."""
        if self.has_focus or self.border_subtitle in ("unsaved", "saved"):
            return
        hidden = self.wrapped_document.height - self.scrollable_content_region.height
        self.border_subtitle = (
            f"+{hidden} more {'line' if hidden == 1 else 'lines'}" if hidden > 0 else ""
        )

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_more)

    def on_click(self) -> None:
        if not self.can_focus and self.paper is not None:
            self.post_message(self.EditRequested())

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
        self.show_more()

    def action_leave(self) -> None:
        self.save_now()
        # Let go of the keyboard now: a key typed right after escape is a command, not text.
        self.screen.set_focus(None)
        self.post_message(self.Left())
