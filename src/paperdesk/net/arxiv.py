"""arXiv metadata for papers (abstract, authors, date, categories), kept in the home's cache.

Lookups go through the arXiv query API (``$PAPERDESK_ARXIV_API``, else ``api`` in the
``[arxiv]`` table of ``config.toml``): papers with an arXiv id in
batches of :data:`BATCH_SIZE` by ``id_list``, the others (and ids arXiv does not know) one by
one by title (``search_query=ti:"..."``). A title hit is accepted only when its normalised
title has a :func:`~paperdesk.catalog.identity.title_similarity` of at least
:data:`TITLE_MATCH_THRESHOLD` (0.9, as for relinking) with the paper's: a word or two edited in a
fifteen-word title still matches, a different paper on the same topic does not. Below it nothing
is stored and the paper is reported unmatched.

arXiv asks for one request every 3 s: every request, retries included, waits its turn
(``$PAPERDESK_ARXIV_INTERVAL`` or ``[arxiv] interval`` seconds, default 3, at most 10:
:class:`~paperdesk.net.paced.PacedClient`); 429 and 5xx answers
are retried with backoff,
honouring Retry-After. The cache is written after every batch, so an interrupted run keeps what
it got and the next run skips it. The Atom answer is parsed by
:func:`~paperdesk.catalog.safe_xml.parse_xml`, which refuses any DOCTYPE or entity declaration
(no entity-expansion attacks); a malformed answer is one error line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from paperdesk.catalog.arxiv_ids import normalise_arxiv_id
from paperdesk.catalog.identity import normalise_title, title_similarity
from paperdesk.catalog.metadata import MetadataCache
from paperdesk.catalog.models import ArxivMetadata
from paperdesk.catalog.records import Paper
from paperdesk.catalog.safe_xml import parse_xml
from paperdesk.errors import FetchError, InputError
from paperdesk.net.fetch import Cancel, FetchCancelled, FetchLimits
from paperdesk.net.paced import PacedClient, Service

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from paperdesk.workspace import Workspace

API_ENV = "PAPERDESK_ARXIV_API"
DEFAULT_API = "https://export.arxiv.org/api/query"
INTERVAL_ENV = "PAPERDESK_ARXIV_INTERVAL"
DEFAULT_INTERVAL = 3.0
BATCH_SIZE = 50
TITLE_MATCH_THRESHOLD = 0.9
TITLE_SEARCH_RESULTS = 5
MAX_ANSWER_BYTES = 16 * 1024 * 1024

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ABS_ID = re.compile(r"arxiv\.org/abs/(.+?)(?:v\d+)?$", re.IGNORECASE)


@dataclass
class EnrichReport:
    """Paper ids by outcome; ``errors`` holds the line that stopped the run, if any."""

    matched: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_feed(data: bytes) -> list[ArxivMetadata]:
    """The entries of an arXiv Atom answer. Raises :class:`FetchError` on anything else."""
    try:
        root = parse_xml(data, "arXiv's answer")
    except InputError as exc:
        raise FetchError(str(exc)) from None
    if root.tag != f"{_ATOM}feed":
        raise FetchError("arXiv's answer is not an Atom feed")
    fetched_at = dt.datetime.now(dt.UTC)
    entries = []
    for entry in root.iter(f"{_ATOM}entry"):
        entry_id = _text(entry, "id")
        if "/api/errors" in entry_id:
            raise FetchError(f"arXiv refused the query: {_text(entry, 'summary') or entry_id}")
        meta = _entry_metadata(entry, entry_id, fetched_at)
        if meta is not None:
            entries.append(meta)
    return entries


def _text(element: Element, name: str) -> str:
    child = element.find(f"{_ATOM}{name}")
    return " ".join((child.text or "").split()) if child is not None else ""


def _entry_metadata(entry: Element, entry_id: str, fetched_at: dt.datetime) -> ArxivMetadata | None:
    match = _ABS_ID.search(entry_id)
    title = _text(entry, "title")
    if not match or not title:
        return None
    published = None
    with contextlib.suppress(ValueError):
        published = dt.datetime.fromisoformat(_text(entry, "published")).date()
    primary = entry.find(f"{_ARXIV}primary_category")
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in entry.findall(f"{_ATOM}category")]
    authors = [_text(author, "name") for author in entry.findall(f"{_ATOM}author")]
    return ArxivMetadata(
        arxiv_id=match.group(1),
        title=title,
        abstract=_text(entry, "summary"),
        authors=[name for name in authors if name],
        published=published,
        categories=[term for term in dict.fromkeys(terms) if term],
        fetched_at=fetched_at,
    )


class ArxivClient(PacedClient):
    """A polite client of the query API: one request per interval, retries included."""

    service = Service("arxiv", API_ENV, DEFAULT_API, INTERVAL_ENV, DEFAULT_INTERVAL)

    def limits_for(self, interval: float) -> FetchLimits:
        """arXiv's limits: retries back off by the interval arXiv asks for."""
        return FetchLimits(
            connect=10.0, read=25.0, max_bytes=MAX_ANSWER_BYTES, attempts=4, backoff=interval
        )

    def query(self, params: Mapping[str, str]) -> list[ArxivMetadata]:
        data = self._get(self.api, params)
        try:
            return parse_feed(data)
        except FetchError as exc:
            raise FetchError(f"could not fetch {self.api}: {exc}") from None

    def by_ids(self, ids: Sequence[str]) -> dict[str, ArxivMetadata]:
        """Versionless id -> metadata for the ids arXiv knows."""
        entries = self.query({"id_list": ",".join(ids), "max_results": str(len(ids))})
        return {meta.arxiv_id: meta for meta in entries}

    def best_title_match(self, title: str) -> ArxivMetadata | None:
        """The closest hit of a title search, if it is close enough to trust."""
        words = normalise_title(title)
        if not words:
            return None
        hits = self.query(
            {"search_query": f'ti:"{words}"', "max_results": str(TITLE_SEARCH_RESULTS)}
        )
        scored = [(title_similarity(title, hit.title), hit) for hit in hits]
        score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        return best if score >= TITLE_MATCH_THRESHOLD else None


def _batches(items: Sequence[Paper], size: int) -> Iterator[Sequence[Paper]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def enrich(
    ws: Workspace,
    papers: Sequence[Paper],
    *,
    force: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    cancel: Cancel | None = None,
) -> EnrichReport:
    """Fetch and cache arXiv metadata for ``papers``; already enriched ones are skipped.

    ``progress(done, total, title)`` is called after each paper. A fetch that fails after its
    retries stops the run (its line is in ``errors``); what was fetched before is kept.
    ``cancel`` stops it with :class:`~paperdesk.net.fetch.FetchCancelled`: the answer being
    fetched is dropped, what earlier answers brought stays cached.
    """
    cache = MetadataCache(ws.locations)
    report = EnrichReport()
    todo: list[Paper] = []
    for paper in {p.id: p for p in papers}.values():
        if not force and cache.get(paper.id) is not None:
            report.skipped.append(paper.id)
        else:
            todo.append(paper)
    with_id = [p for p in todo if normalise_arxiv_id(p.arxiv_id)]
    by_title = [p for p in todo if not normalise_arxiv_id(p.arxiv_id)]
    done = 0

    def finished(paper: Paper, meta: ArxivMetadata | None) -> None:
        nonlocal done
        (report.matched if meta else report.unmatched).append(paper.id)
        done += 1
        if progress is not None:
            progress(done, len(todo), paper.title)

    try:
        with ArxivClient.of_home(ws.locations, cancel=cancel) as client:
            for batch in _batches(with_id, BATCH_SIZE):
                wanted = dict.fromkeys(normalise_arxiv_id(p.arxiv_id) for p in batch)
                found = client.by_ids(list(wanted))
                got = {}
                for paper in batch:
                    meta = found.get(normalise_arxiv_id(paper.arxiv_id) or "")
                    if meta is None:
                        by_title.append(paper)
                        continue
                    got[paper.id] = meta
                    finished(paper, meta)
                cache.update(got)
            for paper in by_title:
                meta = client.best_title_match(paper.title)
                if meta is not None:
                    cache.update({paper.id: meta})
                finished(paper, meta)
    except FetchCancelled:
        raise
    except FetchError as exc:
        report.errors.append(str(exc))
    return report
