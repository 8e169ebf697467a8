"""Exit codes as the README documents them, over every command: 0 done, 1 a failure, 2 a usage
error; every error one line on stderr naming what is wrong. One table, run in one process."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from paperdesk.cli import main

OK, FAIL, USAGE = 0, 1, 2

#: (arguments, exit code, words the one error line must hold); ``{tmp}`` is a temp folder.
CASES: list[tuple[list[str], int, str]] = [
    # every command, working
    (["list"], OK, ""),
    (["list", "--status", "queued", "--venue", "OSDI 2024", "--json"], OK, ""),
    (["list", "--venue", "osdi", "--limit", "3", "--fields", "id,title,authors"], OK, ""),
    (["show", "serverlessllm"], OK, ""),
    (["venues"], OK, ""),
    (["sources", "--json"], OK, ""),
    (["mark", "serverlessllm", "read"], OK, ""),
    (["mark", "--venue", "OSDI 2024", "--topic", "ML Scheduling", "queued", "--yes"], OK, ""),
    (["note", "serverlessllm", "--set", "a note"], OK, ""),
    (["note", "serverlessllm"], OK, ""),
    (["todo", "list"], OK, ""),
    (["todo", "add", "MyConf 2026", "--date", "2026-05-01"], OK, ""),
    (["todo", "done", "MyConf 2026"], OK, ""),
    (["doctor"], OK, ""),
    (["export", "-f", "csv"], OK, ""),
    (["export", "-f", "bibtex", "-o", "{tmp}/x.bib"], OK, ""),
    (["stats"], OK, ""),
    (["sync"], OK, ""),
    (["import", "{tmp}/list.md", "--as", "mine"], OK, ""),
    # usage errors: unknown words, bad values, missing arguments, ambiguity
    (["list", "--status", "banana"], USAGE, "unknown status 'banana'"),
    (["export", "--status", "banana"], USAGE, "unknown status 'banana'"),
    (["mark", "serverlessllm", "banana"], USAGE, "unknown status 'banana'"),
    (["mark", "netllm"], USAGE, "missing STATUS after the papers"),
    (["mark", "--venue", "OSDI 2024"], USAGE, "missing STATUS after the selection"),
    (["mark"], USAGE, "missing PAPER and STATUS"),
    (["mark", "read"], USAGE, "name at least one paper"),
    (["mark", "--all", "--venue", "OSDI 2024", "read"], USAGE, "--all takes no"),
    (["mark", "serverlessllm", "--venue", "OSDI 2024", "read"], USAGE, "either papers or"),
    (["mark", "serverlessllm", "read", "--bogus"], USAGE, "mark: unrecognized arguments: --bogus"),
    (["export", "-f", "pdf"], USAGE, "invalid choice: 'pdf'"),
    (["export", "-o", "{tmp}"], USAGE, "is a directory"),
    (["todo", "add", "X", "--date", "2025-13-01"], USAGE, "not a date like"),
    (["todo", "add", "  "], USAGE, "needs a name"),
    (["todo", "edit", "OSDI'25"], USAGE, "give --url, --date, --note or --rename"),
    (["todo"], USAGE, "todo: the following arguments are required: ACTION"),
    (["show"], USAGE, "show: the following arguments are required: PAPER"),
    (["show", "a"], USAGE, "matches"),
    (["note", "serverlessllm", "--set", "x", "--clear"], USAGE, "not allowed with"),
    (["import"], USAGE, "required: PATH"),
    (["import", "ftp://x/y.md"], USAGE, "only http(s) URLs"),
    (["import", "{tmp}/list.md", "--with-daily"], USAGE, "--with-daily needs a URL"),
    (["import", "{tmp}/list.md", "--as", "../x"], USAGE, "invalid source name"),
    (["enrich"], USAGE, "name at least one paper"),
    (["--catalog", "", "list"], USAGE, "--catalog needs a path"),
    (["stats", "--bogus"], USAGE, "stats: unrecognized arguments: --bogus"),
    (["--bogus"], USAGE, "unrecognized arguments: --bogus"),
    (["list", "--fields", "id,bogus"], USAGE, "unknown field 'bogus'"),
    (["list", "--limit", "0"], USAGE, "not a number of papers"),
    (["todo", "add", "OSDI'26"], OK, ""),
    (["todo", "done", "osdi"], USAGE, "'osdi' matches 2 TODO conferences: "),
    # failures: what is named does not exist, or cannot be read, written or fetched
    (["show", "no such paper at all"], FAIL, "no paper matches"),
    (["list", "--venue", "Nowhere 1999"], FAIL, "no venue 'Nowhere 1999'"),
    (["list", "--topic", "bogus"], FAIL, "no topic 'bogus'"),
    (["mark", "--source", "bogus", "read"], FAIL, "no source named 'bogus'"),
    (["import", "{tmp}/missing.md"], FAIL, "no such file"),
    (["export", "-o", "{tmp}/no/x.csv"], FAIL, "does not exist"),
    (["todo", "done", "nope"], FAIL, "no TODO conference"),
    (["todo", "add", "myconf 2026"], FAIL, "already exists"),
    (["sync", "bogus"], FAIL, "bogus"),
    (["enrich", "serverlessllm"], FAIL, "could not fetch"),
]


@pytest.fixture
def tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "list.md").write_text("# Mine\n\n## OSDI 2024\n\n* [ ] A Paper Of Mine\n")
    with socket.socket() as sock:  # a port nothing listens on: the fetch fails at once
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("PAPERDESK_ARXIV_API", f"http://127.0.0.1:{port}/api/query")
    monkeypatch.setenv("PAPERDESK_ARXIV_INTERVAL", "0")
    return folder


def exit_code(args: list[str]) -> int:
    try:
        return main(args)
    except SystemExit as exc:  # argparse's own errors end the parse
        assert isinstance(exc.code, int)
        return exc.code


def test_every_command_exits_as_documented(tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong = []
    for args, code, words in CASES:
        argv = [arg.replace("{tmp}", str(tmp)) for arg in args]
        got = exit_code(argv)
        err = capsys.readouterr().err
        lines = err.splitlines()
        if got != code:
            wrong.append(f"{argv}: exit {got}, want {code} ({err.strip()})")
        elif code == OK and err.strip():
            wrong.append(f"{argv}: exit 0 with an error: {err.strip()}")
        elif code != OK and (len(lines) != 1 or not lines[0].startswith("paperdesk: error: ")):
            wrong.append(f"{argv}: not one error line: {err!r}")
        elif words not in err:
            wrong.append(f"{argv}: {err.strip()!r} lacks {words!r}")
    assert not wrong, "\n".join(wrong)
