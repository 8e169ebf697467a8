"""HTTP fetching against real servers on 127.0.0.1: whole bodies or one clear FetchError, fast."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from paperdesk.errors import FetchError, InputError
from paperdesk.locations import Locations
from paperdesk.net.fetch import (
    Cancel,
    FetchCancelled,
    FetchLimits,
    configured_deadline,
    fetch,
    github_raw_url,
    is_url,
    resolve_link,
)

FAST = FetchLimits(connect=1.0, read=1.0, total=5.0, backoff=0.05)


@contextmanager
def raw_server(handle: Callable[[socket.socket], None]) -> Iterator[str]:
    """A TCP server that runs ``handle`` on each connection; yields its base URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    open_conns: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            open_conns.append(conn)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()
        for conn in open_conns:
            conn.close()


def read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_200_returns_the_whole_body_and_its_validators(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/list.md").respond_with_data(
        "# list\n", headers={"ETag": '"v1"', "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT"}
    )
    got = fetch(httpserver.url_for("/list.md"), limits=FAST)
    assert got.content == b"# list\n"
    assert (got.status, got.not_modified) == (200, False)
    assert got.etag == '"v1"'
    assert got.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert got.fetched_at.tzinfo is not None


def test_304_to_if_none_match(httpserver: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response("# changed\n", headers={"ETag": '"v2"'})

    httpserver.expect_request("/list.md").respond_with_handler(handler)
    url = httpserver.url_for("/list.md")
    assert fetch(url, etag='"v1"', limits=FAST).not_modified
    changed = fetch(url, etag='"v0"', limits=FAST)
    assert (changed.not_modified, changed.content, changed.etag) == (False, b"# changed\n", '"v2"')


def test_304_to_if_modified_since(httpserver: HTTPServer) -> None:
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"

    def handler(request: Request) -> Response:
        if request.headers.get("If-Modified-Since") == stamp:
            return Response(status=304)
        return Response("# list\n", headers={"Last-Modified": stamp})

    httpserver.expect_request("/list.md").respond_with_handler(handler)
    url = httpserver.url_for("/list.md")
    assert fetch(url, last_modified=stamp, limits=FAST).not_modified
    assert fetch(url, limits=FAST).content == b"# list\n"


def test_304_without_a_conditional_request_is_an_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/list.md").respond_with_data("", status=304)
    with pytest.raises(FetchError, match="HTTP 304"):
        fetch(httpserver.url_for("/list.md"), limits=FAST)


def test_404_is_one_line_and_not_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/missing.md").respond_with_data("nope", status=404)
    url = httpserver.url_for("/missing.md")
    with pytest.raises(FetchError) as caught:
        fetch(url, limits=FAST)
    assert str(caught.value) == f"could not fetch {url}: HTTP 404 NOT FOUND"
    assert len(httpserver.log) == 1


def test_500_then_200_is_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/list.md").respond_with_data("busy", status=500)
    httpserver.expect_ordered_request("/list.md").respond_with_data("# list\n")
    assert fetch(httpserver.url_for("/list.md"), limits=FAST).content == b"# list\n"
    assert len(httpserver.log) == 2


def test_persistent_503_gives_up_after_the_attempts(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/list.md").respond_with_data("down", status=503)
    with pytest.raises(FetchError, match=r"HTTP 503 SERVICE UNAVAILABLE$"):
        fetch(httpserver.url_for("/list.md"), limits=FAST)
    assert len(httpserver.log) == FAST.attempts


def test_429_waits_for_retry_after(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/q").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_ordered_request("/q").respond_with_data("ok")
    started = time.monotonic()
    assert fetch(httpserver.url_for("/q"), limits=FAST).content == b"ok"
    assert time.monotonic() - started >= 1.0


def test_retry_after_beyond_the_budget_gives_up_at_once(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/q").respond_with_data(
        "later", status=429, headers={"Retry-After": "3600"}
    )
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"HTTP 429 TOO MANY REQUESTS \(retry after 3600 s\)$"):
        fetch(httpserver.url_for("/q"), limits=FAST)
    assert time.monotonic() - started < 1.0
    assert len(httpserver.log) == 1


def test_redirects_are_followed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old.md").respond_with_data(
        "", status=301, headers={"Location": "/new.md"}
    )
    httpserver.expect_request("/new.md").respond_with_data("# moved\n")
    got = fetch(httpserver.url_for("/old.md"), limits=FAST)
    assert got.content == b"# moved\n"
    assert got.url.endswith("/new.md")


def test_redirect_loop_is_an_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    with pytest.raises(FetchError, match="redirects"):
        fetch(httpserver.url_for("/loop"), limits=FAST)


def test_refused_connection_fails_fast() -> None:
    url = f"http://127.0.0.1:{closed_port()}/list.md"
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(url, limits=FAST)
    assert str(caught.value) == f"could not fetch {url}: connection refused"
    assert time.monotonic() - started < 2.0


def test_refused_connection_with_default_limits_stays_well_under_20_s() -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="connection refused"):
        fetch(f"http://127.0.0.1:{closed_port()}/none.md")
    assert time.monotonic() - started < 5.0


def test_a_server_that_never_answers_times_out() -> None:
    hang = threading.Event()

    def silent(conn: socket.socket) -> None:
        read_request(conn)
        hang.wait(10)

    with raw_server(silent) as base:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"no answer within 0\.5 s \(read timeout\)"):
            fetch(f"{base}/list.md", limits=FetchLimits(connect=0.5, read=0.5, total=5.0))
        elapsed = time.monotonic() - started
        hang.set()
    assert elapsed < 2.0


def test_the_deadline_comes_from_the_environment_over_config_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locations = Locations(tmp_path)
    monkeypatch.delenv("PAPERDESK_NET_TIMEOUT", raising=False)
    assert configured_deadline(locations) is None
    assert FetchLimits().configured(locations).total == 30.0
    (tmp_path / "config.toml").write_text("[net]\ntimeout = 2\n")
    limits = FetchLimits().configured(locations)
    assert (limits.connect, limits.read, limits.total) == (2.0, 2.0, 2.0)
    monkeypatch.setenv("PAPERDESK_NET_TIMEOUT", "12")
    limits = FetchLimits().configured(locations)
    assert (limits.connect, limits.read, limits.total) == (5.0, 10.0, 12.0)
    assert configured_deadline(None) == 12.0
    for bad in ("soon", "0", "-3", "inf", "nan"):
        monkeypatch.setenv("PAPERDESK_NET_TIMEOUT", bad)
        with pytest.raises(InputError, match="PAPERDESK_NET_TIMEOUT must be a positive number"):
            FetchLimits().configured(locations)
    monkeypatch.delenv("PAPERDESK_NET_TIMEOUT")
    (tmp_path / "config.toml").write_text("[net]\ntimeout = -1\n")
    with pytest.raises(InputError, match=r"net\.timeout"):
        FetchLimits().configured(locations)


def trickle(header: bytes, *, interval: float = 0.1, count: int = 600) -> Callable[..., None]:
    """A server that sends ``header`` and then one byte every ``interval`` seconds: no single
    read ever waits long, so only a deadline for the whole fetch can end it."""

    def handle(conn: socket.socket) -> None:
        read_request(conn)
        with contextlib.suppress(OSError):
            conn.sendall(header)
            for _ in range(count):
                conn.sendall(b"X")
                time.sleep(interval)

    return handle


@pytest.mark.parametrize(
    "header",
    [
        b"HTTP/1.1 200 OK\r\n",  # the headers never end
        b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n",  # nor does the body
    ],
    ids=["headers", "body"],
)
def test_a_trickling_server_is_cut_off_at_the_deadline(header: bytes) -> None:
    with raw_server(trickle(header)) as base:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            fetch(f"{base}/list.md", limits=FetchLimits(connect=1.0, read=1.0, total=1.0))
        elapsed = time.monotonic() - started
    assert "no complete answer within the 1 s deadline" in str(caught.value)
    assert "PAPERDESK_NET_TIMEOUT" in str(caught.value)
    assert elapsed < 1.8


def test_a_fetch_is_cancelled_from_another_thread_at_once() -> None:
    cancel = Cancel()
    with raw_server(trickle(b"HTTP/1.1 200 OK\r\n")) as base:
        threading.Timer(0.3, cancel.cancel).start()
        started = time.monotonic()
        with pytest.raises(FetchCancelled, match="cancelled; nothing was changed"):
            fetch(f"{base}/list.md", limits=FetchLimits(total=20.0), cancel=cancel)
        elapsed = time.monotonic() - started
        assert elapsed < 1.0
        # a fetch started after the cancel fails before it connects
        with pytest.raises(FetchCancelled):
            fetch(f"{base}/list.md", cancel=cancel)


def test_a_cancel_during_the_backoff_stops_the_retries(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/list.md").respond_with_data("down", status=503)
    cancel = Cancel()
    threading.Timer(0.3, cancel.cancel).start()
    started = time.monotonic()
    with pytest.raises(FetchCancelled):
        fetch(
            httpserver.url_for("/list.md"),
            limits=FetchLimits(total=20.0, backoff=5.0),
            cancel=cancel,
        )
    assert time.monotonic() - started < 1.5
    assert len(httpserver.log) == 1


def test_a_truncated_body_is_an_error() -> None:
    def truncating(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n# only the start")
        conn.shutdown(socket.SHUT_WR)

    with raw_server(truncating) as base, pytest.raises(FetchError, match="truncated"):
        fetch(f"{base}/list.md", limits=FAST)


def test_a_declared_oversize_body_is_refused_before_reading(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big.md").respond_with_data("x" * 2000)
    with pytest.raises(FetchError, match="2000 bytes, over the 1000-byte limit"):
        fetch(httpserver.url_for("/big.md"), limits=FetchLimits(max_bytes=1000))


def test_an_undeclared_oversize_body_is_cut_off() -> None:
    def endless(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/markdown\r\n\r\n")
        with contextlib.suppress(OSError):  # the client hangs up once over the limit
            for _ in range(100):
                conn.sendall(b"* a paper title\n" * 1000)
            conn.shutdown(socket.SHUT_WR)

    with raw_server(endless) as base, pytest.raises(FetchError, match="over the 50000-byte limit"):
        fetch(f"{base}/list.md", limits=FetchLimits(max_bytes=50_000))


def test_not_a_url_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="could not fetch"):
        fetch("http://exa mple.com:99999/x", limits=FAST)


@pytest.mark.parametrize(
    ("given", "raw"),
    [
        ("https://github.com/o/r", "https://raw.githubusercontent.com/o/r/HEAD/README.md"),
        ("https://github.com/o/r/", "https://raw.githubusercontent.com/o/r/HEAD/README.md"),
        ("https://github.com/o/r.git", "https://raw.githubusercontent.com/o/r/HEAD/README.md"),
        (
            "https://www.github.com/o/r#readme",
            "https://raw.githubusercontent.com/o/r/HEAD/README.md",
        ),
        (
            "https://github.com/o/r/blob/main/x.md",
            "https://raw.githubusercontent.com/o/r/main/x.md",
        ),
        (
            "https://github.com/o/r/blob/main/docs/x.md?plain=1",
            "https://raw.githubusercontent.com/o/r/main/docs/x.md",
        ),
        ("https://github.com/o/r/raw/v1/x.md", "https://raw.githubusercontent.com/o/r/v1/x.md"),
        (
            "https://github.com/o/r/tree/dev/lists",
            "https://raw.githubusercontent.com/o/r/dev/lists/README.md",
        ),
        ("https://github.com/o", "https://github.com/o"),
        ("https://github.com/o/r/issues/3", "https://github.com/o/r/issues/3"),
        ("https://example.com/o/r/blob/main/x.md", "https://example.com/o/r/blob/main/x.md"),
        (
            "https://raw.githubusercontent.com/o/r/HEAD/README.md",
            "https://raw.githubusercontent.com/o/r/HEAD/README.md",
        ),
    ],
)
def test_github_raw_url(given: str, raw: str) -> None:
    assert github_raw_url(given) == raw


def test_resolve_link_against_the_list_url() -> None:
    base = "https://raw.githubusercontent.com/o/r/HEAD/README.md"
    assert (
        resolve_link(base, "daily-arxiv-llm.md")
        == "https://raw.githubusercontent.com/o/r/HEAD/daily-arxiv-llm.md"
    )
    assert resolve_link("http://127.0.0.1:8/a/list.md", "./d.md") == "http://127.0.0.1:8/a/d.md"
    assert (
        resolve_link(base, "https://github.com/o/r/blob/main/d.md")
        == "https://raw.githubusercontent.com/o/r/main/d.md"
    )


def test_is_url() -> None:
    assert is_url("https://x/y.md") and is_url("HTTP://x")
    assert not is_url("lists/x.md") and not is_url("ftp://x/y")
