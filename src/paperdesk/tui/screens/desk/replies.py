"""The store's replies to the desk: writes landed or failed, and changes by other processes.

Every write and poll is a job on the app's writer thread (:mod:`paperdesk.tui.writer`); its
outcome comes back here as :class:`~paperdesk.tui.writer.JobDone` or
:class:`~paperdesk.tui.writer.JobFailed`. A failed mark is reverted, a failed note stays in the
editor, and states another process wrote replace the shown ones, keeping what is being typed.
When those came from another machine (``paperdesk state sync`` ran), the desk says so.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from paperdesk.tui.screens.desk.base import DeskBase
from paperdesk.tui.selection import ORPHANS
from paperdesk.tui.widgets.nav_tree import NavTree
from paperdesk.tui.writer import Job, JobDone, JobFailed

if TYPE_CHECKING:
    from paperdesk.catalog.models import ArxivMetadata
    from paperdesk.catalog.records import Paper
    from paperdesk.state.models import MergeInfo, PaperState
    from paperdesk.state.store import UndoReport
    from paperdesk.tui.desk_model import DeskModel
    from paperdesk.tui.opening import Settled

POLL_SECONDS = 1.5
#: What a store re-read brings: every state and the inbox.
Changed = tuple[dict[str, "PaperState"], set[str]]


def settle(writing: Counter[str], ids: Iterable[str]) -> None:
    """One write per id has landed (or failed)."""
    for paper_id in ids:
        writing[paper_id] -= 1
        if writing[paper_id] <= 0:
            del writing[paper_id]


class DeskReplies(DeskBase):
    """Write outcomes, the first validated states, and polling for other processes."""

    def _settled(self, settled: Settled, first_look: DeskModel) -> None:
        """The store is open: its validated states and inbox replace the first look, the
        metadata arrives, and polling for other processes starts. (A sync that finished
        first brought a model with newer states: those stay.)"""
        model = self.model
        assert model is not None
        self.settled = True
        self.metadata_source = settled.metadata_source
        model.metadata = settled.metadata
        model.dblp = settled.dblp
        self.todo_due = settled.todo_due
        if model is first_look:
            self._reloaded(settled.states, settled.inbox)
        else:
            self._update_header()
        self.set_interval(POLL_SECONDS, self._poll)
        gc.freeze()  # the validated states and the search index live as long as the desk

    def on_job_done(self, message: JobDone) -> None:
        job = message.job
        model = self.model
        if model is None:
            return
        if job.kind == "settle":
            self._settled(job.result, job.data)
            return
        if job.kind == "todo-due":
            self.todo_due = job.result
            self._update_header()
            return
        writes = ("status", "note", "dismiss", "undo")
        result = self.written(job.result) if job.kind in writes else job.result
        if job.kind == "status":
            previous, _, _ = job.data
            settle(model.writing_status, (model.paper(row).id for row in previous))
            model.remember(result or [])
            if self.current_row in previous:
                self._show_paper(note=False)
        elif job.kind == "note":
            paper: Paper = job.data
            settle(model.writing_notes, [paper.id])
            if result is not None:
                model.remember([result])
            if model.writing_notes[paper.id] == 0:
                self.unsaved_notes.pop(paper.id, None)
            editor = self.note_editor
            if editor and editor.paper and editor.paper.id == paper.id and not editor.unsaved:
                editor.border_subtitle = "saved"
            if self.current_row is not None and model.paper(self.current_row).id == paper.id:
                self._show_paper(note=False)
        elif job.kind == "undo":
            self.undone(result)
        elif job.kind == "poll":
            self._polling = False
            changed, metadata, merged = result
            paper = self.current_paper
            enriched = False
            if metadata is not None:
                before = model.metadata.get(paper.id) if paper else None
                model.metadata = metadata
                enriched = paper is not None and metadata.get(paper.id) != before
            if changed is not None:
                self._reloaded(*changed)
                self._merged(merged)
            elif enriched:
                self._show_paper(note=False)

    def written(self, outcome: tuple[object, Changed | None, MergeInfo | None]) -> object:
        """The result of a write queued by :meth:`_write`; what another process wrote before it
        (states and inbox, read after this write) is shown first."""
        result, changed, merged = outcome
        if changed is not None:
            self._reloaded(*changed)
            self._merged(merged)
        return result

    def on_job_failed(self, message: JobFailed) -> None:
        job = message.job
        model = self.model
        if model is None:
            return
        if job.kind == "settle":
            self.desk_app.fail(message.error)
            return
        if job.kind == "status":
            previous, status, left = job.data
            settle(model.writing_status, (model.paper(row).id for row in previous))
            reverted = {row: old for row, old in previous.items() if model.status_of(row) == status}
            for row, old in reverted.items():
                model.set_status([row], old)
            model.inbox.update(left)  # the write that took them out did not happen
            back = [row for pid in left if (row := model.row_of(pid)) is not None]
            self._status_shown([*reverted, *back])
            self.notify(
                f"Could not save the mark, reverted: {message.error}",
                severity="error",
                markup=False,
            )
        elif job.kind == "note":
            paper = job.data
            settle(model.writing_notes, [paper.id])
            self.notify(
                f"Could not save the note (kept in the editor): {message.error}",
                severity="error",
                markup=False,
            )
        elif job.kind == "undo":
            self.notify(f"Could not undo: {message.error}", severity="error", markup=False)
        elif job.kind == "dismiss":
            model.inbox.update(job.data)
            self.query_one(NavTree).update_counts(())
            self.notify(f"Could not dismiss: {message.error}", severity="error", markup=False)
        elif job.kind == "poll":
            self._polling = False

    def undone(self, report: UndoReport | None) -> None:
        """The store reverted a step: show its papers as they are now, put the cursor on the
        first, and say what was undone."""
        model = self.model
        assert model is not None
        if report is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        rows = []
        editor = self.note_editor
        for state in report.states:
            model.set_note(state.id, state.note)
            row = model.row_of(state.id)
            if row is not None:
                model.set_status([row], state.status)
                rows.append(row)
            if editor is not None and editor.paper is not None and editor.paper.id == state.id:
                editor.replace_saved(state.note)
        model.remember(report.states)
        self.query_one(NavTree).update_counts(())
        self._status_shown(rows)
        if rows:
            self.reveal_row(rows[0])
        if self.triage_screen is not None:
            self.triage_screen.undone(rows)
        self.notify(report.message(), title="Undone", markup=False)

    def _merged(self, merged: MergeInfo | None) -> None:
        """Say once that a sync brought changes from another machine (``state sync`` ran in
        another terminal while the desk was open)."""
        if merged is None or merged.at <= self.merges_seen_since:
            return
        self.merges_seen_since = merged.at
        n = merged.papers
        noun = "paper" if n == 1 else "papers"
        self.notify(
            f"{n} {noun} changed on {', '.join(merged.machines)} (state sync).",
            title="Synced",
            markup=False,
        )

    def _poll(self) -> None:
        """Ask the writer whether another process changed the store (never blocks the UI)."""
        ws = self.ws
        if ws is None or self._polling or self.desk_app.writer_busy:
            return
        self._polling = True
        source = self.metadata_source

        def changes() -> tuple[Changed | None, dict[str, ArxivMetadata] | None, MergeInfo | None]:
            store = ws.store
            if store.reload_if_changed():
                changed, merged = (store.states(), set(store.inbox())), store.last_merge()
            else:
                changed = merged = None
            return changed, source.all() if source is not None else None, merged

        self.desk_app.submit(Job("poll", changes, self))

    def _reloaded(self, states: dict[str, PaperState], inbox: set[str] | None = None) -> None:
        model = self.model
        assert model is not None
        editor = self.note_editor
        keep_notes = set(model.writing_notes) | set(self.unsaved_notes)
        if editor is not None and editor.paper is not None and editor.unsaved:
            keep_notes.add(editor.paper.id)
        paper = self.current_paper
        orphans = len(model.orphans)
        model.replace_states(states, model.writing_status, keep_notes, inbox)
        if self.selection.key == ORPHANS or len(model.orphans) != orphans:
            self._show_rows(keep=model.row_of(paper.id) if paper is not None else None)
        self.paper_list.refresh()
        self.query_one(NavTree).update_counts()
        self._update_header()
        self._show_paper(note=False)
        if self.triage_screen is not None:
            self.triage_screen.statuses_changed(None)
        if editor is not None and editor.paper is not None and editor.paper.id not in keep_notes:
            editor.replace_saved(model.notes.get(editor.paper.id))
