"""Lists that live upstream: import from a URL and re-fetch them (``sync``).

A URL source remembers its :class:`~paperdesk.catalog.models.Origin` (location, ETag, Last-Modified,
fetch time) so ``sync`` asks with a conditional request and a 304 costs nothing. Order of work,
so a failure at any step leaves the catalog, the store and the cache as they were: fetch the
whole body, decode and parse it, then install the source (one atomic write plus relinking), and
only then keep its raw text in the cache (the last good copy, for working offline). ``sync``
fetches every source before it installs any, so a sync cancelled while fetching (the desk's
escape) changes nothing at all.

What a sync brought goes to the inbox as the source is installed
(:func:`paperdesk.workspace.install_source`, :mod:`paperdesk.state.inbox`), where it stays until
the user deals with it, however many syncs come after.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from paperdesk.atomic import atomic_write_text
from paperdesk.catalog.models import CatalogFile, Origin
from paperdesk.catalog.sources import decode_list, parse_list
from paperdesk.errors import FetchError, InputError, NotFoundError, PaperdeskError, UsageError
from paperdesk.locations import is_source_name
from paperdesk.net.fetch import (
    Cancel,
    FetchCancelled,
    FetchLimits,
    fetch,
    github_raw_url,
    is_url,
    resolve_link,
)
from paperdesk.workspace import ImportReport

if TYPE_CHECKING:
    from paperdesk.locations import Locations
    from paperdesk.workspace import Workspace

DAILY_FALLBACK_NAME = "daily"
_HTML_STARTS = (b"<!doctype html", b"<html")


@dataclass
class FetchedList:
    """A list fetched and parsed, not yet installed: nothing has been written."""

    catalog: CatalogFile
    text: str


@dataclass
class SyncResult:
    """One source's outcome: unchanged (304), updated (``report``), or failed (``error``)."""

    name: str
    unchanged: bool = False
    report: ImportReport | None = None
    error: str | None = None


def fetch_list(
    url: str,
    name: str,
    *,
    previous: Origin | None = None,
    limits: FetchLimits | None = None,
    cancel: Cancel | None = None,
) -> FetchedList | None:
    """Fetch and parse the list at ``url`` as source ``name``; None when a conditional fetch
    (``previous`` holds the ETag/Last-Modified) answered 304. Raises :class:`FetchError`.
    Without ``limits``, the deadline is the environment's or the default."""
    location = github_raw_url(url)
    fetched = fetch(
        location,
        etag=previous.etag if previous else None,
        last_modified=previous.last_modified if previous else None,
        limits=limits or FetchLimits().configured(None),
        cancel=cancel,
    )
    if fetched.not_modified:
        return None
    if fetched.content.lstrip()[:20].lower().startswith(_HTML_STARTS):
        raise FetchError(
            f"could not fetch {url}: the answer is an HTML page, not a markdown list; "
            "give the raw file's URL"
        )
    try:
        text = decode_list(fetched.content, "the answer")
        catalog = parse_list(text, name, "the answer")
    except InputError as exc:
        raise FetchError(f"could not fetch {url}: {exc}") from None
    origin = Origin(
        location=location,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        fetched_at=fetched.fetched_at,
    )
    return FetchedList(catalog.model_copy(update={"origin": origin}), text)


def daily_source_name(link: str) -> str:
    """The source name of a linked daily feed: its file stem, if that is a safe file name."""
    stem = PurePosixPath(urlsplit(link).path).stem
    return stem if is_source_name(stem) else DAILY_FALLBACK_NAME


def fetch_daily(
    listing: FetchedList, *, limits: FetchLimits | None = None, cancel: Cancel | None = None
) -> FetchedList:
    """Fetch the daily feed a fetched list links to, resolved against the list's URL."""
    catalog = listing.catalog
    assert catalog.origin is not None
    if not catalog.daily_link:
        raise NotFoundError(
            f"{catalog.origin.location} links no daily feed; imported the list only"
        )
    url = resolve_link(catalog.origin.location, catalog.daily_link)
    daily = fetch_list(url, daily_source_name(catalog.daily_link), limits=limits, cancel=cancel)
    assert daily is not None, "an unconditional fetch never answers 304"
    return daily


def cached_text(locations: Locations, name: str) -> str | None:
    """The last good raw text of a URL source, for working offline; None if never fetched."""
    try:
        return locations.raw_list(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def keep_raw_text(locations: Locations, fetched: FetchedList) -> None:
    """Keep an installed list's raw text (the last good copy, for working offline)."""
    atomic_write_text(locations.raw_list(fetched.catalog.source), fetched.text)


def url_sources(files: Sequence[CatalogFile]) -> list[CatalogFile]:
    """Sources imported from an http(s) URL, the ones ``sync`` re-fetches."""
    return [f for f in files if f.origin is not None and is_url(f.origin.location)]


def _targets(ws: Workspace, names: Sequence[str] | None) -> list[CatalogFile]:
    if ws.catalog_override is not None:
        raise UsageError("sync works on the home's sources; drop --catalog")
    ws.reload_sources()  # another process may have synced since this workspace was opened
    if not names:
        return url_sources(ws.files)
    by_name = {f.source: f for f in ws.files}
    chosen: list[CatalogFile] = []
    for name in dict.fromkeys(names):
        file = by_name.get(name)
        if file is None:
            raise NotFoundError(f"no source named {name!r}; 'paperdesk sources' lists them")
        if not url_sources([file]):
            raise UsageError(
                f"source {name!r} was not imported from a URL; re-import it with "
                "'paperdesk import PATH'"
            )
        chosen.append(file)
    return chosen


def sync_sources(
    ws: Workspace,
    names: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    limits: FetchLimits | None = None,
    cancel: Cancel | None = None,
) -> list[SyncResult]:
    """Re-fetch the URL sources (all, or ``names``) and re-import the changed ones, state kept.

    One failing source does not stop the others; each result says what happened to its
    source. Unknown or non-URL ``names`` raise before anything is fetched. Every source is
    fetched before any is installed: ``cancel`` stops the fetching with
    :class:`~paperdesk.net.fetch.FetchCancelled` and nothing changed; once installing has
    begun it finishes.
    """
    say = progress or (lambda _message: None)
    limits = limits or FetchLimits().configured(ws.locations)
    results: list[SyncResult] = []
    changed: list[tuple[SyncResult, FetchedList]] = []
    for file in _targets(ws, names):
        name = file.source
        assert file.origin is not None
        say(f"fetching {name} from {file.origin.location}")
        result = SyncResult(name)
        results.append(result)
        try:
            fetched = fetch_list(
                file.origin.location, name, previous=file.origin, limits=limits, cancel=cancel
            )
        except FetchCancelled:
            raise
        except PaperdeskError as exc:
            result.error = str(exc)
            say(f"{name}: {exc}")
            continue
        if fetched is None:
            result.unchanged = True
            say(f"{name}: unchanged")
            continue
        changed.append((result, fetched))
    if cancel is not None:
        cancel.seal()  # installing is not cancelled half-way
    installed: list[str] = []
    for result, fetched in changed:
        name = result.name
        try:
            report = ws.install(fetched.catalog, cache=False)
            keep_raw_text(ws.locations, fetched)
        except (PaperdeskError, OSError) as exc:
            ws.reload_sources()  # the install may have stopped half-way
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            result.error = f"cannot install {name}: {reason}"
            say(f"{name}: cannot install: {reason}")
            continue
        installed.append(name)
        result.report = report
        say(f"{name}: {len(report.new_papers)} new, {len(report.removed)} orphaned")
    if installed:
        ws.cache_catalog()  # once, for all the sources installed
    return results
