"""Shared fixtures: every test runs against its own empty home, never the user's."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from cli_run import Ran
from paperdesk.cli import main
from paperdesk.tui.app import PaperdeskApp, make_app
from tui_catalog import ServedList, write_catalog

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point PAPERDESK_HOME (and the XDG dirs) at a temp dir for every test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PAPERDESK_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return home


def shared_file(relative: str) -> Path:
    """A file of ../shared, or skip the test cleanly when it is not there."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture
def seed_path() -> Path:
    return shared_file("seed/awesome-papers.md")


@pytest.fixture
def upstream_path() -> Path:
    return shared_file("data/upstream-README.md")


@pytest.fixture
def daily_path() -> Path:
    return shared_file("data/daily-arxiv-llm.md")


@pytest.fixture
def trickling_server() -> Iterator[str]:
    """Answers ``HTTP/1.1 200 OK`` and then one header byte every 0.1 s, for a minute."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while not stop.wait(0.1):
                    conn.sendall(b"X")
            except OSError:
                pass

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=trickle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/list.md"
    stop.set()
    thread.join()
    listener.close()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Ran]:
    """Run the CLI in-process (``main(argv)``) with extra environment; fast, same code path."""

    def call(*args: str, **env: str) -> Ran:
        with monkeypatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            capsys.readouterr()
            code = main(list(args))
            out, err = capsys.readouterr()
        return Ran(code, out, err)

    return call


@pytest.fixture
def ok(cli: Callable[..., Ran]) -> Callable[..., Ran]:
    """:func:`cli` for a command that must succeed."""

    def call(*args: str, **env: str) -> Ran:
        result = cli(*args, **env)
        assert result.returncode == 0, result.stderr
        return result

    return call


@pytest.fixture
def catalog_path(tmp_path: Path) -> Path:
    """The hand-built main list as a ``--catalog`` file (see :mod:`tui_catalog`)."""
    return write_catalog(tmp_path / "desk.json")


@pytest.fixture
def app(isolated_home: Path, catalog_path: Path) -> PaperdeskApp:
    """A desk on :func:`catalog_path`, not yet running."""
    return make_app(home=isolated_home, catalog=catalog_path)


@pytest.fixture
def over_ssh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clipboard and browser go through the terminal, as over SSH: no desktop is touched."""
    monkeypatch.setenv("SSH_TTY", "/dev/pts/0")
    monkeypatch.delenv("BROWSER", raising=False)


@pytest.fixture
def served_list(httpserver: HTTPServer) -> Callable[..., ServedList]:
    """Serve an awesome list of these titles at ``/list.md`` and import it as the home's main
    list; set the returned list's ``titles`` and the next sync reads the new ones."""

    def serve(*titles: str) -> ServedList:
        served = ServedList(httpserver.url_for("/list.md"), titles)
        httpserver.expect_request("/list.md").respond_with_handler(
            lambda _request: Response(served.text, content_type="text/markdown")
        )
        assert main(["import", served.url, "--as", "awesome-papers"]) == 0
        return served

    return serve
