"""Real processes: SIGKILLed writers lose no acknowledged write; concurrent writers lose nothing."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

import paperdesk
from paperdesk.catalog.records import STATUSES
from paperdesk.state.store import Store

sys.path.insert(0, str(Path(__file__).parent))
import store_writer as writer

WRITER = Path(writer.__file__)
FILLER = 3000  # states already in the store, so each write takes a few ms to kill inside


def spawn(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(Path(paperdesk.__file__).parents[1]))
    return subprocess.Popen(
        [sys.executable, str(WRITER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line != "ready\n":
        proc.kill()
        pytest.fail(f"writer did not start: {line!r} {proc.communicate()[1]}")


def filled_store(path: Path, count: int = FILLER) -> Store:
    store = Store.open(path)
    store.set_status([writer.paper(f"Filler paper {n}") for n in range(count)], "queued")
    return store


def register_of(i: int) -> tuple[str, int] | None:
    """Which value op ``i`` of the writer sets (None: the appended log)."""
    kind = ("note", None, "status")[i % 3]
    return None if kind is None else (kind, i % writer.REGISTERS)


def value_of(tag: str, i: int) -> str:
    return f"{tag}:{i}" if i % 3 == 0 else STATUSES[(i // 3) % len(STATUSES)]


def read_register(store: Store, register: tuple[str, int]) -> str | None:
    paper_id = writer.crash_paper(register[1]).id
    return store.note_of(paper_id) if register[0] == "note" else store.status_of(paper_id)


def kill_rounds(path: Path, rounds: int, seed: int) -> None:
    rng = random.Random(seed)
    filled_store(path)
    allowed: dict[tuple[str, int], set[str | None]] = {}
    log: list[str] = []
    for r in range(rounds):
        tag = f"r{r}"
        proc = spawn(str(path), "crash", tag)
        wait_ready(proc)
        time.sleep(rng.uniform(0.0, 0.25))
        proc.kill()
        out, err = proc.communicate()
        acked = [int(line) for line in out.split("\n")[:-1]]
        assert acked == list(range(len(acked))), err
        inflight = len(acked)  # the one write that may or may not have landed

        for i in acked:
            register = register_of(i)
            if register is not None:
                allowed[register] = {value_of(tag, i)}
        register = register_of(inflight)
        if register is not None:
            allowed.setdefault(register, {None, "unread"}).add(value_of(tag, inflight))

        store = Store.open(path)  # raises if the kill left anything unreadable
        for register, values in allowed.items():
            actual = read_register(store, register)
            assert actual in values, f"round {r}: {register} is {actual!r}, want {values}"
            allowed[register] = {actual}
        lines = (
            (store.note_of(writer.LOG.id) or "").split("\n") if store.note_of(writer.LOG.id) else []
        )
        appended = [f"{tag}:{i}" for i in acked if i % 3 == 1]
        assert lines[: len(log)] == log, f"round {r}: earlier log lines lost"
        new = lines[len(log) :]
        assert new in (appended, [*appended, f"{tag}:{inflight}"]), f"round {r}: {new}"
        log = lines

    store = Store.open(path)
    report = store.doctor(set())  # validates every record and backup
    assert report.problems == [] and report.counts.states >= FILLER
    assert all(backup.readable for backup in report.backups)
    store.set_note(writer.LOG, "after the kills")
    assert list(path.parent.glob(".store.json.*.tmp")) == []


@pytest.mark.parametrize("rounds", [15, pytest.param(200, marks=pytest.mark.slow)])
def test_sigkilled_writers_lose_no_acknowledged_write(tmp_path: Path, rounds: int) -> None:
    kill_rounds(tmp_path / "store.json", rounds, seed=rounds)


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    filled_store(path, 300)
    count = 25
    procs = {tag: spawn(str(path), "notes", tag, str(count)) for tag in ("A", "B")}
    for proc in procs.values():
        wait_ready(proc)
    path.with_name("store.json.go").touch()
    for proc in procs.values():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.endswith("done\n"), err

    store = Store.open(path)
    for tag in procs:
        for k in range(count):
            assert (
                store.note_of(writer.paper(f"Concurrent paper {tag} {k}").id) == f"{tag} note {k}"
            )
    shared = store.note_of(writer.SHARED.id).split("\n")
    assert sorted(shared) == sorted(f"{tag}:{k}" for tag in procs for k in range(count))
    for tag in procs:  # each process's lines in its own order
        assert [line for line in shared if line.startswith(f"{tag}:")] == [
            f"{tag}:{k}" for k in range(count)
        ]
    interleaved = [line[0] for line in shared]
    assert interleaved != sorted(interleaved), "the writers never overlapped"
