"""A venue's accepted papers from DBLP: its table of contents, else its publication search.

Two documented DBLP interfaces are used. The table of contents in XML
(``{site}/db/conf/nsdi/nsdi2025.xml``, :func:`~paperdesk.catalog.importers.dblp.toc_xml`) has the
session headings that become topics; the publication search API (``$PAPERDESK_DBLP_API``, else
``api`` in ``config.toml``'s ``[dblp]``, else https://dblp.org/search/publ/api;
``q=...&format=json&h=...&f=...``) pages through ``@total`` hits :data:`PAGE_SIZE` at a time
(DBLP caps ``h`` at 1000). The table of contents is looked for on the API's own host, so a
stand-in for one serves both. A venue without a table of contents (404) is searched by
``toc:db/conf/nsdi/nsdi2025.bht:``, then by its stream and year.

Fetching goes through :func:`paperdesk.net.fetch.fetch`: one deadline for each request, 429 and
5xx retried with backoff, and :data:`MAX_VENUE_BYTES` for all the answers of one venue. DBLP
publishes no rate limit but asks clients to be gentle: every request waits its turn
(``$PAPERDESK_DBLP_INTERVAL`` or ``[dblp] interval`` seconds, default 1, at most 10:
:class:`~paperdesk.net.paced.PacedClient`), within its deadline and until a cancel. Everything
is fetched before anything is written: a failure is one
:class:`FetchError` line and the home stays as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from paperdesk.catalog.importers.dblp import (
    DblpRecord,
    read_venue_file,
    search_answer,
    toc_xml,
    venue_catalog,
    venue_named,
)
from paperdesk.catalog.metadata import DblpCache
from paperdesk.catalog.models import CatalogFile, DblpMetadata
from paperdesk.errors import FetchError, InputError, NotFoundError, UsageError
from paperdesk.net.fetch import Cancel, FetchLimits, FetchStatusError, FetchTooLarge
from paperdesk.net.paced import PacedClient, Service

if TYPE_CHECKING:
    from paperdesk.catalog.dblp_venues import VenueRef
    from paperdesk.locations import Locations
    from paperdesk.workspace import ImportReport, Workspace

API_ENV = "PAPERDESK_DBLP_API"
DEFAULT_API = "https://dblp.org/search/publ/api"
INTERVAL_ENV = "PAPERDESK_DBLP_INTERVAL"
DEFAULT_INTERVAL = 1.0
PAGE_SIZE = 1000
#: DBLP answers at most this many hits of one query (``f`` + ``h``), so no more is asked.
MAX_HITS = 10000
MIB = 1024 * 1024
#: All the answers of one venue's fetch together (a table of contents, or every search page).
MAX_VENUE_BYTES = 64 * MIB


class DblpClient(PacedClient):
    """A gentle client of DBLP: one request per interval, retries included, and at most
    ``max_bytes`` of answers in all (:data:`MAX_VENUE_BYTES` by default)."""

    service = Service("dblp", API_ENV, DEFAULT_API, INTERVAL_ENV, DEFAULT_INTERVAL)

    def __init__(
        self,
        api: str | None = None,
        interval: float | None = None,
        *,
        page_size: int = PAGE_SIZE,
        max_bytes: int = MAX_VENUE_BYTES,
        locations: Locations | None = None,
        cancel: Cancel | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        super().__init__(api, interval, locations=locations, cancel=cancel)
        parts = urlsplit(self.api)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"{API_ENV} must be an http(s) URL, got {self.api!r}")
        self.site = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        self.page_size = page_size
        self.received = 0

    def limits_for(self, interval: float) -> FetchLimits:
        """DBLP's limits: all the answers of one venue within ``max_bytes``."""
        return FetchLimits(
            connect=5.0, read=20.0, max_bytes=self.max_bytes, attempts=3, backoff=1.0
        )

    def _answer(self, url: str, params: Mapping[str, str] | None = None) -> bytes:
        """The answer, counted against the bytes this client may still receive."""
        left = self.limits.max_bytes - self.received
        try:
            data = self._get(url, params, max_bytes=left)
        except FetchTooLarge:
            raise FetchError(
                f"could not fetch {url}: DBLP's answers for this venue pass "
                f"{self.limits.max_bytes / MIB:g} MiB in all, the limit for one venue; "
                "give its papers in a file with --file"
            ) from None
        self.received += len(data)
        return data

    def toc(self, key: str) -> tuple[str | None, list[DblpRecord]] | None:
        """The table of contents ``key`` (``db/conf/nsdi/nsdi2025``) with its sessions, or
        None when DBLP has none (404)."""
        url = f"{self.site}/{key}.xml"
        try:
            data = self._answer(url)
        except FetchStatusError as exc:
            if exc.status in (404, 410):
                return None
            raise
        try:
            return toc_xml(data, f"DBLP's answer from {url}")
        except InputError as exc:
            raise FetchError(f"could not read {url}: {exc}") from None

    def search(self, query: str) -> list[DblpRecord]:
        """Every paper the search ``query`` finds, page by page up to its ``@total``."""
        records: list[DblpRecord] = []
        first = 0
        while True:
            params = {"q": query, "format": "json", "h": str(self.page_size), "f": str(first)}
            data = self._answer(self.api, params)
            try:
                total, page = search_answer(data, f"DBLP's answer from {self.api}")
            except InputError as exc:
                raise FetchError(f"could not read {self.api}: {exc}") from None
            records += page
            first += self.page_size
            if first >= min(total, MAX_HITS) or not page:
                return records

    def venue(self, ref: VenueRef) -> tuple[str | None, list[DblpRecord], str]:
        """``(title, records, where)`` of a venue: its table of contents when DBLP has one,
        else what a search by table of contents, then by stream and year, finds."""
        if ref.toc is None and ref.year is None:
            raise UsageError(
                f"{ref.name!r} needs a year: DBLP lists a venue's papers by year, e.g. "
                f'paperdesk venue fetch "{ref.name} {dt.date.today().year}"'
            )
        if ref.toc is None:
            raise UsageError(
                f"DBLP's key of {ref.name!r} is not known; give its DBLP key or URL "
                "(db/conf/NAME/NAMEYEAR), or a file with --file"
            )
        found = self.toc(ref.toc)
        if found is not None and found[1]:
            return found[0], found[1], f"{self.site}/{ref.toc}.xml"
        records = self.search(f"toc:{ref.toc}.bht:")
        if not records and ref.stream and ref.year:
            records = self.search(f"stream:streams/{ref.stream}: year:{ref.year}:")
        return None, records, self.api


@dataclass(frozen=True)
class FetchedVenue:
    """A venue read from DBLP or a file, not yet installed: nothing has been written."""

    catalog: CatalogFile
    metadata: dict[str, DblpMetadata]
    location: str


def fetch_venue(
    locations: Locations,
    ref: VenueRef,
    *,
    file: Path | None = None,
    cancel: Cancel | None = None,
) -> FetchedVenue:
    """Read the venue ``ref`` from ``file`` (DBLP JSON or XML, or a title per line), else from
    DBLP. Raises one-line errors (FetchError for the network) having written nothing."""
    if file is not None:
        from paperdesk.catalog.sources import read_list_bytes

        title, records = read_venue_file(read_list_bytes(file), str(file))
        location = str(file.resolve())
    else:
        with DblpClient.of_home(locations, cancel=cancel) as client:
            title, records, location = client.venue(ref)
    if not records:
        what = ref.name or title or ref.toc or "the venue"
        raise NotFoundError(f"DBLP has no papers of {what} at {location}; check the venue's key")
    name = ref.name or " ".join((title or "").split()) or venue_named(records, ref.year)
    if name is None:
        which = str(file) if file is not None else f"DBLP's {ref.toc}"
        example = f"NAME {ref.year}" if ref.year else "NAME YEAR"
        raise UsageError(f"{which} does not say which venue it is; name it with --name '{example}'")
    catalog, metadata = venue_catalog(
        name,
        records,
        label=ref.label or name,
        year=ref.year,
        url=ref.toc_url,
        location=location,
    )
    return FetchedVenue(catalog, metadata, location)


def install_venue(ws: Workspace, fetched: FetchedVenue) -> ImportReport:
    """Install a fetched venue as its source, over an earlier fetch of it (reading state is
    keyed by paper id and stays), and cache what DBLP said of its papers. A list of another
    kind under the same name is never replaced."""
    name = fetched.catalog.source
    current = next((s for s in ws.catalog.sources if s.name == name), None)
    if current is not None and current.kind != "venue":
        raise UsageError(
            f"a {current.kind} named {name} is installed; remove it first "
            f"('paperdesk sources remove {name}') or fetch the venue under another name"
        )
    DblpCache(ws.locations).update(fetched.metadata)
    return ws.install(fetched.catalog)
