"""The note editor of the desk: mounted after the first frame, saved as the user types.

The editor autosaves (debounced), on leaving, on switching papers and on quitting
(:meth:`DeskNotes.flush`); a note whose write failed stays in the editor and is retried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding, BindingType

from paperdesk.tui.screens.desk.base import DeskBase
from paperdesk.tui.widgets.nav_tree import NavTree

if TYPE_CHECKING:
    from paperdesk.catalog.records import Paper
    from paperdesk.tui.widgets.note_editor import NoteEditor


class DeskNotes(DeskBase):
    """Editing and saving notes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "edit_note", "Note", id="desk.note"),
    ]

    async def _add_note_editor(self) -> None:
        """Mount the note editor once the first frame is out: the TextArea under it costs a
        tenth of the whole start-up (import, styles, render), and shows nothing before the
        highlighted paper's note is loaded anyway. Also awaited by ``n`` pressed before."""
        if self._editor_mounting:
            await self._editor_mounted.wait()
            return
        self._editor_mounting = True
        right = self.query_one("#right")
        if not right.is_attached:  # the desk is closing already (it could not open)
            self._editor_mounted.set()
            return
        from paperdesk.tui.widgets.note_editor import NoteEditor

        editor = NoteEditor(id="note")
        editor.border_title = "Note"
        await right.mount(editor)
        self.note_editor = editor
        if self.current_row is not None and self._detail_timer is None:
            self._load_note()
        self._editor_mounted.set()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget is self.note_editor:
            self.catch_up()

    async def action_edit_note(self) -> None:
        if self.note_editor is None:  # n right after start: the keys after it wait for this
            await self._add_note_editor()
        self.catch_up()
        editor = self.note_editor
        if editor is None or editor.paper is None:
            return
        self.set_focus(editor)  # now: the text typed right after n must land in the note
        editor.move_cursor(editor.document.end)

    def on_note_editor_left(self, _: NoteEditor.Left) -> None:
        self.note_steps.clear()  # the editing session is over: the next edit is a new step
        self.set_focus(self.paper_list)

    def on_note_editor_save(self, event: NoteEditor.Save) -> None:
        if not event.taken:
            event.taken = True
            self.save_note(event.paper, event.text)

    def save_note(self, paper: Paper, text: str) -> None:
        model, ws = self.model, self.ws
        if model is None or ws is None:
            return
        note = text if text.strip() else None
        had_note = paper.id in model.notes
        model.set_note(paper.id, note)
        model.writing_notes[paper.id] += 1
        if had_note != (note is not None):
            self.query_one(NavTree).update_counts(())
            self._update_header()
        self.unsaved_notes[paper.id] = (paper, text)
        from paperdesk.state.events import new_id  # loaded with the store by now

        step = self.note_steps.setdefault(paper.id, new_id())
        self._write("note", lambda store: store.set_note(paper, note, step=step), paper)

    def flush(self) -> None:
        """Queue every note change not yet written: the editor's, and retries of failed ones."""
        if self.note_editor is not None:
            for paper, text in self.note_editor.take_unsaved():
                self.save_note(paper, text)
        if self.model is None:
            return
        for paper, text in list(self.unsaved_notes.values()):
            if self.model.writing_notes[paper.id] == 0:
                self.save_note(paper, text)
