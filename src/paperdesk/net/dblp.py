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
5xx retried with backoff, a body size limit. DBLP publishes no rate limit but asks clients to be
gentle: every request waits its turn (``$PAPERDESK_DBLP_INTERVAL`` or ``[dblp] interval``
seconds, default 1). Everything is fetched before anything is written: a failure is one
:class:`FetchError` line and the home stays as it was.
"""

from __future__ import annotations

import time
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
)
from paperdesk.catalog.metadata import DblpCache
from paperdesk.catalog.models import CatalogFile, DblpMetadata
from paperdesk.config import setting
from paperdesk.errors import FetchError, InputError, NotFoundError, UsageError
from paperdesk.net.fetch import Cancel, FetchLimits, FetchStatusError, fetch, make_client

if TYPE_CHECKING:
    import httpx

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
MAX_ANSWER_BYTES = 64 * 1024 * 1024


def _seconds(value: float | str) -> float:
    if not isinstance(value, str):
        return float(value)
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number >= 0:
        raise InputError(f"{INTERVAL_ENV} must be a number of seconds >= 0, got {value!r}")
    return number


class DblpClient:
    """A gentle client of DBLP: one request per interval, retries included."""

    def __init__(
        self,
        api: str = DEFAULT_API,
        interval: float = DEFAULT_INTERVAL,
        *,
        locations: Locations | None = None,
        page_size: int = PAGE_SIZE,
        cancel: Cancel | None = None,
    ) -> None:
        parts = urlsplit(api)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"{API_ENV} must be an http(s) URL, got {api!r}")
        self.api = api
        self.site = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        self.interval = interval
        self.page_size = page_size
        self.limits = FetchLimits(
            connect=5.0, read=20.0, max_bytes=MAX_ANSWER_BYTES, attempts=3, backoff=1.0
        ).configured(locations)
        self.cancel = cancel
        self._next_request = 0.0
        self._http: httpx.Client | None = None

    @classmethod
    def of_home(cls, locations: Locations, *, cancel: Cancel | None = None) -> DblpClient:
        """The client a home's settings ask for: the environment, else ``[dblp]`` in
        ``config.toml``, else dblp.org at one request a second."""
        api = setting(locations, "dblp", "api", API_ENV)
        interval = setting(locations, "dblp", "interval", INTERVAL_ENV)
        return cls(
            api or DEFAULT_API,
            DEFAULT_INTERVAL if interval is None else _seconds(interval),
            locations=locations,
            cancel=cancel,
        )

    def __enter__(self) -> DblpClient:
        self._http = make_client(self.limits)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def _wait_turn(self) -> None:
        delay = self._next_request - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next_request = time.monotonic() + self.interval

    def _get(self, url: str, params: Mapping[str, str] | None = None) -> bytes:
        answer = fetch(
            url,
            params=params,
            limits=self.limits,
            client=self._http,
            before_attempt=self._wait_turn,
            cancel=self.cancel,
        )
        return answer.content

    def toc(self, key: str) -> tuple[str | None, list[DblpRecord]] | None:
        """The table of contents ``key`` (``db/conf/nsdi/nsdi2025``) with its sessions, or
        None when DBLP has none (404)."""
        url = f"{self.site}/{key}.xml"
        try:
            data = self._get(url)
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
            data = self._get(self.api, params)
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
    name = ref.name or (" ".join(title.split()) if title else None)
    if name is None:
        raise UsageError("name the venue: the file does not say which venue it is")
    if not records:
        raise NotFoundError(f"DBLP has no papers of {name} at {location}; check the venue's key")
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
