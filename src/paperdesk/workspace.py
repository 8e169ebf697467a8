"""The objects every command and the desk work on: where things live, the catalog, the store.

One constructor for the CLI, the desk and the tests, so ``--home`` and ``--catalog`` mean the
same everywhere. Installing a source lives here too: it writes a catalog file and moves reading
state in the store, and only the workspace knows both.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperdesk.atomic import atomic_write_bytes
from paperdesk.catalog.cache import (
    LoadedSource,
    load_sources,
    open_catalog,
    replace_source,
    write_cache,
)
from paperdesk.catalog.fetched import fetched_fields
from paperdesk.catalog.identity import Progress, find_relinks
from paperdesk.catalog.merged import Catalog
from paperdesk.errors import AmbiguousError, NotFoundError, StoreError, UsageError
from paperdesk.locations import DEFAULT_SOURCE, Locations, embedded_catalog
from paperdesk.state.glance import StateView, vouched_states
from paperdesk.state.inbox import new_papers

if TYPE_CHECKING:
    from paperdesk.catalog.metadata import DblpCache, MetadataCache
    from paperdesk.catalog.models import ArxivMetadata, CatalogFile, DblpMetadata, TodoItem
    from paperdesk.catalog.records import Paper
    from paperdesk.query.evaluate import StateFacts
    from paperdesk.state.models import PaperState
    from paperdesk.state.store import OrphanInfo, Store


@dataclass
class ImportReport:
    """What installing a source changed, for the CLI to print and the desk to notify."""

    source: str
    papers: int
    venues: int
    warnings: list[str] = field(default_factory=list)
    #: Titles of the papers that went into the inbox (see paperdesk.state.inbox).
    new_papers: list[str] = field(default_factory=list)
    #: Titles of the papers whose reading state is now kept as an orphan.
    removed: list[str] = field(default_factory=list)
    relinked: list[tuple[str, str]] = field(default_factory=list)
    #: Titles of orphans whose paper came back, with their reading state.
    returned: list[str] = field(default_factory=list)
    new_venues: list[str] = field(default_factory=list)
    todos_added: list[str] = field(default_factory=list)
    #: The stat of the source file as written (for the catalog cache's stamp).
    written: os.stat_result | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RemovedSource:
    """What ``sources remove`` did: the papers that went, and the state kept as orphans."""

    source: str
    papers: int
    orphaned: int
    shipped_back: bool


def carries_state(state: PaperState | StateView) -> bool:
    """Whether a paper's state says something (a status or a note): an orphan worth keeping."""
    return state.status != "unread" or bool(state.note)


def is_update(old_ids: set[str], kept: int) -> bool:
    """Whether a list installed over ``old_ids`` is a new version of that list (it ``kept`` at
    least half of its papers, edited titles included), whose additions are news for the inbox;
    otherwise it is another list under the same name (the user's own list over the shipped
    one, say), as new to the inbox as a first import."""
    return bool(old_ids) and 2 * kept >= len(old_ids)


def install_source(
    locations: Locations,
    store: Store,
    catalog: CatalogFile,
    others: Iterable[CatalogFile] = (),
    progress: Progress | None = None,
) -> ImportReport:
    """Install ``catalog`` as its source, keeping every piece of reading state.

    The source file is replaced first; relinking then moves state from vanished ids to the
    edited titles that replaced them. Interrupted in between, state is merely orphaned, and the
    next import relinks it again, because vanished state is found from the store itself. A
    new version of a source puts the papers it gained in the inbox; a new source, or another
    list under its name (:func:`is_update`), puts none. ``progress`` hears how relinking goes
    (a terminal shows it on long imports).
    """
    from paperdesk.catalog.sources import DamagedSourceError, load_source_file  # pydantic: lazy

    name = catalog.source
    target = locations.source_file(name)
    current = locations.source_paths().get(name)
    try:
        old = load_source_file(current) if current and current.is_file() else None
    except DamagedSourceError:
        old = None  # installing over a damaged file is the way out of it
    old_ids = {p.id for p in old.papers} if old else set()
    old_venues = set(old.venue_names) if old else set()
    new_ids = {p.id for p in catalog.papers}
    elsewhere = {p.id for other in others if other.source != name for p in other.papers}

    states = store.states()
    vanished = {
        pid: state.title
        for pid, state in states.items()
        if state.source == name and pid not in new_ids and pid not in elsewhere
    }
    appeared = {p.id: p.title for p in catalog.papers if p.id not in states}
    relinks = find_relinks(vanished, appeared, progress)

    payload = catalog.model_dump_json(exclude_none=True).encode("utf-8")
    try:
        written = atomic_write_bytes(target, payload)
    except OSError as exc:
        raise StoreError(
            f"cannot write source {target}: {exc.strerror or exc}; check that the home "
            f"{locations.home} is writable"
        ) from None

    by_id = {p.id: p for p in catalog.papers}
    moved = store.relink({old_id: by_id[new_id] for old_id, new_id in relinks.items()})
    moved_from = {old for state in moved for old in state.previous_ids}
    relinked_to = set(relinks.values())
    store.touch_papers(p for p in catalog.papers if p.id in states)
    _move_citation_keys(store, old_ids - new_ids - elsewhere, old_ids, by_id)
    todos_added = store.seed_todos(catalog.todos)
    arrived = [
        p
        for p in catalog.papers
        if p.id not in old_ids
        and p.id not in states
        and p.id not in relinked_to
        and p.id not in elsewhere
    ]
    update = is_update(old_ids, len(old_ids & new_ids) + len(old_ids & relinks.keys()))
    if update and arrived:
        store.add_to_inbox((p.id for p in arrived), name)

    return ImportReport(
        source=name,
        papers=len(catalog.papers),
        venues=len(catalog.venue_names),
        warnings=[f"line {w.line}: {w.message}" for w in catalog.warnings],
        new_papers=[p.title for p in arrived] if update else [],
        removed=[
            states[pid].title
            for pid in sorted(vanished)
            if pid not in relinks and pid in old_ids and carries_state(states[pid])
        ],
        relinked=[
            (states[old_id].title, by_id[new_id].title)
            for old_id, new_id in relinks.items()
            if old_id in moved_from
        ],
        returned=[
            p.title
            for p in catalog.papers
            if p.id in states
            and p.id not in old_ids
            and p.id not in elsewhere
            and carries_state(states[p.id])
        ],
        new_venues=[v for v in catalog.venue_names if v not in old_venues] if update else [],
        todos_added=todos_added,
        written=written,
    )


def _move_citation_keys(
    store: Store, vanished_ids: set[str], old_ids: set[str], by_id: Mapping[str, Paper]
) -> None:
    """Let citation keys follow papers whose title an import edited (as reading state does),
    so a document's ``\\cite`` keeps naming the same paper. Only papers of this source's previous
    version are considered: keys are given to every exported paper, far more than have state."""
    if not vanished_ids:
        return
    keys = store.citation_key_records()
    vanished = {pid: keys[pid].title for pid in vanished_ids if pid in keys}
    appeared = {pid: p.title for pid, p in by_id.items() if pid not in old_ids and pid not in keys}
    if not vanished or not appeared:
        return
    relinks = find_relinks(vanished, appeared)
    store.move_citation_keys({old: by_id[new] for old, new in relinks.items()})


@dataclass
class Workspace:
    """A home's store with either the home's sources or one ``--catalog`` file.

    Each part is opened when it is first used: the catalog (from the catalog cache), the
    validated source files (what ``import`` and ``sync`` need) and the store. ``show`` reads
    what it prints and nothing else, and the desk has its catalog before the store is open.
    """

    locations: Locations
    catalog_override: Path | None = None
    skip_damaged: Callable[[str], None] | None = None

    @classmethod
    def open(
        cls,
        home: str | os.PathLike[str] | None = None,
        catalog: str | os.PathLike[str] | None = None,
        *,
        skip_damaged: Callable[[str], None] | None = None,
    ) -> Workspace:
        """``skip_damaged``: leave damaged sources out and report them to it (``import``,
        which is how a damaged source is repaired); otherwise a damaged source raises."""
        locations = Locations.resolve(home)
        if catalog is not None and not str(catalog).strip():
            raise UsageError("--catalog needs a path; drop it to use the home's sources")
        override = Path(catalog).expanduser() if catalog else None
        return cls(locations, override, skip_damaged)

    @cached_property
    def store(self) -> Store:
        from paperdesk.state.store import Store

        return Store.open(self.locations.store)

    @cached_property
    def catalog(self) -> Catalog:
        if self.catalog_override is not None or self.skip_damaged is not None:
            return Catalog.from_files(self.files)  # one file, or the home without damaged ones
        return open_catalog(self.locations)

    @cached_property
    def loaded_sources(self) -> list[LoadedSource]:
        """The validated source files, each with the stamp it had when it was read."""
        if self.catalog_override is not None:
            from paperdesk.catalog.sources import read_catalog_path

            return [LoadedSource(None, read_catalog_path(self.catalog_override))]
        return load_sources(self.locations, skip_damaged=self.skip_damaged)

    @property
    def files(self) -> list[CatalogFile]:
        return [source.file for source in self.loaded_sources]

    def install(
        self, catalog: CatalogFile, *, cache: bool = True, progress: Progress | None = None
    ) -> ImportReport:
        """Install ``catalog`` as a source of the home (see ``sources.install_source``) and
        bring the catalog cache up to date with it; ``cache=False`` leaves that to one
        :meth:`cache_catalog` after installing several."""
        before = self.loaded_sources
        others = [s.file for s in before]
        report = install_source(self.locations, self.store, catalog, others, progress)
        self.__dict__["loaded_sources"] = replace_source(
            before, self.locations, catalog, report.written
        )
        self.__dict__.pop("catalog", None)
        if cache:
            self.cache_catalog()
        return report

    def remove_source(self, name: str) -> RemovedSource:
        """Remove an installed source: its file and its raw text go, its papers' reading state
        stays (as orphans where no other source holds the paper). Removing the main list
        brings the shipped one back in its place; the shipped list itself cannot be removed."""
        if self.catalog_override is not None:
            raise UsageError("sources remove works on the home's sources; drop --catalog")
        path = self.locations.source_paths().get(name)
        if path is None:
            raise NotFoundError(f"no source named {name!r}; 'paperdesk sources' lists them")
        if path == embedded_catalog():
            raise UsageError(
                f"{name} is the list shipped with paperdesk and cannot be removed; import "
                f"your own list as {name} to replace it"
            )
        catalog = self.catalog
        ids = catalog.columns.id
        rows = catalog.source_rows.get(name, ())
        leaving = {ids[row] for row in rows}
        try:
            path.unlink()
        except FileNotFoundError:
            pass  # another process removed it first: the outcome is the same
        except OSError as exc:
            raise StoreError(f"cannot remove source {path}: {exc.strerror or exc}") from None
        with contextlib.suppress(OSError):
            self.locations.raw_list(name).unlink()
        self.reload_sources()
        self.cache_catalog()
        held = self.catalog.by_id  # the shipped list may be back, with some of the papers
        states = self.store.states()
        orphaned = sum(
            1 for pid in leaving if pid not in held and pid in states and carries_state(states[pid])
        )
        return RemovedSource(name, len(rows), orphaned, shipped_back=name == DEFAULT_SOURCE)

    def cache_catalog(self) -> None:
        """Build the catalog of the loaded sources and cache it for the next reader."""
        self.__dict__["catalog"] = write_cache(self.locations, self.loaded_sources)

    def reload_sources(self) -> None:
        """Read the home's sources again: another process may have changed them."""
        if self.catalog_override is None:
            self.__dict__.pop("loaded_sources", None)
            self.__dict__.pop("catalog", None)

    def adopt_catalog(self, catalog: Catalog) -> None:
        """Use ``catalog``, read by a fork of this workspace after it changed the sources."""
        self.__dict__.pop("loaded_sources", None)
        self.__dict__["catalog"] = catalog

    def fork(self) -> Workspace:
        """The same home with a store object of its own, for a worker thread: the desk's
        writer thread keeps serving the desk's, and the store's lock orders the two."""
        fork = Workspace(self.locations, self.catalog_override, self.skip_damaged)
        if "catalog" in self.__dict__:
            fork.__dict__["catalog"] = self.catalog
        return fork

    def todos(self) -> list[TodoItem]:
        """The store's TODO conferences plus listed ones the store has not met yet."""
        stored = self.store.todos(include_removed=True)
        known = {item.name.casefold() for item in stored}
        fresh = [item for item in self.catalog.todos if item.name.casefold() not in known]
        return [item for item in stored if not item.removed] + fresh

    def find_todo(self, ref: str) -> str:
        """The name of the TODO conference ``ref`` names: its name in any case, or a fragment
        of one alone (``osdi`` for ``OSDI'25``; punctuation and case aside), as papers are
        found. AmbiguousError lists the candidates; NotFoundError when none matches."""
        names = [item.name for item in self.todos()]
        wanted = _words(ref)
        exact = [name for name in names if _words(name) == wanted]
        if len(exact) == 1:
            return exact[0]
        matches = exact or [name for name in names if wanted and wanted in _words(name)]
        if len(matches) > 1:
            raise AmbiguousError(
                f"{ref!r} matches {len(matches)} TODO conferences: {', '.join(matches)}; "
                "give more of the name"
            )
        if not matches:
            raise NotFoundError(
                f"no TODO conference named {ref!r}; 'paperdesk todo list' shows them"
            )
        return matches[0]

    def seed_todos(self, names: Iterable[str] | None = None) -> None:
        """Bring the lists' TODO conferences (all, or those ``names``) into the store before
        the user edits one."""
        items = self.catalog.todos
        if names is not None:
            wanted = {name.strip().casefold() for name in names}
            items = [item for item in items if item.name.casefold() in wanted]
        self.store.seed_todos(items)

    def save_edited_note(self, paper: Paper, edited: str, *, original: str | None) -> PaperState:
        """Save a note edited outside paperdesk (``$EDITOR``), starting from ``original``.

        If another process changed the note meanwhile, the stored note wins and the edited
        text goes to ``cache/note-conflict-<id>.md``: NoteConflictError says where, so a
        concurrent ``note --append`` (or the desk's autosave) is never overwritten.
        """
        from paperdesk.editor import file_stem
        from paperdesk.state.store import NoteConflictError

        try:
            return self.store.replace_note(paper, edited, expected=original)
        except NoteConflictError:
            saved = self.locations.cache_dir / f"note-conflict-{file_stem(paper.id)}.md"
            atomic_write_bytes(saved, (edited + "\n").encode("utf-8"))
            raise NoteConflictError(
                f"the note changed while you edited it (another paperdesk wrote it); the stored "
                f"note was kept and your text saved to {saved}; merge it with 'paperdesk note "
                f"{paper.id} --edit'"
            ) from None

    @cached_property
    def inbox(self) -> set[str]:
        """Ids of the papers in the inbox (see :mod:`paperdesk.state.inbox`)."""
        return new_papers(self.locations.store)

    def orphans(self) -> list[OrphanInfo]:
        """Reading state (a status or a note) of papers that no source holds now."""
        from paperdesk.state.store import OrphanInfo

        held = self.catalog.by_id
        return [
            OrphanInfo(
                id=pid,
                title=state.title,
                venue=state.venue,
                source=state.source,
                status=state.status,
                note=state.note,
            )
            for pid, state in self.store.states().items()
            if pid not in held and carries_state(state)
        ]

    @cached_property
    def reading(self) -> dict[str, StateView]:
        """Every paper's reading state as commands print it: straight from a store file whose
        checksum vouches that paperdesk wrote it (no models to load), else read and validated
        through the store. Commands that write use :attr:`store` instead."""
        vouched = vouched_states(self.locations.store)
        if vouched is not None:
            return vouched
        return {paper_id: StateView.of(state) for paper_id, state in self.store.states().items()}

    def query_facts(self, new_ids: Callable[[], Collection[str]] = frozenset) -> StateFacts:
        """What a query reads (:mod:`paperdesk.query`): the reading state as commands print it
        (:attr:`reading`) and ``enrich``'s metadata, read only if a query needs it.
        ``new_ids``: the papers ``new:`` means (the network layer knows the last sync)."""
        from paperdesk.query.evaluate import StateFacts

        return StateFacts(self.catalog, self.reading, metadata=self._metadata, new_ids=new_ids)

    def _metadata_cache(self) -> MetadataCache | None:
        """The home's fetched metadata, or None when nothing was ever enriched (which skips
        loading its models)."""
        if not self.locations.arxiv_cache.exists():
            return None
        from paperdesk.catalog.metadata import MetadataCache

        return self.__dict__.setdefault("_arxiv", MetadataCache(self.locations))

    def _metadata(self) -> Mapping[str, ArxivMetadata]:
        cache = self._metadata_cache()
        return cache.all() if cache is not None else {}

    def status_of(self, paper_id: str) -> str:
        state = self.reading.get(paper_id)
        return state.status if state else "unread"

    def paper_record(self, paper: Paper, *, history: bool = False) -> dict[str, Any]:
        """A paper with its reading state, as ``list --json`` and ``show --json`` print it.

        ``history`` makes the full record ``show`` prints: status history and arXiv metadata.
        """
        record = paper.as_json()
        state = self.reading.get(paper.id)
        record["status"] = state.status if state else "unread"
        record["note"] = state.note if state else None
        record["last_changed"] = state.updated_at.isoformat() if state else None
        if history:
            record["history"] = state.history if state else []
            record.update(self.fetched(paper))
        return record

    def fetched(self, paper: Paper) -> dict[str, Any]:
        """What fetching added to ``paper`` (:func:`~paperdesk.catalog.fetched.fetched_fields`;
        empty values when it was never enriched)."""
        cache = self._metadata_cache()
        dblp = self._dblp_cache()
        return fetched_fields(
            paper,
            cache.get(paper.id) if cache is not None else None,
            dblp.get(paper.id) if dblp is not None else None,
        )

    def _dblp_cache(self) -> DblpCache | None:
        """What ``venue fetch`` learnt from DBLP, or None when no venue was ever fetched."""
        if not self.locations.dblp_cache.exists():
            return None
        from paperdesk.catalog.metadata import DblpCache

        return self.__dict__.setdefault("_dblp", DblpCache(self.locations))

    def dblp_metadata(self, papers: Iterable[Paper]) -> dict[str, DblpMetadata]:
        """The DBLP records of ``papers`` that ``venue fetch`` cached (for the exports)."""
        cache = self._dblp_cache()
        if cache is None:
            return {}
        cached = cache.all()
        return {paper.id: cached[paper.id] for paper in papers if paper.id in cached}


def _words(name: str) -> str:
    """A name as TODO references match it: case, punctuation and spacing aside."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in name.casefold()).split())


def todo_record(item: TodoItem) -> dict[str, Any]:
    """A TODO conference as ``todo list --json`` prints it."""
    from paperdesk.catalog.models import plain_todo

    return plain_todo(item).model_dump(mode="json")
