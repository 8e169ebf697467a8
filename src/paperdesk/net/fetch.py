"""Fetching lists and API answers over HTTP: bounded in time and size, complete or nothing.

A fetch either returns the whole body or raises one :class:`FetchError` line saying why; callers
parse and write only after that, so a failed download on a train never damages anything.
Transient failures (refused or timed-out connections, DNS hiccups, 429 and 5xx answers) are
retried with backoff inside one time budget, so a fetch that cannot succeed gives up quickly.
httpx is imported inside the functions that fetch, to keep ``import paperdesk.cli`` fast.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from paperdesk import __version__
from paperdesk.catalog.sources import MAX_LIST_BYTES
from paperdesk.errors import FetchError, InputError

if TYPE_CHECKING:
    import httpx

TIMEOUT_ENV = "PAPERDESK_NET_TIMEOUT"
USER_AGENT = f"paperdesk/{__version__} (terminal reading desk for paper lists; python-httpx)"
MAX_REDIRECTS = 10

_GITHUB_HOSTS = ("github.com", "www.github.com")
_RAW_HOST = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class FetchLimits:
    """How long and how much one fetch may take, retries included.

    The defaults keep a failed list fetch under 20 s: no attempt starts after the 15 s budget,
    and a stalled connect or read gives up after 5 s, so the last one ends by 20 s at worst.
    """

    connect: float = 5.0
    read: float = 5.0
    total: float = 15.0
    max_bytes: int = MAX_LIST_BYTES
    attempts: int = 3
    backoff: float = 0.5

    def with_env_timeout(self) -> FetchLimits:
        """Apply ``$PAPERDESK_NET_TIMEOUT`` (seconds per connect/read) for slow links and tests."""
        value = os.environ.get(TIMEOUT_ENV, "").strip()
        if not value:
            return self
        try:
            seconds = float(value)
        except ValueError:
            seconds = -1.0
        if not seconds > 0:
            raise InputError(f"{TIMEOUT_ENV} must be a positive number of seconds, got {value!r}")
        return replace(self, connect=seconds, read=seconds, total=max(self.total, 3 * seconds))


@dataclass(frozen=True)
class Fetched:
    """A complete answer: the whole body, or a 304 to a conditional request (empty body)."""

    url: str
    status: int
    content: bytes
    etag: str | None
    last_modified: str | None
    content_type: str | None
    fetched_at: dt.datetime

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _Retry(Exception):
    """A failure worth another attempt, with the server's Retry-After when it gave one."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def is_url(text: str) -> bool:
    """Whether ``import`` was given a URL rather than a path."""
    return text.strip().lower().startswith(("http://", "https://"))


def github_raw_url(url: str) -> str:
    """The raw-file URL behind a GitHub repository, ``blob``, ``tree`` or ``raw`` page URL.

    ``https://github.com/o/r`` -> ``https://raw.githubusercontent.com/o/r/HEAD/README.md``;
    ``https://github.com/o/r/blob/main/x.md`` -> ``.../o/r/main/x.md``. Other URLs are returned
    unchanged, so the function is safe to apply to anything ``import`` is given.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or parts.hostname not in _GITHUB_HOSTS:
        return url
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2:
        return url
    owner, repo = segments[0], segments[1].removesuffix(".git")
    rest = segments[2:]
    if not rest:
        return f"{_RAW_HOST}/{owner}/{repo}/HEAD/README.md"
    if rest[0] in ("blob", "raw") and len(rest) >= 3:
        return f"{_RAW_HOST}/{owner}/{repo}/{'/'.join(rest[1:])}"
    if rest[0] == "tree" and len(rest) >= 2:
        return f"{_RAW_HOST}/{owner}/{repo}/{'/'.join(rest[1:])}/README.md"
    return url


def resolve_link(base: str, link: str) -> str:
    """A link found in a fetched list (``daily-arxiv-llm.md``), as an absolute raw URL."""
    return github_raw_url(urljoin(base, link.strip()))


def make_client(limits: FetchLimits) -> httpx.Client:
    """A client that follows redirects and identifies itself; proxies come from the environment."""
    import httpx

    return httpx.Client(
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
        timeout=httpx.Timeout(limits.read, connect=limits.connect),
    )


@contextmanager
def _client_for(client: httpx.Client | None, limits: FetchLimits) -> Iterator[httpx.Client]:
    if client is not None:
        yield client
        return
    with make_client(limits) as owned:
        yield owned


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    params: Mapping[str, str] | None = None,
    limits: FetchLimits | None = None,
    client: httpx.Client | None = None,
    before_attempt: Callable[[], None] | None = None,
) -> Fetched:
    """GET ``url`` completely, conditionally when ``etag``/``last_modified`` are given.

    ``before_attempt`` runs before every attempt (the arXiv client waits its turn there).
    Raises :class:`FetchError` ("could not fetch URL: reason") on anything but a whole body or
    a 304 to a conditional request.
    """
    import httpx

    limits = limits or FetchLimits()
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + limits.total
    with _client_for(client, limits) as http:
        for attempt in range(1, limits.attempts + 1):
            if before_attempt is not None:
                before_attempt()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError(f"could not fetch {url}: no answer within {limits.total:g} s")
            timeout = httpx.Timeout(
                min(limits.read, remaining), connect=min(limits.connect, remaining)
            )
            try:
                return _attempt(http, url, headers, params, timeout, limits, deadline)
            except _Retry as exc:
                delay = max(limits.backoff * 2 ** (attempt - 1), exc.retry_after or 0.0)
                if attempt == limits.attempts or time.monotonic() + delay >= deadline:
                    later = f" (retry after {exc.retry_after:.0f} s)" if exc.retry_after else ""
                    raise FetchError(f"could not fetch {url}: {exc.reason}{later}") from None
                time.sleep(delay)
            except httpx.InvalidURL as exc:
                raise FetchError(f"could not fetch {url}: not a valid URL ({exc})") from None
            except httpx.HTTPError as exc:
                raise FetchError(f"could not fetch {url}: {_reason(exc, limits)}") from None
    raise AssertionError("unreachable: the last attempt returns or raises")


def _attempt(
    http: httpx.Client,
    url: str,
    headers: Mapping[str, str],
    params: Mapping[str, str] | None,
    timeout: httpx.Timeout,
    limits: FetchLimits,
    deadline: float,
) -> Fetched:
    import httpx

    try:
        with http.stream("GET", url, headers=headers, params=params, timeout=timeout) as response:
            status = response.status_code
            conditional = bool(headers)
            if status == 429 or status >= 500:
                raise _Retry(_status_text(response), _retry_after(response))
            if not (200 <= status < 300 or (status == 304 and conditional)):
                raise FetchError(f"could not fetch {url}: {_status_text(response)}")
            content = b"" if status == 304 else _read_body(response, url, limits, deadline)
            return Fetched(
                url=str(response.url),
                status=status,
                content=content,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                content_type=response.headers.get("Content-Type"),
                fetched_at=dt.datetime.now(dt.UTC),
            )
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise _Retry(_reason(exc, limits)) from None


def _read_body(response: httpx.Response, url: str, limits: FetchLimits, deadline: float) -> bytes:
    """The decoded body, refused as soon as it is known to exceed the size or time limit."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(
            f"could not fetch {url}: the body is {int(declared)} bytes, "
            f"over the {limits.max_bytes}-byte limit"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchError(
                f"could not fetch {url}: the body is over the {limits.max_bytes}-byte limit"
            )
        if time.monotonic() > deadline:
            raise FetchError(f"could not fetch {url}: no complete answer within {limits.total:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def _status_text(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.reason_phrase}".strip()


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date), or None."""
    import email.utils

    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


_ERRNO = re.compile(r"\[Errno -?\d+\]\s*")


def _reason(exc: httpx.HTTPError, limits: FetchLimits) -> str:
    """A short human reason for a transport failure."""
    import httpx

    text = _ERRNO.sub("", str(exc)).strip()
    lowered = text.lower()
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connection timed out after {limits.connect:g} s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"no answer within {limits.read:g} s (read timeout)"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        if "refused" in lowered:
            return "connection refused"
        if any(
            marker in lowered
            for marker in ("name or service", "nodename", "name resolution", "getaddrinfo")
        ):
            return f"cannot resolve the host name (DNS: {text})"
        return f"cannot connect ({text or type(exc).__name__})"
    if isinstance(exc, httpx.RemoteProtocolError) and "complete message body" in lowered:
        return "the connection closed before the whole body arrived (truncated)"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"more than {MAX_REDIRECTS} redirects"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"not an http(s) URL ({text})"
    if isinstance(exc, httpx.DecodingError):
        return "the body's content encoding cannot be decoded"
    return text or type(exc).__name__
