"""The note editor of the desk: mounted after the first frame, saved as the user types.

Only ``w`` (or enter on the paper, or a click on the note) starts writing; ``tab`` cycles the
panes and passes the note by. The editor autosaves (debounced), on leaving, on switching
papers and on quitting (:meth:`DeskNotes.flush`); a note whose write failed stays in the editor
and is retried. On a small terminal the editor opens larger while it is being written in.
``E`` hands the note to the user's own editor instead (``$VISUAL``/``$EDITOR``, as
``paperdesk note PAPER --edit``), with the same rule when another process wrote meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding, BindingType

from paperdesk.tui.screens.desk.base import DeskBase
from paperdesk.tui.screens.desk.replies import settle
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.tui.writer import JobDone, JobFailed

if TYPE_CHECKING:
    from paperdesk.catalog.records import Paper
    from paperdesk.tui.widgets.note_editor import NoteEditor


class DeskNotes(DeskBase):
    """Editing and saving notes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,w", "edit_note", "Write note", id="desk.note"),
        Binding("E", "edit_note_outside", "Note in $EDITOR", show=False, id="desk.note_editor"),
    ]

    async def _add_note_editor(self) -> None:
        """Mount the note editor once the first frame is out: the TextArea under it costs a
        tenth of the whole start-up (import, styles, render), and shows nothing before the
        highlighted paper's note is loaded anyway. Also awaited by ``w`` pressed before."""
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
        editor = self.note_editor
        if editor is None:
            return
        if event.widget is editor:
            self.catch_up()
            self.add_class("-editing")
        elif editor.can_focus:  # the focus moved on (a click, the palette): a preview again
            editor.stop_editing()
            self.remove_class("-editing")

    async def action_edit_note(self) -> None:
        if self.note_editor is None:  # w right after start: the keys after it wait for this
            await self._add_note_editor()
        self.catch_up()
        editor = self.note_editor
        if editor is None or editor.paper is None:
            return
        editor.start_editing()
        self.set_focus(editor)  # now: the text typed right after w must land in the note

    async def on_note_editor_edit_requested(self, _: NoteEditor.EditRequested) -> None:
        await self.action_edit_note()

    def action_edit_note_outside(self) -> None:
        """Suspend the desk, edit the note in ``$VISUAL``/``$EDITOR``, resume and save.

        The editor needs the terminal, so the desk waits for it (suspended, it draws nothing);
        the save runs on the writer thread after the writes queued before it, so the note the
        editor started from is the one the store will hold then, unless another process
        changed it: then the stored note stays and the edited text is kept aside.
        """
        from textual.app import SuspendNotSupported

        from paperdesk.editor import edit_in_editor
        from paperdesk.errors import PaperdeskError

        paper, model, ws = self.current_paper, self.model, self.ws
        if paper is None or model is None or ws is None:
            return
        self.catch_up()
        self.flush()  # what was typed in the desk's editor is where the outside edit starts
        original = model.notes.get(paper.id)
        try:
            with self.app.suspend():
                edited = edit_in_editor(original or "", paper.id)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to an editor: press w.", timeout=4)
            return
        except PaperdeskError as error:
            self.notify(f"Note unchanged: {error}", severity="error", markup=False)
            return
        if (edited if edited.strip() else None) == original:
            self.notify("Note unchanged.", timeout=2)
            return
        model.writing_notes[paper.id] += 1
        self._write(
            "note-outside",
            lambda _store: ws.save_edited_note(paper, edited, original=original),
            paper,
        )

    def on_job_done(self, message: JobDone) -> None:
        job, model = message.job, self.model
        if job.kind != "note-outside" or model is None:
            return
        paper: Paper = job.data
        state = self.written(job.result)
        settle(model.writing_notes, [paper.id])
        had_note = paper.id in model.notes
        model.set_note(paper.id, state.note)
        model.remember([state])
        if had_note != (state.note is not None):
            self.query_one(NavTree).update_counts(())
            self._update_header()
        editor = self.note_editor
        if editor is not None and editor.paper is not None and editor.paper.id == paper.id:
            editor.replace_saved(state.note)
        self._show_paper(note=False)
        self.notify(f"Note saved: {paper.title[:60]}", markup=False, timeout=3)

    def on_job_failed(self, message: JobFailed) -> None:
        job, model = message.job, self.model
        if job.kind != "note-outside" or model is None:
            return
        settle(model.writing_notes, [job.data.id])
        self.notify(f"Note not saved: {message.error}", severity="error", markup=False)

    def on_note_editor_left(self, _: NoteEditor.Left) -> None:
        self.note_steps.clear()  # the editing session is over: the next edit is a new step
        if self.note_editor is not None:
            self.note_editor.stop_editing()
        self.remove_class("-editing")
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
