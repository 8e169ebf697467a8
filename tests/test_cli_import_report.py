"""``import --report`` and ``--json`` say what was read; long relinking shows progress on a tty."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from paperdesk.catalog.importers import parse_text
from paperdesk.cli.reports import TerminalProgress
from paperdesk.workspace import Workspace

CLI = [sys.executable, "-m", "paperdesk"]
LIST = """\
## Serving
- [A Paper On Serving](https://arxiv.org/abs/2401.00001)
- [Another Paper](https://dl.acm.org/doi/10.1145/1.2)
- [paper](https://arxiv.org/abs/2401.00002)

See [this one](https://arxiv.org/abs/2401.00003) in passing.
"""


def run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PAPERDESK_HOME=str(home))
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=60)


def test_report_counts_papers_and_lists_the_lines_not_imported(
    tmp_path: Path, isolated_home: Path
) -> None:
    path = tmp_path / "list.md"
    path.write_text(LIST, encoding="utf-8")
    done = run("import", str(path), "--report", home=isolated_home)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"imported {path} as list: 2 papers")
    assert lines[1] == (
        "read 2 papers, 1 with an arXiv id; 2 lines looked like papers but were not imported"
    )
    assert lines[2:4] == [
        f"  {path}:4: bullet with links but no paper title",
        f"  {path}:6: a paragraph line that links to a paper; not read as a paper",
    ]
    plain = run("import", str(path), home=isolated_home)
    assert "looked like papers" not in plain.stdout  # only with --report


def test_json_carries_the_report_and_the_changes(tmp_path: Path, isolated_home: Path) -> None:
    path = tmp_path / "list.md"
    path.write_text(LIST, encoding="utf-8")
    done = run("import", str(path), "--json", home=isolated_home)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["report"] == {
        "papers": 2,
        "with_arxiv_id": 1,
        "not_imported": [
            {"line": 4, "reason": "bullet with links but no paper title"},
            {"line": 6, "reason": "a paragraph line that links to a paper; not read as a paper"},
        ],
    }
    assert result["changes"]["new"] == []  # a first import has no "before"
    assert [w["kind"] for w in result["warnings"]] == ["skipped", "skipped"]
    written = run(
        "import", str(path), "-o", str(tmp_path / "out.json"), "--json", home=isolated_home
    )
    assert json.loads(written.stdout)["written"] == str(tmp_path / "out.json")


class FakeTerminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_shows_only_on_a_terminal_and_only_when_slow() -> None:
    shown = FakeTerminal(tty=True)
    progress = TerminalProgress("relinking:", shown, delay=0)
    progress(256, 600)
    progress(600, 600)
    assert shown.getvalue() == "\rrelinking: 256/600\rrelinking: 600/600\n"
    piped = FakeTerminal(tty=False)
    TerminalProgress("relinking:", piped, delay=0)(600, 600)
    quick = FakeTerminal(tty=True)
    TerminalProgress("relinking:", quick, delay=60)(600, 600)
    assert piped.getvalue() == quick.getvalue() == ""


def test_install_tells_its_progress_while_relinking(isolated_home: Path) -> None:
    names = [hashlib.sha1(str(n).encode()).hexdigest()[:12] for n in range(300)]
    titles = [f"{name}: a study of serving systems" for name in names]
    first = parse_text("## Serving\n" + "".join(f"* {t}\n" for t in titles), "mine")
    ws = Workspace.open(home=isolated_home)
    ws.install(first)
    ws.store.set_status([p for p in ws.catalog.papers if p.source == "mine"], "queued")
    edited = parse_text("## Serving\n" + "".join(f"* {t}s\n" for t in titles), "mine")
    calls: list[tuple[int, int]] = []
    report = Workspace.open(home=isolated_home).install(
        edited, progress=lambda done, total: calls.append((done, total))
    )
    assert len(report.relinked) == 300
    assert calls == [(256, 300), (300, 300)]
