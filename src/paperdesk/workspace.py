"""The objects every command and the desk work on: where things live, the catalog, the store.

One constructor for the CLI, the desk and the tests, so ``--home`` and ``--catalog`` mean the
same everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperdesk.catalog import Catalog
from paperdesk.catalog_cache import (
    LoadedSource,
    load_sources,
    open_catalog,
    replace_source,
    write_cache,
)
from paperdesk.errors import UsageError
from paperdesk.glance import StateView, vouched_states
from paperdesk.locations import Locations

if TYPE_CHECKING:
    from paperdesk.models import CatalogFile, TodoItem
    from paperdesk.records import Paper
    from paperdesk.sources import ImportReport
    from paperdesk.store import Store


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
        from paperdesk.store import Store

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
            from paperdesk.sources import read_catalog_path

            return [LoadedSource(None, read_catalog_path(self.catalog_override))]
        return load_sources(self.locations, skip_damaged=self.skip_damaged)

    @property
    def files(self) -> list[CatalogFile]:
        return [source.file for source in self.loaded_sources]

    def install(self, catalog: CatalogFile, *, cache: bool = True) -> ImportReport:
        """Install ``catalog`` as a source of the home (see ``sources.install_source``) and
        bring the catalog cache up to date with it; ``cache=False`` leaves that to one
        :meth:`cache_catalog` after installing several."""
        from paperdesk.sources import install_source

        before = self.loaded_sources
        report = install_source(self.locations, self.store, catalog, [s.file for s in before])
        self.__dict__["loaded_sources"] = replace_source(
            before, self.locations, catalog, report.written
        )
        self.__dict__.pop("catalog", None)
        if cache:
            self.cache_catalog()
        return report

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

    def seed_todos(self, names: Iterable[str] | None = None) -> None:
        """Bring the lists' TODO conferences (all, or those ``names``) into the store before
        the user edits one."""
        items = self.catalog.todos
        if names is not None:
            wanted = {name.strip().casefold() for name in names}
            items = [item for item in items if item.name.casefold() in wanted]
        self.store.seed_todos(items)

    @cached_property
    def reading(self) -> dict[str, StateView]:
        """Every paper's reading state as commands print it: straight from a store file whose
        checksum vouches that paperdesk wrote it (no models to load), else read and validated
        through the store. Commands that write use :attr:`store` instead."""
        vouched = vouched_states(self.locations.store)
        if vouched is not None:
            return vouched
        return {paper_id: StateView.of(state) for paper_id, state in self.store.states().items()}

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
            record.update(self._arxiv_fields(paper))
        return record

    def _arxiv_fields(self, paper: Paper) -> dict[str, Any]:
        """``enrich``'s metadata of a paper (empty values when it was never enriched)."""
        meta = None
        if self.locations.arxiv_cache.exists():  # never enriched: skip loading the arXiv code
            from paperdesk.arxiv import MetadataCache

            cache = self.__dict__.setdefault("_arxiv", MetadataCache(self.locations))
            meta = cache.get(paper.id)
        if meta is None:
            return {"abstract": None, "authors": [], "published": None, "categories": []}
        return {
            "arxiv_id": paper.arxiv_id or meta.arxiv_id,
            "abstract": meta.abstract,
            "authors": meta.authors,
            "published": meta.published.isoformat() if meta.published else None,
            "categories": meta.categories,
        }


def todo_record(item: TodoItem) -> dict[str, Any]:
    """A TODO conference as ``todo list --json`` prints it."""
    from paperdesk.models import plain_todo

    return plain_todo(item).model_dump(mode="json")
