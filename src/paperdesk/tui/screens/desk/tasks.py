"""The desk's long-running actions: enrich, sync, a venue's fetch, export and citing, each in a
thread worker.

Each runs with ``exit_on_error=False`` and ends in :meth:`DeskTasks.on_worker_state_changed`,
which tells the user; a failure is one notification and the desk lives on. A sync's rebuilt
catalog is adopted only once the writes in flight have landed. While enrich or sync fetches,
escape cancels it (the key bar says so): the fetch is cut at once and nothing changes. The
worker itself is never cancelled, only its fetch, so its outcome always comes back here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.worker import Worker, WorkerState

from paperdesk.tui.screens.desk.base import DeskBase
from paperdesk.tui.selection import ALL
from paperdesk.tui.widgets.desk_header import DeskHeader
from paperdesk.tui.widgets.nav_tree import NavTree

if TYPE_CHECKING:
    from paperdesk.catalog.models import ArxivMetadata
    from paperdesk.catalog.records import Paper
    from paperdesk.net.arxiv import EnrichReport
    from paperdesk.net.dblp import FetchedVenue
    from paperdesk.net.fetch import Cancel
    from paperdesk.net.sync import SyncResult
    from paperdesk.tui.desk_model import DeskModel
    from paperdesk.tui.screens.export import ExportRequest
    from paperdesk.workspace import Workspace


class DeskTasks(DeskBase):
    """Enrich, sync and export, run as workers."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "enrich", "Enrich", show=False, id="desk.enrich"),
    ]
    #: Escape's binding (``desk.cancel_fetch``) is declared by the screen, next to escape's
    #: other use (clearing the search): a subclass's bindings replace a base's for the same key.
    KEY_BAR_FIRST: ClassVar[tuple[str, ...]] = ("cancel_fetch",)

    def __init__(self) -> None:
        super().__init__()
        #: The running fetching tasks by name, each with what cancels its fetch.
        self.fetching: dict[str, Cancel] = {}

    #: Actions with no key of their own: (name, action, help) for the palette and the help.
    PALETTE_ACTIONS: ClassVar[list[tuple[str, str, str]]] = [
        ("Sync now", "sync", "re-fetch the lists imported from a URL"),
        ("Export…", "export", "write the papers as markdown, BibTeX, CSV or JSON"),
    ]

    class Activity(Message):
        """A worker's progress line for the header (posted from its thread)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def on_desk_tasks_activity(self, message: Activity) -> None:
        self.query_one(DeskHeader).show_activity(message.text)

    def _busy(self, name: str) -> bool:
        if any(w.name == name and not w.is_finished for w in self.workers):
            self.notify(f"Already running: {name}.", timeout=3)
            return True
        return False

    def _cancel_for(self, name: str) -> Cancel:
        """A new cancel for task ``name``: escape is offered while the task runs."""
        from paperdesk.net.fetch import Cancel  # the network stays off the first frame

        cancel = self.fetching[name] = Cancel()
        self.refresh_bindings()
        return cancel

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_fetch":
            return bool(self.fetching)  # hidden (and escape free for the search) otherwise
        return super().check_action(action, parameters)

    def action_cancel_fetch(self) -> None:
        for name, cancel in list(self.fetching.items()):
            if cancel.cancel():
                self.query_one(DeskHeader).show_activity(f"cancelling {name}…")
            else:
                self.notify(
                    f"The {name} has fetched everything and is saving it; it finishes now.",
                    timeout=4,
                )

    def action_enrich(self) -> None:
        paper = self.current_paper
        if self.ws is None or paper is None or self._busy("enrich"):
            return
        self.query_one(DeskHeader).show_activity(f"enriching {paper.title[:40]}… (escape cancels)")
        self._enrich(self.ws, paper, self._cancel_for("enrich"))

    @work(thread=True, exit_on_error=False, name="enrich")
    def _enrich(
        self, ws: Workspace, paper: Paper, cancel: Cancel
    ) -> tuple[Paper, EnrichReport, dict[str, ArxivMetadata]]:
        from paperdesk.catalog.metadata import MetadataCache
        from paperdesk.net.arxiv import enrich

        report = enrich(ws, [paper], force=False, cancel=cancel)
        return paper, report, MetadataCache(ws.locations).all()

    def _enriched(self, paper: Paper, report: EnrichReport, metadata: dict) -> None:
        if self.model is not None:
            self.model.metadata = metadata
            if self.current_paper is not None and self.current_paper.id == paper.id:
                self._show_paper(note=False)
        title = paper.title if len(paper.title) <= 60 else paper.title[:59] + "…"
        if report.errors:
            self.notify(
                f"Could not enrich {title}: {report.errors[0]}", severity="error", markup=False
            )
        elif report.matched:
            found = metadata.get(paper.id)
            where = f" (arXiv {found.arxiv_id})" if found is not None else ""
            self.notify(f"Enriched {title}{where}.", markup=False, timeout=4)
        elif report.skipped:
            self.notify(f"Already enriched: {title}.", markup=False, timeout=4)
        else:
            self.notify(f"No arXiv match for {title}.", severity="warning", markup=False)

    def action_sync(self) -> None:
        if self.ws is None or self._busy("sync"):
            return
        self.query_one(DeskHeader).show_activity("syncing… (escape cancels)")
        feeds_in_all = self.model.feeds_in_all if self.model else False
        self._sync(self.ws, self._cancel_for("sync"), feeds_in_all)

    @work(thread=True, exit_on_error=False, name="sync")
    def _sync(
        self, ws: Workspace, cancel: Cancel, feeds_in_all: bool
    ) -> tuple[list[SyncResult], DeskModel]:
        """Sync with a store object of its own, as another process would: the writer thread
        keeps serving marks meanwhile, and the store's lock orders the two."""
        from paperdesk.net.sync import sync_sources

        own = ws.fork()
        results = sync_sources(
            own,
            progress=lambda text: self.post_message(self.Activity(f"sync: {text}")),
            cancel=cancel,
        )
        return results, _fresh_model(own, feeds_in_all)

    def _synced(self, results: list[SyncResult], model: DeskModel) -> None:
        lines = []
        for result in results:
            if result.error:
                lines.append(f"{result.name}: {result.error}")
            elif result.unchanged or result.report is None:
                lines.append(f"{result.name}: unchanged")
            else:
                report = result.report
                lines.append(
                    f"{result.name}: {len(report.new_papers)} new (in the inbox), "
                    f"{len(report.removed)} became orphans, {len(report.relinked)} relinked, "
                    f"{len(report.new_venues)} new venues"
                )
        if not results:
            lines.append("No source was imported from a URL: nothing to sync.")
        failed = any(result.error for result in results)
        self.notify(
            "\n".join(lines),
            title="Sync",
            severity="warning" if failed else "information",
            markup=False,
            timeout=10 if failed else 6,
        )
        if any(result.report is not None for result in results):
            self._adopt(model)

    def fetch_venue(self, venue: str) -> None:
        """Fetch ``venue`` from DBLP and install it as a source, then triage it."""
        if self.ws is None or self._busy("fetch venue"):
            return
        self.query_one(DeskHeader).show_activity(f"fetching {venue} from DBLP… (escape cancels)")
        feeds_in_all = self.model.feeds_in_all if self.model else False
        self._fetch_venue(self.ws, venue, self._cancel_for("fetch venue"), feeds_in_all)

    @work(thread=True, exit_on_error=False, name="fetch venue")
    def _fetch_venue(
        self, ws: Workspace, venue: str, cancel: Cancel, feeds_in_all: bool
    ) -> tuple[FetchedVenue, DeskModel]:
        """What ``paperdesk venue fetch VENUE`` does, with a store object of its own."""
        from paperdesk.catalog.dblp_venues import resolve_venue
        from paperdesk.net.dblp import fetch_venue, install_venue

        own = ws.fork()
        fetched = fetch_venue(own.locations, resolve_venue(venue), cancel=cancel)
        cancel.seal()  # escape from here on finishes the install rather than half-undoing it
        install_venue(own, fetched)
        return fetched, _fresh_model(own, feeds_in_all)

    def _venue_fetched(self, fetched: FetchedVenue, model: DeskModel) -> None:
        catalog = fetched.catalog
        name = catalog.title or catalog.source
        if self.triage_screen is not None:  # never turn a triage under the user's keys
            message = f"Fetched {name}: {len(catalog.papers)} papers; T triages it."
            self.notify(message, markup=False, timeout=8)
            self._adopt(model)
            return
        self.notify(f"Fetched {name}: {len(catalog.papers)} papers.", markup=False, timeout=5)
        self._adopt(model, then=lambda: self.open_triage(name))

    def _adopt(self, model: DeskModel, then: Callable[[], object] | None = None) -> None:
        """Show a rebuilt catalog, keeping the selection, the paper and the notes being typed.
        Waits for the writes in flight: their replies name rows of the old catalog."""
        old = self.model
        if old is None:
            return
        if old.writing_status or old.writing_notes:
            self.set_timer(0.05, partial(self._adopt, model, then))
            return
        paper = self.current_paper
        model.metadata = old.metadata
        model.set_views(old.views)
        model.queue = old.queue
        for paper_id, (_, text) in self.unsaved_notes.items():
            model.set_note(paper_id, text if text.strip() else None)
        self.model = model
        if self.ws is not None:
            self.ws.adopt_catalog(model.catalog)
        self.paper_list.set_model(model)
        if not self.query_one(NavTree).populate(model, self.selection):
            self.selection = ALL
        self._show_rows(keep=model.row_of(paper.id) if paper is not None else None)
        self._update_header()
        self._show_paper(note=False)
        if self.triage_screen is not None:
            self.triage_screen.catalog_rebuilt()
        if then is not None:
            then()

    def action_export(self) -> None:
        """The export form, its scope the current view (Library node, filter and search)."""
        model = self.model
        if self.ws is None or model is None:
            return
        from paperdesk.export.render import FORMATS
        from paperdesk.tui.screens.export import ExportForm, ExportScope

        rows = model.view(self.selection, self.query_text, self.status_filter, self.sort)
        ids = [model.paper(row).id for row in rows if not model.is_orphan(row)]
        parts = [self.view_name]
        if self.status_filter:
            parts.append(f"only {self.status_filter}")
        if self.query_text.strip():
            parts.append(f"search {self.query_text.strip()!r}")
        scope = ExportScope(" · ".join(parts), ids, len(model.catalog))
        self.app.push_screen(ExportForm(FORMATS, scope=scope), self._export_chosen)

    def _export_chosen(self, request: ExportRequest | None) -> None:
        if request is None or self.ws is None or self._busy("export"):
            return
        self.flush()
        self.query_one(DeskHeader).show_activity(f"exporting {request.fmt}…")
        self._export(self.ws, request)

    @work(thread=True, exit_on_error=False, name="export")
    def _export(self, ws: Workspace, request: ExportRequest) -> str:
        """Export what the store holds once the writes queued before it have landed, read
        through a store object of its own (the writer thread owns the desk's)."""
        from paperdesk.export.render import export_to

        writer = self.desk_app.writer
        if writer is not None:
            writer.join()
        return export_to(ws.fork(), request.fmt, request.path, ids=request.ids)

    @work(thread=True, exit_on_error=False, name="copy BibTeX")
    def _cite(self, ws: Workspace, paper: Paper) -> str:
        """The paper's BibTeX entry with its stored key (given and stored now if it has none,
        so the key copied is the one every export gives it), read through a store of its own."""
        from paperdesk.export.render import citation

        return citation(ws.fork(), paper)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name == "copy BibTeX" and event.state == WorkerState.SUCCESS:
            self.desk_app.copy_text(str(worker.result), "the BibTeX entry")
            return
        if worker.name not in ("enrich", "sync", "fetch venue", "export", "copy BibTeX"):
            return
        finished = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)
        if event.state in finished and worker.name != "copy BibTeX":  # that one shows none
            self.query_one(DeskHeader).show_activity(None)
            if self.fetching.pop(worker.name, None) is not None:
                self.refresh_bindings()
        from paperdesk.net.fetch import FetchCancelled

        if event.state == WorkerState.ERROR and isinstance(worker.error, FetchCancelled):
            self.notify(f"{worker.name.capitalize()} cancelled: nothing was changed.", timeout=4)
        elif event.state == WorkerState.SUCCESS:
            result = worker.result
            if worker.name == "enrich":
                self._enriched(*result)  # type: ignore[misc]
            elif worker.name == "sync":
                self._synced(*result)  # type: ignore[misc]
            elif worker.name == "fetch venue":
                self._venue_fetched(*result)  # type: ignore[misc]
            else:
                summary = str(result)
                self.notify(f"{summary[:1].upper()}{summary[1:]}.", markup=False, timeout=6)
        elif event.state == WorkerState.ERROR:
            from paperdesk.tui.text import clean

            self.notify(
                f"Could not {worker.name}: {clean(str(worker.error))}",
                severity="error",
                markup=False,
            )


def _fresh_model(ws: Workspace, feeds_in_all: bool) -> DeskModel:
    """The desk's model of ``ws`` after its sources changed, built off the UI thread."""
    from paperdesk.catalog.metadata import DblpCache
    from paperdesk.query.index import index_of
    from paperdesk.tui.desk_model import DeskModel

    catalog = ws.catalog
    catalog.venues  # noqa: B018 - built here, off the UI thread
    catalog.search_keys  # noqa: B018 - and so is the search index
    index_of(catalog).prepare()
    return DeskModel(
        catalog,
        ws.store.states(),
        inbox=set(ws.store.inbox()),
        dblp=DblpCache(ws.locations).all(),
        feeds_in_all=feeds_in_all,
    )
