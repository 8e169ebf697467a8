"""What ``enrich`` fetched about papers (abstract, authors, date, categories), kept in the home.

The metadata is data about catalog papers, read by ``show``, the exports and the desk, and
written only by :mod:`paperdesk.net.arxiv`; it lives here, below the network layer, so that
readers need not import the code that fetches it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, ValidationError

from paperdesk.atomic import atomic_write_bytes
from paperdesk.catalog.models import ArxivMetadata, Model

if TYPE_CHECKING:
    from paperdesk.locations import Locations

CACHE_SCHEMA_VERSION = 1


class ArxivCacheFile(Model):
    """``cache_dir/arxiv.json``: metadata by paper id."""

    schema_version: int = CACHE_SCHEMA_VERSION
    papers: dict[str, ArxivMetadata] = Field(default_factory=dict)


class MetadataCache:
    """The home's arXiv metadata, re-read only when the file changed on disk.

    A missing, damaged or newer-schema file reads as empty: it is a cache, and ``show`` must
    never fail because of it. Writes merge into what is on disk, so two runs keep both results.
    """

    def __init__(self, locations: Locations) -> None:
        self.path: Path = locations.arxiv_cache
        self._stamp: tuple[int, int] | None = None
        self._entries: dict[str, ArxivMetadata] = {}

    def _fresh(self) -> dict[str, ArxivMetadata]:
        try:
            info = self.path.stat()
        except OSError:
            self._stamp, self._entries = None, {}
            return self._entries
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp != self._stamp:
            self._stamp, self._entries = stamp, self._read()
        return self._entries

    def _read(self) -> dict[str, ArxivMetadata]:
        try:
            cache = ArxivCacheFile.model_validate_json(self.path.read_bytes())
        except (OSError, ValidationError):
            return {}
        return cache.papers if cache.schema_version <= CACHE_SCHEMA_VERSION else {}

    def get(self, paper_id: str) -> ArxivMetadata | None:
        return self._fresh().get(paper_id)

    def all(self) -> dict[str, ArxivMetadata]:
        return dict(self._fresh())

    def update(self, entries: Mapping[str, ArxivMetadata]) -> None:
        """Add or replace ``entries`` and write the file atomically."""
        if not entries:
            return
        merged = {**self._read(), **entries}
        payload = ArxivCacheFile(papers=merged).model_dump_json(exclude_none=True)
        atomic_write_bytes(self.path, payload.encode("utf-8"))
        self._stamp = None
