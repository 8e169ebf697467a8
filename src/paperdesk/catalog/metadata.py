"""What was fetched about papers, kept in the home: ``enrich``'s arXiv metadata (abstract,
authors, date, categories) and ``venue fetch``'s DBLP records (authors, DOI, pages).

The metadata is data about catalog papers, read by ``show``, the exports and the desk, and
written only by :mod:`paperdesk.net`; it lives here, below the network layer, so that readers
need not import the code that fetches it. The two sources stay in two files: ``has:arxiv``
means arXiv knows the paper, which a DBLP record does not say.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from pydantic import Field, ValidationError

from paperdesk.atomic import atomic_write_bytes, locked
from paperdesk.catalog.models import ArxivMetadata, DblpMetadata, Model
from paperdesk.errors import OutputError

if TYPE_CHECKING:
    from paperdesk.locations import Locations

CACHE_SCHEMA_VERSION = 1
DBLP_CACHE_SCHEMA_VERSION = 1
#: How long a write waits for another process's write of the same cache.
LOCK_TIMEOUT = 10.0

Entry = TypeVar("Entry", ArxivMetadata, DblpMetadata)


class ArxivCacheFile(Model):
    """``cache_dir/arxiv.json``: metadata by paper id."""

    schema_version: int = CACHE_SCHEMA_VERSION
    papers: dict[str, ArxivMetadata] = Field(default_factory=dict)


class DblpCacheFile(Model):
    """``cache_dir/dblp.json``: DBLP records by paper id."""

    schema_version: int = DBLP_CACHE_SCHEMA_VERSION
    papers: dict[str, DblpMetadata] = Field(default_factory=dict)


class _JsonCache(Generic[Entry]):
    """Entries by paper id in one JSON file, re-read only when the file changed on disk.

    A missing, damaged or newer-schema file reads as empty: it is a cache, and ``show`` must
    never fail because of it. Writes merge into what is on disk under a lock on
    ``<file>.lock``, so runs writing at the same time keep all their results.
    """

    file_model: type[ArxivCacheFile] | type[DblpCacheFile]
    version: int

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._entries: dict[str, Entry] = {}

    def _fresh(self) -> dict[str, Entry]:
        try:
            info = self.path.stat()
        except OSError:
            self._stamp, self._entries = None, {}
            return self._entries
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp != self._stamp:
            self._stamp, self._entries = stamp, self._read()
        return self._entries

    def _read(self) -> dict[str, Entry]:
        try:
            cache = self.file_model.model_validate_json(self.path.read_bytes())
        except (OSError, ValidationError):
            return {}
        return cache.papers if cache.schema_version <= self.version else {}  # type: ignore[return-value]

    def get(self, paper_id: str) -> Entry | None:
        return self._fresh().get(paper_id)

    def all(self) -> dict[str, Entry]:
        return dict(self._fresh())

    def update(self, entries: Mapping[str, Entry]) -> None:
        """Add or replace ``entries`` and write the file atomically; OutputError when another
        process holds the file for over :data:`LOCK_TIMEOUT` seconds."""
        if not entries:
            return
        lock = self.path.with_name(self.path.name + ".lock")
        try:
            with locked(lock, LOCK_TIMEOUT):
                merged = {**self._read(), **entries}
                payload = self.file_model(papers=merged).model_dump_json(exclude_none=True)  # type: ignore[arg-type]
                atomic_write_bytes(self.path, payload.encode("utf-8"))
        except TimeoutError:
            raise OutputError(
                f"cannot update {self.path}: another process holds {lock}; try again"
            ) from None
        except OSError as exc:
            why = exc.strerror or exc.__class__.__name__
            raise OutputError(
                f"cannot update {self.path}: {why}; check the disk and try again"
            ) from None
        self._stamp = None


class MetadataCache(_JsonCache[ArxivMetadata]):
    """The home's arXiv metadata (``enrich``)."""

    file_model = ArxivCacheFile
    version = CACHE_SCHEMA_VERSION

    def __init__(self, locations: Locations) -> None:
        super().__init__(locations.arxiv_cache)


class DblpCache(_JsonCache[DblpMetadata]):
    """The home's DBLP records (``venue fetch``)."""

    file_model = DblpCacheFile
    version = DBLP_CACHE_SCHEMA_VERSION

    def __init__(self, locations: Locations) -> None:
        super().__init__(locations.dblp_cache)
