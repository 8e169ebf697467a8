"""Steps from the command line: bulk marks that ask, --dry-run, undo and history."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from paperdesk.cli import main


def run(*args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperdesk", *args],
        capture_output=True,
        text=True,
        stdin=stdin,
        timeout=60,
    )


def statuses(*list_args: str) -> dict[str, str]:
    result = run("list", "--json", *list_args)
    assert result.returncode == 0, result.stderr
    return {paper["title"]: paper["status"] for paper in json.loads(result.stdout)}


def test_a_bulk_mark_without_a_terminal_needs_yes_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["mark", "smart-infinity", "reading"]) == 0
    before = statuses("--venue", "HPCA 2024")
    refused = run("mark", "--venue", "HPCA 2024", "read")
    assert refused.returncode == 2 and len(refused.stderr.splitlines()) == 1
    assert "--yes" in refused.stderr and f"mark {len(before)} papers read" in refused.stderr
    assert statuses("--venue", "HPCA 2024") == before
    dry = run("mark", "--venue", "HPCA 2024", "read", "--dry-run")
    assert dry.returncode == 0 and f"would mark {len(before)} of {len(before)}" in dry.stdout
    assert "reading  -> read" in dry.stdout and statuses("--venue", "HPCA 2024") == before
    assert run("mark", "--venue", "HPCA 2024", "read", "--yes").returncode == 0
    assert set(statuses("--venue", "HPCA 2024").values()) == {"read"}
    undone = run("undo")
    assert undone.returncode == 0 and "undid read:" in undone.stdout, undone.stderr
    assert statuses("--venue", "HPCA 2024") == before  # the reading paper is reading again


def test_more_than_twenty_named_papers_ask_too() -> None:
    ids = [paper["id"] for paper in json.loads(run("list", "--json").stdout)[:21]]
    assert run("mark", *ids[:20], "queued").returncode == 0  # 20: no question
    refused = run("mark", *ids, "read")
    assert refused.returncode == 2 and "21 papers read" in refused.stderr


def test_on_a_terminal_a_bulk_mark_asks_and_takes_no_for_an_answer(tmp_path: Path) -> None:
    for answer, code, status in ((b"n\n", 1, "unread"), (b"y\n", 0, "read")):
        leader, follower = pty.openpty()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "paperdesk", "mark", "--venue", "HPCA 2024", "read"],
                stdin=follower,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            os.write(leader, answer)
            _, err = process.communicate(timeout=60)
        finally:
            os.close(leader)
            os.close(follower)
        assert process.returncode == code, err
        assert b"would change (now " in err and b"[y/N]" in err
        assert set(statuses("--venue", "HPCA 2024").values()) == {status}


def test_undo_reverts_notes_too_and_history_lists_the_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["note", "serverlessllm", "--set", "first"]) == 0
    assert main(["note", "serverlessllm", "--append", "second"]) == 0
    assert main(["mark", "serverlessllm", "read"]) == 0
    capsys.readouterr()
    assert main(["history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[-1].split(":")[0].strip() for line in lines][:3] == [
        "read",
        "note",
        "note",
    ]
    assert main(["undo"]) == 0 and main(["undo"]) == 0
    assert "undid note: ServerlessLLM" in capsys.readouterr().out
    assert main(["note", "serverlessllm"]) == 0
    assert capsys.readouterr().out == "first\n"
    assert main(["history", "serverlessllm", "--json"]) == 0
    steps = json.loads(capsys.readouterr().out)
    assert [s["kind"] for s in steps] == ["undo", "undo", "status", "note", "note"]
    assert steps[2]["undone_by"] == steps[1]["step"] and steps[2]["papers"][0]["before"] == "unread"
    assert main(["history", "--limit", "2"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_undo_with_nothing_to_undo_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["undo"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "nothing to undo" in err
