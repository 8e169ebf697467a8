"""The objects every command and the desk work on: where things live, the catalog, the store.

One constructor for the CLI, the desk and the tests, so ``--home`` and ``--catalog`` mean the
same everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paperdesk.catalog import Catalog
from paperdesk.errors import UsageError
from paperdesk.locations import Locations
from paperdesk.models import CatalogFile, Paper, TodoItem, plain_todo
from paperdesk.sources import home_sources, read_catalog_path
from paperdesk.store import Store


@dataclass
class Workspace:
    """A home's store with either the home's sources or one ``--catalog`` file."""

    locations: Locations
    files: list[CatalogFile]
    store: Store
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
        files = (
            [read_catalog_path(override)]
            if override
            else home_sources(locations, skip_damaged=skip_damaged)
        )
        store = Store.open(locations.store)
        return cls(locations, files, store, override, skip_damaged)

    @property
    def catalog(self) -> Catalog:
        cached = self.__dict__.get("_catalog")
        if cached is None:
            cached = Catalog.from_files(self.files)
            self.__dict__["_catalog"] = cached
        return cached

    def reload_sources(self) -> None:
        """Re-read the home's sources after an import or sync changed them."""
        if self.catalog_override is None:
            self.files = home_sources(self.locations, skip_damaged=self.skip_damaged)
            self.__dict__.pop("_catalog", None)

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

    def paper_record(self, paper: Paper, *, history: bool = False) -> dict[str, Any]:
        """A paper with its reading state, as ``list --json`` and ``show --json`` print it.

        ``history`` makes the full record ``show`` prints: status history and arXiv metadata.
        """
        record = paper.model_dump(mode="json")
        state = self.store.state(paper.id)
        record["status"] = state.status if state else "unread"
        record["note"] = state.note if state else None
        record["last_changed"] = state.updated_at.isoformat() if state else None
        if history:
            record["history"] = (
                [change.model_dump(mode="json") for change in state.history] if state else []
            )
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
    return plain_todo(item).model_dump(mode="json")
