"""Fetching lists and API answers over HTTP: bounded in time and size, complete or nothing.

A fetch either returns the whole body or raises one :class:`FetchError` line saying why; callers
parse and write only after that, so a failed download on a train never damages anything.
Transient failures (refused or timed-out connections, DNS hiccups, 429 and 5xx answers) are
retried with backoff inside one time budget, so a fetch that cannot succeed gives up quickly.

httpx's timeouts bound each network operation, not a request: a server that sends one header
byte a second never trips them. So every fetch also has one deadline for all of it (connect,
headers, body, retries): a timer shuts down the fetch's sockets when it passes, which wakes the
blocked read at once, and the same cut serves :class:`Cancel` (the desk's escape). The sockets
are learnt from httpx's ``trace`` extension as connections open, so clients do not keep
connections alive between requests: a reused one would not be seen. Name resolution is the one
step the cut cannot reach (the system resolver has its own timeouts).
httpx is imported inside the functions that fetch, to keep ``import paperdesk.cli`` fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from paperdesk import __version__
from paperdesk.catalog.sources import MAX_LIST_BYTES
from paperdesk.config import setting
from paperdesk.errors import FetchError, InputError

if TYPE_CHECKING:
    import httpx

    from paperdesk.locations import Locations

TIMEOUT_ENV = "PAPERDESK_NET_TIMEOUT"
DEFAULT_DEADLINE = 30.0
USER_AGENT = f"paperdesk/{__version__} (terminal reading desk for paper lists; python-httpx)"
MAX_REDIRECTS = 10

_GITHUB_HOSTS = ("github.com", "www.github.com")
_RAW_HOST = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class FetchLimits:
    """How long and how much one fetch may take, retries included.

    ``total`` is the deadline of the whole fetch: nothing of it runs past that. Within it, a
    connect that takes over ``connect`` seconds is retried, and ``read`` seconds without a byte
    is a stalled server (one error line, no retry).
    """

    connect: float = 5.0
    read: float = 10.0
    total: float = DEFAULT_DEADLINE
    max_bytes: int = MAX_LIST_BYTES
    attempts: int = 3
    backoff: float = 0.5

    def with_deadline(self, seconds: float | None) -> FetchLimits:
        """These limits with the whole fetch bounded by ``seconds`` (None: unchanged)."""
        if seconds is None:
            return self
        return replace(
            self, total=seconds, connect=min(self.connect, seconds), read=min(self.read, seconds)
        )

    def configured(self, locations: Locations | None) -> FetchLimits:
        """These limits with the deadline the user set (:func:`configured_deadline`)."""
        return self.with_deadline(configured_deadline(locations))


def configured_deadline(locations: Locations | None) -> float | None:
    """The deadline of one fetch as the user set it: ``$PAPERDESK_NET_TIMEOUT``, else
    ``[net] timeout`` in the home's ``config.toml``, else None (the caller's default)."""
    if locations is None:
        value: Any = os.environ.get(TIMEOUT_ENV, "").strip() or None
    else:
        value = setting(locations, "net", "timeout", TIMEOUT_ENV)
    if value is None or isinstance(value, float):
        return value
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise InputError(f"{TIMEOUT_ENV} must be a positive number of seconds, got {value!r}")
    return seconds


class FetchStatusError(FetchError):
    """The server answered, with a status that is no answer (404, 403...): ``status`` says
    which, so a caller can try elsewhere (DBLP has no table of contents for every venue)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class FetchCancelled(FetchError):
    """The user stopped the fetch (:meth:`Cancel.cancel`); nothing was changed."""


class FetchTooLarge(FetchError):
    """The body passed ``limits.max_bytes``: a client with a budget across several fetches
    (a venue's pages) says which limit it was."""


class Pace:
    """One request per ``interval`` seconds to a service that asks for it, retries included.

    :func:`fetch` waits for the turn inside its own deadline and wakes at once when cancelled:
    the wait is part of the fetch, not a sleep before it.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next = 0.0

    def delay(self) -> float:
        """Seconds until the next request may go."""
        return max(0.0, self._next - time.monotonic())

    def sent(self) -> None:
        """A request goes now: the next one waits an interval from here."""
        self._next = time.monotonic() + self.interval


class _Cut:
    """The sockets of one fetch, shut down together when its deadline passes or it is
    cancelled: a read blocked on one of them returns at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.reason: str | None = None  # "deadline" or "cancelled" once cut
        self.done = threading.Event()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpx's ``trace`` callback: keep the socket of each stream as it opens."""
        if not event.endswith(".complete"):
            return
        stream = info.get("return_value")
        get_extra_info = getattr(stream, "get_extra_info", None)
        sock = get_extra_info("socket") if get_extra_info is not None else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.append(sock)
            if self.reason is None:
                return
        _shut(sock)  # opened just as the fetch was cut

    def cut(self, reason: str) -> None:
        with self._lock:
            if self.reason is not None:
                return
            self.reason = reason
            sockets = list(self._sockets)
        self.done.set()
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class Cancel:
    """Stops fetches from another thread (the desk's escape): :meth:`cancel` cuts the fetch
    under way, and any fetch given this object afterwards fails at once. Work that has moved
    on from fetching to writing what it fetched calls :meth:`seal`: a write is never torn."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cuts: set[_Cut] = set()
        self.cancelled = False
        self.sealed = False

    def cancel(self) -> bool:
        """Cancel, unless sealed; whether it was (or already had been) cancelled."""
        with self._lock:
            if self.sealed and not self.cancelled:
                return False
            self.cancelled = True
            cuts = list(self._cuts)
        for cut in cuts:
            cut.cut("cancelled")
        return True

    def seal(self) -> None:
        """Fetching is over: raise :class:`FetchCancelled` if it was cancelled, else refuse
        any later :meth:`cancel`."""
        with self._lock:
            self.sealed = True
        self.check()

    def check(self) -> None:
        """Raise :class:`FetchCancelled` if :meth:`cancel` was called."""
        if self.cancelled:
            raise FetchCancelled("cancelled; nothing was changed")

    @contextmanager
    def _watching(self, cut: _Cut) -> Iterator[None]:
        with self._lock:
            self._cuts.add(cut)
            cancelled = self.cancelled
        if cancelled:
            cut.cut("cancelled")
        try:
            yield
        finally:
            with self._lock:
                self._cuts.discard(cut)


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
    """A client that follows redirects and identifies itself; proxies come from the environment.

    It keeps no connection alive between requests, so each fetch sees (and can cut) its own.
    """
    import httpx

    return httpx.Client(
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=0),
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
    pace: Pace | None = None,
    cancel: Cancel | None = None,
) -> Fetched:
    """GET ``url`` completely, conditionally when ``etag``/``last_modified`` are given.

    With ``pace``, every attempt first waits its turn (:class:`Pace`); a turn that would come
    after the deadline fails at once.
    Raises :class:`FetchError` ("could not fetch URL: reason") on anything but a whole body or
    a 304 to a conditional request, at the latest when the deadline ``limits.total`` passes;
    :class:`FetchCancelled` once ``cancel`` is cancelled.
    """
    limits = limits or FetchLimits()
    cut = _Cut()
    timer = threading.Timer(limits.total, cut.cut, args=("deadline",))
    timer.daemon = True
    timer.start()
    try:
        with cancel._watching(cut) if cancel is not None else contextlib.nullcontext():
            return _fetch(url, etag, last_modified, params, limits, client, pace, cut)
    finally:
        timer.cancel()


def _fetch(
    url: str,
    etag: str | None,
    last_modified: str | None,
    params: Mapping[str, str] | None,
    limits: FetchLimits,
    client: httpx.Client | None,
    pace: Pace | None,
    cut: _Cut,
) -> Fetched:
    import httpx

    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + limits.total

    last_reason: str | None = None  # why the attempt before failed, when one did

    def too_late() -> FetchError:
        before = f"{last_reason}, and " if last_reason else ""
        return FetchError(
            f"could not fetch {url}: {before}no complete answer within the {limits.total:g} s "
            f"deadline (set it with {TIMEOUT_ENV} or [net] timeout in config.toml)"
        )

    def stopped() -> FetchError | None:
        """The error to give when the fetch was cut or its time is up."""
        if cut.reason == "cancelled":
            return FetchCancelled(f"fetching {url} was cancelled; nothing was changed")
        if cut.reason == "deadline" or time.monotonic() >= deadline:
            return too_late()
        return None

    with _client_for(client, limits) as http:
        for attempt in range(1, limits.attempts + 1):
            if pace is not None:
                delay = pace.delay()
                if time.monotonic() + delay >= deadline:
                    raise stopped() or too_late()
                cut.done.wait(delay)  # woken by a cancel (checked below)
                pace.sent()
            remaining = deadline - time.monotonic()
            if (error := stopped()) is not None:
                raise error
            timeout = httpx.Timeout(
                min(limits.read, remaining), connect=min(limits.connect, remaining)
            )
            try:
                return _attempt(http, url, headers, params, timeout, limits, cut.trace)
            except _Retry as exc:
                if (error := stopped()) is not None:
                    raise error from None
                last_reason = exc.reason
                delay = max(limits.backoff * 2 ** (attempt - 1), exc.retry_after or 0.0)
                if attempt == limits.attempts or time.monotonic() + delay >= deadline:
                    later = f" (retry after {exc.retry_after:.0f} s)" if exc.retry_after else ""
                    raise FetchError(f"could not fetch {url}: {exc.reason}{later}") from None
                cut.done.wait(delay)
            except httpx.InvalidURL as exc:
                raise FetchError(f"could not fetch {url}: not a valid URL ({exc})") from None
            except httpx.HTTPError as exc:
                if (error := stopped()) is not None:
                    raise error from None
                raise FetchError(f"could not fetch {url}: {_reason(exc, limits)}") from None
            except FetchError:
                if (error := stopped()) is not None:
                    raise error from None
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _attempt(
    http: httpx.Client,
    url: str,
    headers: Mapping[str, str],
    params: Mapping[str, str] | None,
    timeout: httpx.Timeout,
    limits: FetchLimits,
    trace: Callable[[str, dict[str, Any]], None],
) -> Fetched:
    import httpx

    try:
        with http.stream(
            "GET",
            url,
            headers=headers,
            params=params,
            timeout=timeout,
            extensions={"trace": trace},
        ) as response:
            status = response.status_code
            conditional = bool(headers)
            if status == 429 or status >= 500:
                raise _Retry(_status_text(response), _retry_after(response))
            if not (200 <= status < 300 or (status == 304 and conditional)):
                raise FetchStatusError(f"could not fetch {url}: {_status_text(response)}", status)
            content = b"" if status == 304 else _read_body(response, url, limits)
            return Fetched(
                url=str(response.url),
                status=status,
                content=content,
                etag=response.headers.get("ETag"),
                last_modified=_strong_last_modified(response.headers),
                content_type=response.headers.get("Content-Type"),
                fetched_at=dt.datetime.now(dt.UTC),
            )
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise _Retry(_reason(exc, limits)) from None


#: RFC 9110 8.8.2.2: a Last-Modified at least this long before the answer's Date is strong.
STRONG_AFTER = dt.timedelta(seconds=60)


def _strong_last_modified(headers: Mapping[str, str]) -> str | None:
    """The answer's Last-Modified, when it can be trusted as a validator: at least a minute
    older than the answer itself (RFC 9110 8.8.2.2). A file changed within the second it was
    fetched has the same one-second Last-Modified before and after the change, so a later
    If-Modified-Since with it would miss the change; such a source is fetched whole again."""
    from email.utils import parsedate_to_datetime

    modified, date = headers.get("Last-Modified"), headers.get("Date")
    if not modified or not date:
        return None
    try:
        strong = parsedate_to_datetime(date) - parsedate_to_datetime(modified) >= STRONG_AFTER
    except (TypeError, ValueError):
        return None
    return modified if strong else None


def _read_body(response: httpx.Response, url: str, limits: FetchLimits) -> bytes:
    """The decoded body, refused as soon as it is known to exceed the size limit."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchTooLarge(
            f"could not fetch {url}: the body is {int(declared)} bytes, "
            f"over the {limits.max_bytes}-byte limit"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchTooLarge(
                f"could not fetch {url}: the body is over the {limits.max_bytes}-byte limit"
            )
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
