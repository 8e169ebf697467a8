"""Import from a URL and sync, against real HTTP servers on 127.0.0.1, run as a user runs them.

Every failure must end with one line and leave the home (sources, store, caches) byte-identical.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from cli_run import Ran
from paperdesk.catalog.cache import CACHE_FILE, current_stamps, load_sources, read_cache
from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.merged import Catalog
from paperdesk.errors import FetchError, NotFoundError, UsageError
from paperdesk.locations import Locations
from paperdesk.net.sync import (
    cached_text,
    daily_source_name,
    fetch_list,
    sync_sources,
)
from paperdesk.state.inbox import new_papers

SERVERLESS = "ServerlessLLM: Locality-Enhanced Serverless Inference for Large Language Models"

SMALL = """# small list

## [OSDI 2024](https://www.usenix.org/conference/osdi24)

### LLM Serving
* Llumnix: Dynamic Scheduling for Large Language Model Serving
* ServerlessLLM: Locality-Enhanced Serverless Inference for Large Language Models
* Parrot: Efficient Serving of LLM-based Applications with Semantic Variable
"""


class Upstream:
    """A loopback web server whose files the test edits; answers conditional requests."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.files: dict[str, bytes] = {}
        self.validators = "etag"  # or "last-modified" or "none"
        self.statuses: dict[str, int] = {}
        self.version: dict[str, int] = {}
        server.expect_request(re.compile("/.*")).respond_with_handler(self.handle)

    def put(self, name: str, text: str | bytes, status: int = 200) -> str:
        self.files[name] = text.encode() if isinstance(text, str) else text
        self.statuses[name] = status
        self.version[name] = self.version.get(name, 0) + 1
        return self.url(name)

    def url(self, name: str) -> str:
        return self.server.url_for(f"/{name}")

    def handle(self, request: Request) -> Response:
        name = request.path.lstrip("/")
        if name not in self.files:
            return Response("not found", status=404)
        etag = f'"{name}-{self.version[name]}"'
        stamp = f"Wed, 21 Oct 2015 07:{self.version[name]:02d}:00 GMT"
        headers = {}
        if self.validators == "etag":
            headers["ETag"] = etag
            if request.headers.get("If-None-Match") == etag:
                return Response(status=304, headers=headers)
        if self.validators == "last-modified":
            headers["Last-Modified"] = stamp
            if request.headers.get("If-Modified-Since") == stamp:
                return Response(status=304, headers=headers)
        status = self.statuses[name]
        if status != 200:
            return Response(self.files[name], status=status)
        return Response(self.files[name], headers=headers, content_type="text/markdown")


@pytest.fixture
def upstream(httpserver: HTTPServer) -> Upstream:
    return Upstream(httpserver)


def snapshot(home: Path) -> dict[str, bytes]:
    """Every file of the home, by relative path, with its bytes."""
    return {
        str(path.relative_to(home)): path.read_bytes()
        for path in sorted(home.rglob("*"))
        if path.is_file()
    }


def assert_one_line_failure(result: Ran | subprocess.CompletedProcess[str], url: str) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"paperdesk: error: could not fetch {url}: "), lines[0]
    return lines[0]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def settled_home(isolated_home: Path, upstream: Upstream, ok: Callable[..., Ran]) -> Path:
    """A home with state on a paper and the small list imported from a URL."""
    ok("mark", "serverlessllm", "read")
    ok("note", "serverlessllm", "--set", "kept over sync")
    ok("import", upstream.put("list.md", SMALL), "--as", "awesome-papers")
    return isolated_home


# --- fetch_list ----------------------------------------------------------------------------


def test_fetch_list_parses_and_records_the_origin(upstream: Upstream) -> None:
    url = upstream.put("list.md", SMALL)
    fetched = fetch_list(url, "small")
    assert fetched is not None
    assert fetched.text == SMALL
    assert {p.title for p in fetched.catalog.papers} >= {SERVERLESS}
    origin = fetched.catalog.origin
    assert origin is not None and origin.location == url
    assert origin.etag == '"list.md-1"' and origin.fetched_at is not None
    assert fetch_list(url, "small", previous=origin) is None  # 304


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file"),
        ("# caf\u00e9\n* Paper\n".encode("latin-1"), "is not UTF-8 text"),
        (b"<!DOCTYPE html><html><body>GitHub</body></html>", "is an HTML page"),
        (b"just some words, no list at all\n", "no papers found"),
        (b'{"schema_version": 1}', "not a paperdesk catalog"),
        (b"   \n", "is empty"),
    ],
)
def test_fetch_list_refuses_what_is_not_a_list(
    upstream: Upstream, body: bytes, reason: str
) -> None:
    url = upstream.put("list.md", body)
    with pytest.raises(FetchError, match=reason) as caught:
        fetch_list(url, "x")
    assert str(caught.value).startswith(f"could not fetch {url}: ")


def test_daily_source_name() -> None:
    assert daily_source_name("daily-arxiv-llm.md") == "daily-arxiv-llm"
    assert daily_source_name("../../etc/passwd.md") == "passwd"
    assert daily_source_name("https://x.org/feeds/today.md?x=1") == "today"
    assert daily_source_name("..") == "daily"
    assert daily_source_name("") == "daily"


# --- import URL ----------------------------------------------------------------------------


def test_import_url_keeps_state_origin_and_raw_text(
    settled_home: Path, upstream: Upstream, ok: Callable[..., Ran]
) -> None:
    shown = json.loads(ok("show", "serverlessllm", "--json").stdout)
    assert (shown["status"], shown["note"]) == ("read", "kept over sync")
    [source] = [s for s in json.loads(ok("sources", "--json").stdout) if s["origin"]]
    assert source["name"] == "awesome-papers"
    assert source["origin"] == upstream.url("list.md")
    assert source["fetched_at"]
    assert cached_text(Locations.resolve(settled_home), "awesome-papers") == SMALL


def test_import_github_url_is_named_after_the_file(
    upstream: Upstream, ok: Callable[..., Ran]
) -> None:
    result = ok("import", upstream.put("reading-list.md", SMALL))
    assert "as reading-list:" in result.stdout


# --- sync ----------------------------------------------------------------------------------


@pytest.mark.parametrize("validators", ["etag", "last-modified"])
def test_sync_unchanged_is_a_304_and_touches_nothing(
    isolated_home: Path, upstream: Upstream, validators: str, ok: Callable[..., Ran]
) -> None:
    upstream.validators = validators
    ok("import", upstream.put("list.md", SMALL), "--as", "small")
    before = snapshot(isolated_home)
    requests = len(upstream.server.log)
    result = ok("sync")
    assert "small: unchanged" in result.stdout
    assert snapshot(isolated_home) == before
    request, response = upstream.server.log[requests]
    assert response.status_code == 304
    header = "If-None-Match" if validators == "etag" else "If-Modified-Since"
    assert request.headers.get(header)


def test_sync_without_validators_refetches(
    isolated_home: Path, upstream: Upstream, ok: Callable[..., Ran]
) -> None:
    upstream.validators = "none"
    ok("import", upstream.put("list.md", SMALL), "--as", "small")
    result = ok("sync")
    assert "small: 3 papers" in result.stdout


def test_sync_reports_changes_and_keeps_state(
    settled_home: Path, upstream: Upstream, ok: Callable[..., Ran]
) -> None:
    edited = (
        SMALL.replace("Large Language Models\n", "Large Language Model\n").replace(  # relinked
            "* Parrot: Efficient Serving of LLM-based Applications with Semantic Variable\n", ""
        )
        + "\n## [MLSys 2026](https://mlsys.org)\n\n* A Brand New Paper About Sync Testing\n"
    )
    upstream.put("list.md", edited)
    result = ok("sync")
    out = result.stdout
    assert "new: A Brand New Paper About Sync Testing" in out
    assert "removed (state kept as orphan): " not in out  # Parrot had no state
    assert "relinked: " in out and "Large Language Model'" in out
    assert "new venue: MLSys 2026" in out
    shown = json.loads(ok("show", "serverlessllm", "--json").stdout)
    assert (shown["status"], shown["note"]) == ("read", "kept over sync")
    store = Locations.resolve(settled_home).store
    new = new_papers(store)
    assert new == {paper_id("A Brand New Paper About Sync Testing")}
    assert "1 new paper in the inbox" in out
    assert cached_text(Locations.resolve(settled_home), "awesome-papers") == edited
    # an unchanged sync, then one that brings another paper: the first is still new
    assert "unchanged" in ok("sync").stdout
    upstream.put("list.md", edited + "* Another Paper From The Second Sync\n")
    ok("sync")
    assert new_papers(store) == new | {paper_id("Another Paper From The Second Sync")}


def test_sync_keeps_going_when_one_source_fails(
    isolated_home: Path, upstream: Upstream, ok: Callable[..., Ran], cli: Callable[..., Ran]
) -> None:
    ok("import", upstream.put("a.md", SMALL), "--as", "first")
    other = SMALL.replace("OSDI 2024", "SOSP 2024")
    ok("import", upstream.put("b.md", other), "--as", "second")
    del upstream.files["a.md"]
    upstream.put("b.md", other + "* One More Paper Appended Upstream\n")
    result = cli("sync")
    assert result.returncode == 1
    assert "second: " in result.stdout and "new: One More Paper Appended Upstream" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("paperdesk: error")]
    assert errors == [
        f"paperdesk: error: could not fetch {upstream.url('a.md')}: HTTP 404 NOT FOUND"
    ]
    assert "Traceback" not in result.stderr
    assert_cache_is_fresh(isolated_home)


def assert_cache_is_fresh(home: Path) -> None:
    """The next reader of the home gets its catalog from the cache, equal to the sources."""
    locations = Locations.resolve(home)
    cached = read_cache(locations.cache_dir / CACHE_FILE, current_stamps(locations))
    built = Catalog.from_files(source.file for source in load_sources(locations))
    assert list(cached.papers) == list(built.papers)
    assert cached.sources == built.sources and cached.venues == built.venues


def test_a_sync_of_several_sources_leaves_the_cache_fresh(
    isolated_home: Path, upstream: Upstream, ok: Callable[..., Ran]
) -> None:
    ok("import", upstream.put("a.md", SMALL), "--as", "first")
    other = SMALL.replace("OSDI 2024", "SOSP 2024")
    ok("import", upstream.put("b.md", other), "--as", "second")
    upstream.put("a.md", SMALL + "* A Paper New In The First\n")
    upstream.put("b.md", other + "* A Paper New In The Second\n")
    ok("sync")
    assert_cache_is_fresh(isolated_home)
    titles = {paper["title"] for paper in json.loads(ok("list", "--json").stdout)}
    assert {"A Paper New In The First", "A Paper New In The Second"} <= titles


def test_sync_names_are_checked_before_fetching(
    isolated_home: Path, tmp_path: Path, ok: Callable[..., Ran]
) -> None:
    from paperdesk.workspace import Workspace

    listing = tmp_path / "local.md"
    listing.write_text(SMALL, encoding="utf-8")
    ok("import", str(listing))
    ws = Workspace.open()
    with pytest.raises(NotFoundError, match="no source named 'nope'"):
        sync_sources(ws, ["nope"])
    with pytest.raises(UsageError, match="not imported from a URL"):
        sync_sources(ws, ["local"])
    assert sync_sources(ws) == []
    assert "no source was imported from a URL" in ok("sync").stdout


def test_sync_sources_reports_progress(
    isolated_home: Path, upstream: Upstream, ok: Callable[..., Ran]
) -> None:
    from paperdesk.workspace import Workspace

    ok("import", upstream.put("list.md", SMALL), "--as", "small")
    upstream.put("list.md", SMALL + "* Yet Another Paper For Progress\n")
    messages: list[str] = []
    ws = Workspace.open()
    [result] = sync_sources(ws, progress=messages.append)
    assert result.name == "small" and result.report is not None and not result.error
    assert messages[0] == f"fetching small from {upstream.url('list.md')}"
    assert messages[-1] == "small: 1 new, 0 orphaned"
    assert any(p.title == "Yet Another Paper For Progress" for p in ws.catalog.papers)


# --- --with-daily --------------------------------------------------------------------------


def test_import_with_daily(
    isolated_home: Path,
    upstream: Upstream,
    upstream_path: Path,
    daily_path: Path,
    ok: Callable[..., Ran],
) -> None:
    upstream.put("lists/daily-arxiv-llm.md", daily_path.read_bytes())
    listing = upstream.put("lists/README.md", upstream_path.read_bytes())
    result = ok("import", listing, "--as", "main", "--with-daily")
    assert (
        f"imported {upstream.url('lists/daily-arxiv-llm.md')} as daily-arxiv-llm" in result.stdout
    )
    sources = {s["name"]: s for s in json.loads(ok("sources", "--json").stdout)}
    assert sources["daily-arxiv-llm"]["kind"] == "daily"
    assert sources["daily-arxiv-llm"]["origin"] == upstream.url("lists/daily-arxiv-llm.md")
    assert "daily-arxiv-llm: unchanged" in ok("sync").stdout


def test_with_daily_without_a_link_says_so(
    isolated_home: Path, upstream: Upstream, ok: Callable[..., Ran], cli: Callable[..., Ran]
) -> None:
    result = cli("import", upstream.put("list.md", SMALL), "--with-daily")
    assert result.returncode == 1
    assert result.stderr.strip().endswith("links no daily feed; imported the list only")
    assert any(s["name"] == "list" for s in json.loads(ok("sources", "--json").stdout))


def test_with_daily_needs_a_url(tmp_path: Path, cli: Callable[..., Ran]) -> None:
    listing = tmp_path / "local.md"
    listing.write_text(SMALL, encoding="utf-8")
    result = cli("import", str(listing), "--with-daily")
    assert result.returncode == 2 and "--with-daily needs a URL" in result.stderr


# --- failure isolation ---------------------------------------------------------------------


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/list.md"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


@pytest.fixture
def truncating_server() -> Iterator[str]:
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + SMALL.encode())

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/list.md"
    listener.close()


FAILURES = {
    "refused": "connection refused",
    "404": "HTTP 404 NOT FOUND",
    "500": "HTTP 500 INTERNAL SERVER ERROR",
    "timeout": "no complete answer within the 0.5 s deadline",
    "truncated": "truncated",
    "oversize": "over the 33554432-byte limit",
    "binary": "is a binary file",
    "unparsable": "no papers found",
}


@pytest.fixture
def failing(
    request: pytest.FixtureRequest,
    upstream: Upstream,
    silent_server: str,
    truncating_server: str,
) -> tuple[str, str]:
    """(URL, expected reason) of one way for a fetch to fail."""
    kind: str = request.param
    if kind == "refused":
        url = f"http://127.0.0.1:{closed_port()}/list.md"
    elif kind == "timeout":
        url = silent_server
    elif kind == "truncated":
        url = truncating_server
    else:
        body, status = {
            "404": ("gone", 404),
            "500": ("boom", 500),
            "oversize": (b"*" * (32 * 1024 * 1024 + 1), 200),
            "binary": (b"\x00\x01\x02" * 100, 200),
            "unparsable": ("Nothing here resembles a paper list.\n", 200),
        }[kind]
        url = upstream.put("bad.md", body, status)
    return url, FAILURES[kind]


@pytest.mark.parametrize("failing", list(FAILURES), indirect=True)
def test_a_failed_import_changes_nothing(
    settled_home: Path, failing: tuple[str, str], ok: Callable[..., Ran], cli: Callable[..., Ran]
) -> None:
    url, reason = failing
    before = snapshot(settled_home)
    listed = ok("list", "--json").stdout
    started = time.monotonic()
    result = cli("import", url, "--as", "awesome-papers", PAPERDESK_NET_TIMEOUT="0.5")
    elapsed = time.monotonic() - started
    line = assert_one_line_failure(result, url)
    assert reason in line
    assert elapsed < 10
    assert snapshot(settled_home) == before
    assert ok("list", "--json").stdout == listed


@pytest.mark.parametrize("failing", ["refused", "404", "timeout", "unparsable"], indirect=True)
def test_a_failed_sync_changes_nothing(
    isolated_home: Path,
    upstream: Upstream,
    failing: tuple[str, str],
    ok: Callable[..., Ran],
    cli: Callable[..., Ran],
) -> None:
    from paperdesk.atomic import atomic_write_bytes
    from paperdesk.catalog.models import Origin
    from paperdesk.catalog.sources import load_source_file

    url, reason = failing
    ok("import", upstream.put("list.md", SMALL), "--as", "small")
    # point the source's origin at the failing server, as if upstream broke
    path = isolated_home / "sources" / "small.json"
    moved = load_source_file(path).model_copy(update={"origin": Origin(location=url, etag='"1"')})
    atomic_write_bytes(path, moved.model_dump_json(exclude_none=True).encode())
    before = snapshot(isolated_home)
    result = cli("sync", PAPERDESK_NET_TIMEOUT="0.5")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("paperdesk: error")]
    assert len(errors) == 1
    assert (
        errors[0].startswith(f"paperdesk: error: could not fetch {url}: ") and reason in errors[0]
    )
    assert snapshot(isolated_home) == before


def test_refused_and_404_fail_fast_with_default_timeouts(httpserver: HTTPServer) -> None:
    """As the acceptance check runs it: the installed command, default timeouts."""
    httpserver.expect_request("/missing.md").respond_with_data("gone", status=404)
    for url in (f"http://127.0.0.1:{closed_port()}/none.md", httpserver.url_for("/missing.md")):
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "paperdesk", "import", url, "--as", "awesome-papers"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert_one_line_failure(result, url)
        assert time.monotonic() - started < 8


# --- the deadline of one fetch, and cancelling ---------------------------------------------


def test_config_toml_sets_the_deadline_of_import_and_sync(
    settled_home: Path, trickling_server: str, cli: Callable[..., Ran]
) -> None:
    from paperdesk.atomic import atomic_write_bytes
    from paperdesk.catalog.models import Origin
    from paperdesk.catalog.sources import load_source_file

    (settled_home / "config.toml").write_text("[net]\ntimeout = 1\n", encoding="utf-8")
    before = snapshot(settled_home)
    started = time.monotonic()
    result = cli("import", trickling_server, "--as", "awesome-papers")
    assert time.monotonic() - started < 3
    line = assert_one_line_failure(result, trickling_server)
    assert line.endswith(
        "no complete answer within the 1 s deadline "
        "(set it with PAPERDESK_NET_TIMEOUT or [net] timeout in config.toml)"
    )
    assert snapshot(settled_home) == before

    path = settled_home / "sources" / "awesome-papers.json"
    moved = load_source_file(path).model_copy(update={"origin": Origin(location=trickling_server)})
    atomic_write_bytes(path, moved.model_dump_json(exclude_none=True).encode())
    before = snapshot(settled_home)
    started = time.monotonic()
    result = cli("sync", PAPERDESK_NET_TIMEOUT="0.5")  # the environment wins over the file
    assert time.monotonic() - started < 2.5
    assert "within the 0.5 s deadline" in result.stderr and result.returncode == 1
    assert snapshot(settled_home) == before


def test_a_cancelled_sync_changes_nothing(
    isolated_home: Path,
    upstream: Upstream,
    trickling_server: str,
    ok: Callable[..., Ran],
) -> None:
    """One source fetched with changes, the next one cancelled while it trickles: nothing of
    either is installed, nor is anything cached."""
    from paperdesk.atomic import atomic_write_bytes
    from paperdesk.catalog.models import Origin
    from paperdesk.catalog.sources import load_source_file
    from paperdesk.net.fetch import Cancel, FetchCancelled
    from paperdesk.workspace import Workspace

    ok("import", upstream.put("a.md", SMALL), "--as", "a")
    ok("import", upstream.put("b.md", SMALL), "--as", "b")
    upstream.put("a.md", SMALL + "* A Paper The Cancelled Sync Must Not Bring\n")
    path = isolated_home / "sources" / "b.json"
    moved = load_source_file(path).model_copy(update={"origin": Origin(location=trickling_server)})
    atomic_write_bytes(path, moved.model_dump_json(exclude_none=True).encode())
    before = snapshot(isolated_home)
    cancel = Cancel()
    messages: list[str] = []

    def progress(message: str) -> None:
        messages.append(message)
        if message.startswith("fetching b "):
            threading.Timer(0.3, cancel.cancel).start()

    started = time.monotonic()
    with pytest.raises(FetchCancelled):
        sync_sources(Workspace.open(), progress=progress, cancel=cancel)
    assert time.monotonic() - started < 5
    assert messages[:2] == [
        f"fetching a from {upstream.url('a.md')}",
        "fetching b from " + trickling_server,
    ]
    assert snapshot(isolated_home) == before


def test_a_list_changed_within_the_second_it_was_fetched_is_seen_by_the_next_sync(
    httpserver: HTTPServer, ok: Callable[..., Ran]
) -> None:
    """A server like ``python -m http.server``: Last-Modified is the file's mtime to the
    second, and If-Modified-Since at or after it is a 304. A change made in the same second as
    the last fetch keeps that Last-Modified, so only an unconditional fetch sees it."""
    from email.utils import formatdate, parsedate_to_datetime

    served = {"text": SMALL, "mtime": time.time()}

    def handle(request: Request) -> Response:
        modified = int(served["mtime"])
        since = request.headers.get("If-Modified-Since")
        if since and parsedate_to_datetime(since).timestamp() >= modified:
            return Response(status=304)
        headers = {
            "Last-Modified": formatdate(modified, usegmt=True),
            "Date": formatdate(usegmt=True),
        }
        return Response(served["text"], headers=headers, content_type="text/markdown")

    httpserver.expect_request("/list.md").respond_with_handler(handle)
    ok("import", httpserver.url_for("/list.md"), "--as", "small")
    served["text"] = SMALL + "* Changed In The Same Second: A Paper\n"  # mtime: same second
    assert "new: Changed In The Same Second: A Paper" in ok("sync").stdout
