"""The installed ``paperdesk`` in a real terminal (tmux): what a user does every day.

A session fixture installs this checkout, non-editable, into a fresh venv: the wheel must ship
everything (``papers.json`` included). The venv sees the test environment's already-installed
dependencies through a ``.pth`` file, so no download is needed; only if ``hatchling`` is not
importable here does pip fetch it to build the wheel. Skipped cleanly without tmux.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 160, 45


@pytest.fixture(scope="session")
def paperdesk_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    venv = tmp_path_factory.mktemp("installed") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "_test_dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    command = [str(python), "-m", "pip", "install", "-q", "--no-deps", str(REPO)]
    if find_spec("hatchling") is not None:
        command.insert(-1, "--no-build-isolation")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"pip install of the checkout failed:\n{result.stderr[-2000:]}")
    return venv / "bin" / "paperdesk"


class Terminal:
    """One tmux session on a private server, driven key by key and read from the screen."""

    def __init__(self, socket: str, env: dict[str, str]) -> None:
        self.socket = socket
        self.env = env

    def tmux_result(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        )

    def tmux(self, *args: str) -> str:
        return self.tmux_result(*args).stdout

    def start(self, command: str, size: tuple[int, int] = (WIDTH, HEIGHT)) -> None:
        """Start ``command`` in a new session. Right after :meth:`stop` the server may still be
        going away and take the new session with it ("server exited unexpectedly"): try again."""
        exports = " ".join(f"{key}={value}" for key, value in self.env.items())
        deadline = time.monotonic() + 10
        while True:
            started = self.tmux_result(
                "new-session", "-d", "-s", "desk", "-x", str(size[0]), "-y", str(size[1]),
                # pytest exports COLUMNS/LINES, which would override the pane's real size
                f"env -u COLUMNS -u LINES {exports} {command}; echo EXITED $?; sleep 60",
            )  # fmt: skip
            if started.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"tmux did not start {command!r}: {started.stderr}")
            time.sleep(0.1)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "desk")

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen after {timeout} s:\n{self.screen()}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", "desk", *(["-l"] if literal else []), *keys)

    def quit(self) -> None:
        """q, and the desk ends with status 0 and no traceback on the screen."""
        self.keys("q")
        assert "Traceback" not in self.wait_for("EXITED 0")

    def stop(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def terminal(tmp_path: Path, isolated_home: Path) -> Iterator[Terminal]:
    env = {
        "PAPERDESK_HOME": str(isolated_home),
        "HOME": str(tmp_path / "user"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "TERM": "xterm-256color",
    }
    (tmp_path / "user").mkdir()
    term = Terminal(f"paperdesk-e2e-{os.getpid()}-{tmp_path.name}", env)
    yield term
    term.stop()


def run(paperdesk: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAPERDESK_HOME": str(home)}
    return subprocess.run(
        [str(paperdesk), *args], capture_output=True, text=True, env=env, check=False
    )


def test_search_mark_note_and_quit_in_a_real_terminal(
    paperdesk_bin: Path, terminal: Terminal, isolated_home: Path
) -> None:
    terminal.start(str(paperdesk_bin))
    screen = terminal.wait_for("OSDI 2024")
    assert "CacheGen" in screen
    # Each step waits for the screen to show the previous one took effect: keys typed ahead
    # of a focus change go to the widget that had the focus when they arrived.
    terminal.keys("/")
    terminal.wait_for("Keep filter")
    terminal.keys("serverlessllm", literal=True)
    terminal.wait_for("1 match")
    terminal.keys("Enter")
    terminal.wait_for("Details")
    terminal.keys("r")
    terminal.wait_for("✓  ServerlessLLM")  # status, then the note column
    terminal.keys("w")
    terminal.wait_for("Done")
    terminal.keys("first note from the desk", literal=True)
    terminal.wait_for("first note from the desk")
    terminal.keys("Escape")
    terminal.wait_for("Details")
    terminal.quit()

    shown = run(paperdesk_bin, isolated_home, "show", "serverlessllm", "--json")
    assert shown.returncode == 0, shown.stderr
    record = json.loads(shown.stdout)
    assert record["status"] == "read"
    assert record["note"] == "first note from the desk"


def test_user_text_is_shown_literally(
    paperdesk_bin: Path, terminal: Terminal, tmp_path: Path
) -> None:
    evil = tmp_path / "evil.md"
    evil.write_bytes(
        b"## [EvilConf 2030](https://example.org)\n"
        b"* [bold]Not bold[/bold] and [red]plain[/red] title\n"
        b"* Bell \x1b]0;pwned\x07 and escape title\n"
    )
    terminal.start(f"{paperdesk_bin} --catalog {evil}")
    terminal.wait_for("EvilConf")
    assert "[bold]Not bold[/bold]" in terminal.wait_for("[bold]Not bold")
    # The importer drops the ESC and BEL, so what is left is inert text, never a sequence.
    assert "Bell ]0;pwned and escape title" in terminal.wait_for("Bell ")
    assert terminal.tmux("display-message", "-p", "-t", "desk", "#{pane_title}") != "pwned\n"
    terminal.quit()


def test_errors_opening_the_desk_print_one_line(
    paperdesk_bin: Path, terminal: Terminal, tmp_path: Path
) -> None:
    terminal.start(f"{paperdesk_bin} --catalog {tmp_path / 'missing.md'}")
    screen = terminal.wait_for("EXITED 1")
    printed = [line for line in screen.split("EXITED 1")[0].splitlines() if line.strip()]
    assert len(printed) == 1, printed
    assert printed[0].startswith("paperdesk: error:") and "missing.md" in printed[0]


def test_the_desk_fits_80x24(paperdesk_bin: Path, terminal: Terminal) -> None:
    terminal.start(str(paperdesk_bin), size=(80, 24))
    screen = terminal.wait_for("OSDI 2024")
    assert "Traceback" not in screen
    assert max(len(line) for line in screen.splitlines()) <= 80
    terminal.quit()


def test_query_views_queue_and_the_outside_editor_in_a_real_terminal(
    paperdesk_bin: Path, terminal: Terminal, isolated_home: Path, tmp_path: Path
) -> None:
    """A saved view on 1 opens with its count; a bad query says where, under the search bar;
    + moves a queued paper; E hands the real terminal to $VISUAL and saves what it wrote."""
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "written in the editor" > "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    terminal.env["VISUAL"] = str(editor)
    for args in (
        ("view", "save", "Serving", "topic:serving year:2024"),
        ("mark", "cachegen", "queued"),
        ("mark", "llumnix", "queued"),
    ):
        assert run(paperdesk_bin, isolated_home, *args).returncode == 0
    count = len(
        json.loads(run(paperdesk_bin, isolated_home, "list", "--view", "Serving", "--json").stdout)
    )
    terminal.start(str(paperdesk_bin))
    terminal.wait_for(f"1 Serving  {count}")
    terminal.keys("1")
    terminal.wait_for(f"Serving · {count} papers")
    terminal.keys("/")
    terminal.wait_for("Keep filter")
    terminal.keys("year:>>2", literal=True)
    screen = terminal.wait_for("^ year:")
    assert "Traceback" not in screen
    terminal.keys("Escape")
    terminal.wait_for(f"Serving · {count} papers")
    terminal.keys("/")
    terminal.wait_for("Keep filter")
    terminal.keys("llumnix", literal=True)
    terminal.wait_for("1 match")
    terminal.keys("Enter")
    terminal.wait_for("Details")
    terminal.keys("+")
    terminal.wait_for("now 1 of 2")
    terminal.keys("E")
    terminal.wait_for("Note saved")
    terminal.quit()
    queue = json.loads(run(paperdesk_bin, isolated_home, "queue", "--json").stdout)
    assert [p["id"].split("-")[0] for p in queue] == ["llumnix", "cachegen"]
    assert queue[0]["note"] == "written in the editor"


def paper_box_first_line(screen: str) -> str:
    """The first line of text inside the box titled "Paper"."""
    lines = screen.splitlines()
    for index, line in enumerate(lines):
        col = line.find("─ Paper ")
        if col >= 0 and index + 1 < len(lines):
            parts = [part.strip() for part in lines[index + 1][max(col - 2, 0) :].split("│")]
            return next((part for part in parts if part), "")
    return ""


def test_a_first_day_at_80x24_in_a_real_terminal(
    paperdesk_bin: Path, terminal: Terminal, isolated_home: Path
) -> None:
    terminal.start(str(paperdesk_bin), size=(80, 24))
    screen = terminal.wait_for("OSDI 2024")
    footer = screen.splitlines()[-1]
    assert footer.lstrip().startswith("? Help  q Quit"), footer
    for _ in range(6):  # every pane twice over: never into the note
        terminal.keys("Tab")
        time.sleep(0.2)
    terminal.keys("j", "k")  # six tabs: back on the papers
    time.sleep(0.3)
    for _ in range(4):
        terminal.keys("j")
        time.sleep(0.15)
    time.sleep(0.5)
    left_on = paper_box_first_line(terminal.screen())
    assert left_on
    terminal.quit()
    listed = run(paperdesk_bin, isolated_home, "list", "--json")
    assert not [p["id"] for p in json.loads(listed.stdout) if p["note"]]
    terminal.stop()
    terminal.start(str(paperdesk_bin), size=(80, 24))
    terminal.wait_for("OSDI 2024")
    time.sleep(0.5)
    assert paper_box_first_line(terminal.screen()) == left_on
    terminal.quit()


def wait_for_paper(terminal: Terminal, title: str, timeout: float = 10.0) -> None:
    """Wait until the Paper pane shows ``title`` (the paper under the list's cursor)."""
    deadline = time.monotonic() + timeout
    while paper_box_first_line(terminal.screen()) != title:
        if time.monotonic() > deadline:
            raise AssertionError(f"{title!r} not in the Paper pane:\n{terminal.screen()}")
        time.sleep(0.1)


def test_next_unread_marks_a_topic_undo_and_a_view_in_a_real_terminal(
    paperdesk_bin: Path, terminal: Terminal, isolated_home: Path, tmp_path: Path
) -> None:
    """n walks the unread papers across venues; A on a topic marks it after asking, z takes
    it back in one step; the saved view on 1 opens with its count."""
    listed = tmp_path / "list.md"
    listed.write_text(
        "# e2e\n\n## [AlphaConf 2030](https://alpha.example)\n\n### Serving\n"
        "* Alpha Quokka\n* Alpha Rhino\n\n### Training\n* Alpha Tiger\n\n"
        "## [BetaConf 2030](https://beta.example)\n\n### Storage\n* Beta Walrus\n* Beta Yak\n",
        encoding="utf-8",
    )
    for args in (("mark", "rhino", "read"), ("view", "save", "Mine", "venue:alphaconf")):
        done = run(paperdesk_bin, isolated_home, "--catalog", str(listed), *args)
        assert done.returncode == 0, done.stderr
    terminal.start(f"{paperdesk_bin} --catalog {listed}")
    terminal.wait_for("1 Mine  3")
    terminal.keys("BTab")  # to the Library, then down to the first venue
    for _ in range(20):
        if "AlphaConf 2030 · 3 papers" in terminal.screen():
            break
        terminal.keys("j")
        time.sleep(0.2)
    terminal.wait_for("AlphaConf 2030 · 3 papers")
    terminal.keys("Enter")
    wait_for_paper(terminal, "Alpha Quokka")
    terminal.keys("]")  # Rhino is read: passed over
    wait_for_paper(terminal, "Alpha Tiger")
    terminal.keys("]")  # past the end of the venue: into the next one
    terminal.wait_for("BetaConf 2030 · 2 papers")
    wait_for_paper(terminal, "Beta Walrus")
    terminal.keys("BTab", "l")  # the Library's cursor came along: open the venue's topics
    terminal.wait_for("Storage")
    terminal.keys("j")
    terminal.wait_for("BetaConf 2030 · Storage · 2 papers")
    terminal.keys("Enter")
    time.sleep(0.3)
    terminal.keys("A")
    terminal.wait_for("as…")
    terminal.keys("x")
    terminal.wait_for("skipped?")
    terminal.keys("y")
    terminal.wait_for("Marked 2 papers skipped")

    def statuses() -> list[str]:
        out = run(paperdesk_bin, isolated_home, "--catalog", str(listed), "list", "--json")
        return [p["status"] for p in json.loads(out.stdout) if p["title"].startswith("Beta")]

    deadline = time.monotonic() + 10
    while statuses() != ["skipped", "skipped"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert statuses() == ["skipped", "skipped"]
    terminal.keys("z")
    terminal.wait_for("Undone")
    terminal.keys("1")
    terminal.wait_for("Mine · 3 papers")
    terminal.quit()
    assert statuses() == ["unread", "unread"]
