"""``state sync`` with real git and bare repositories in a temp dir: two homes apart, then synced;
an unreachable remote; a race with another push; kill -9 at random points of a sync."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperdesk.catalog import identity
from paperdesk.catalog.records import STATUSES, Paper
from paperdesk.cli import main
from paperdesk.state import gitsync
from paperdesk.state.gitsync import GitSyncError, sync
from paperdesk.state.store import Store

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

PAPERS = [
    Paper(id=identity.paper_id(t), title=t, venue="OSDI 2024", source="awesome-papers")
    for t in (f"Shared paper {n} about serving" for n in range(40))
]


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "tester")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "tester@example.org")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return path


def home(tmp_path: Path, name: str) -> Store:
    return Store.open(tmp_path / name / "store.json")


def reading(store: Store) -> dict[str, tuple[str, str | None]]:
    return {pid: (s.status, s.note) for pid, s in Store.open(store.path).states().items()}


def snapshot(directory: Path) -> str:
    """Every file of a home but those inside git's own directory, as one digest."""
    digest = hashlib.sha1()
    for path in sorted(directory.rglob("*")):
        if path.is_file() and ".git" not in path.relative_to(directory).parts:
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


def test_two_homes_apart_then_synced_twice_agree(tmp_path: Path, remote: Path) -> None:
    a, b = home(tmp_path, "a"), home(tmp_path, "b")
    rng = random.Random(14)
    last_status: dict[str, dict[str, str]] = {"a": {}, "b": {}}
    last_note: dict[str, dict[str, str]] = {"a": {}, "b": {}}
    for store, name in ((a, "a"), (b, "b")):  # b works after a: its marks are the later ones
        for i in range(100):
            paper = rng.choice(PAPERS)
            if rng.random() < 0.5:
                status = rng.choice(STATUSES)
                if store.status_of(paper.id) != status:  # a mark that changes nothing is none
                    last_status[name][paper.id] = status
                store.set_status([paper], status)
            else:
                text = f"{name}'s note {i}\nwith a second line"
                store.set_note(paper, text)
                last_note[name][paper.id] = text
    for store in (a, b, a, b):
        sync(store, str(remote))
    state_a, state_b = reading(a), reading(b)
    assert state_a == state_b
    for name in ("a", "b"):
        for pid, text in last_note[name].items():
            assert text in (state_a[pid][1] or "")
    both = set(last_status["a"]) & set(last_status["b"])
    assert both  # the test means something: some papers were marked on both sides
    for pid in both:
        assert state_a[pid][0] == last_status["b"][pid]
    assert any(s.status_from for s in Store.open(a.path).states().values())
    # a third sync on each has nothing to do
    assert not sync(a, None).pushed and not sync(b, None).pulled.events


def test_an_unreachable_remote_changes_nothing_and_says_one_line(
    tmp_path: Path, remote: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = home(tmp_path, "a")
    a.set_status(PAPERS[:3], "read")
    sync(a, str(remote))
    a.set_note(PAPERS[0], "not sent yet")
    before = snapshot(a.path.parent)
    code = main(["--home", str(a.path.parent), "state", "sync", "--remote", str(tmp_path / "no")])
    err = capsys.readouterr().err
    assert code == 1 and len(err.splitlines()) == 1 and "cannot reach" in err, err
    assert snapshot(a.path.parent) == before
    # and the first sync of a fresh home does not even make log/.git
    fresh = tmp_path / "fresh"
    assert main(["--home", str(fresh), "state", "sync", "--remote", str(tmp_path / "no")]) == 1
    assert not fresh.exists()


def test_the_remote_is_remembered_and_needed_the_first_time(
    tmp_path: Path,
    remote: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    where = str(tmp_path / "a")
    assert main(["--home", where, "state", "sync"]) == 2
    assert "--remote" in capsys.readouterr().err
    monkeypatch.chdir(tmp_path)  # a relative path is remembered as the absolute one
    assert main(["--home", where, "state", "sync", "--remote", "remote.git"]) == 0
    assert main(["--home", where, "state", "sync"]) == 0
    assert "synced with " + str(remote) in capsys.readouterr().out


def test_an_empty_directory_becomes_the_remote(tmp_path: Path) -> None:
    folder = tmp_path / "shared-folder"
    folder.mkdir()
    a, b = home(tmp_path, "a"), home(tmp_path, "b")
    a.set_status([PAPERS[0]], "read")
    sync(a, str(folder))
    sync(b, str(folder))
    assert reading(b)[PAPERS[0].id] == ("read", None)


def test_a_push_that_loses_a_race_starts_over(
    tmp_path: Path, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = home(tmp_path, "a"), home(tmp_path, "b")
    a.set_status([PAPERS[0]], "read")
    b.set_status([PAPERS[1]], "queued")
    push = gitsync.Git.push
    raced = []

    def racing_push(self: gitsync.Git, url: str, commit: str) -> bool:
        if not raced:
            raced.append(True)
            sync(b, url)  # b pushes between a's fetch and a's push
        return push(self, url, commit)

    monkeypatch.setattr(gitsync.Git, "push", racing_push)
    report = sync(a, str(remote))
    monkeypatch.undo()
    assert report.attempts == 2 and report.pushed
    sync(b, str(remote))
    assert reading(a) == reading(b)
    assert reading(a)[PAPERS[1].id] == ("queued", None)


def test_a_git_that_hangs_meets_the_deadline(
    tmp_path: Path, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = home(tmp_path, "a")
    slow = tmp_path / "bin"
    slow.mkdir()
    real = shutil.which("git")
    (slow / "git").write_text(
        f'#!/bin/sh\ncase "$*" in *ls-remote*) sleep 30;; esac\nexec {real} "$@"\n'
    )
    (slow / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{slow}{os.pathsep}{os.environ['PATH']}")
    started = time.monotonic()
    with pytest.raises(GitSyncError, match="timed out"):
        sync(a, str(remote), timeout=0.5)
    assert time.monotonic() - started < 10


def test_export_and_import_carry_the_events_without_git(tmp_path: Path) -> None:
    a, b = home(tmp_path, "a"), home(tmp_path, "b")
    a.set_status(PAPERS[:5], "reading")
    a.set_note(PAPERS[0], "carried by a file")
    out = tmp_path / "events.jsonl"
    assert main(["--home", str(a.path.parent), "state", "export", str(out)]) == 0
    assert main(["--home", str(b.path.parent), "state", "import", str(out)]) == 0
    assert reading(b) == reading(a)
    assert main(["--home", str(b.path.parent), "state", "import", str(out)]) == 0  # no-op
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(out.read_bytes() + b"{not json\n")
    before = snapshot(b.path.parent)
    assert main(["--home", str(b.path.parent), "state", "import", str(bad)]) == 1
    assert snapshot(b.path.parent) == before


# -- kill -9 during a sync ------------------------------------------------------------------


def spawn_sync(store: Store, remote: Path) -> subprocess.Popen[bytes]:
    import paperdesk

    env = dict(os.environ, PYTHONPATH=str(Path(paperdesk.__file__).parents[1]))
    command = ["state", "sync", "--remote", str(remote)]
    return subprocess.Popen(
        [sys.executable, "-m", "paperdesk", "--home", str(store.path.parent), *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def kill_during_syncs(tmp_path: Path, remote: Path, tries: int, seed: int) -> None:
    rng = random.Random(seed)
    homes = [home(tmp_path, "a"), home(tmp_path, "b")]
    acknowledged: set[str] = set()
    for i in range(tries):
        for store in homes:
            paper = rng.choice(PAPERS)
            store.set_status([paper], rng.choice(STATUSES))
            store.set_note(rng.choice(PAPERS), f"{store.machine.id} note {i}")
        store = rng.choice(homes)
        before = Store.open(store.path).known_ids()
        acknowledged |= before
        process = spawn_sync(store, remote)
        time.sleep(rng.uniform(0.2, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        for each in homes:
            reopened = Store.open(each.path)  # opens, and applies what a killed sync appended
            reopened.states()
        assert Store.open(store.path).known_ids() >= before
    for store in (*homes, *homes):
        sync(store, str(remote))
    states = [reading(store) for store in homes]
    assert states[0] == states[1]
    for store in homes:
        assert Store.open(store.path).known_ids() >= acknowledged
        folds, _ = Store.open(store.path).rebuild()
        assert {pid: (f.status, f.note) for pid, f in folds.items()} == {
            pid: value for pid, value in reading(store).items() if pid in folds
        }


def test_kill_9_during_sync_loses_nothing_and_the_next_sync_converges(
    tmp_path: Path, remote: Path
) -> None:
    kill_during_syncs(tmp_path, remote, tries=3, seed=1)


@pytest.mark.slow
def test_kill_9_during_sync_25_times(tmp_path: Path, remote: Path) -> None:
    kill_during_syncs(tmp_path, remote, tries=25, seed=2)


def test_a_checked_out_repository_as_remote_says_to_use_a_bare_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    (work / "README").write_text("mine\n")
    subprocess.run(["git", "-C", str(work), "add", "README"], check=True)
    subprocess.run(["git", "-C", str(work), "commit", "-qm", "x"], check=True)
    a = home(tmp_path, "a")
    a.set_status([PAPERS[0]], "read")
    assert main(["--home", str(a.path.parent), "state", "sync", "--remote", str(work)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "bare repository" in err, err
    assert (work / "README").read_text() == "mine\n"
