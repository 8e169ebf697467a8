"""AtomicJSONStorage on real files: atomic, locked, and never written over a bad file."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tinydb import TinyDB
from tinydb.storages import JSONStorage
from tinydb.table import Document

from paperdesk.errors import StoreError
from paperdesk.state.storage import AtomicJSONStorage, backup_paths

CORRUPT = {
    "truncated": b'{"papers":{"a":{"status":"re',
    "garbage": bytes(range(256)) * 4,
    "list": b'[{"status": "read"}]',
    "empty": b"",
    "not tables": b'{"papers": [1, 2]}',
    "deep": b"[" * 100_000,
}


def db_at(path: Path, **options: float) -> TinyDB:
    return TinyDB(path, storage=AtomicJSONStorage, **options)


def test_tinydb_round_trip_and_plain_json(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = db_at(path)
    db.insert({"title": "ünïcode [b] **x**\nline", "n": 1})
    db.table("papers").insert(Document({"status": "read"}, doc_id=7))
    db.update({"n": 2}, doc_ids=[1])

    reopened = db_at(path)
    assert reopened.all() == [{"title": "ünïcode [b] **x**\nline", "n": 2}]
    assert reopened.table("papers").get(doc_id=7) == {"status": "read"}
    assert "_storage" not in reopened.tables()
    # The file is plain JSON that TinyDB's own storage reads too.
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["_default"] == {"1": {"title": "ünïcode [b] **x**\nline", "n": 2}}
    plain = TinyDB(path, storage=JSONStorage, access_mode="r")
    assert plain.table("papers").get(doc_id=7) == {"status": "read"}
    plain.close()


def test_reads_a_file_written_by_tinydb_json_storage(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    plain = TinyDB(path)
    plain.insert_multiple([{"k": n} for n in range(5)])
    plain.close()
    db = db_at(path)
    db.insert({"k": 5})
    assert [d["k"] for d in db_at(path).all()] == list(range(6))


def test_one_document_per_line_and_unchanged_lines_are_reused(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    with storage.transaction():
        for n in range(50):
            storage.put("papers", f"p{n}", {"n": n, "note": "x" * n})
    before = path.read_bytes().split(b"\n")
    assert len(before) == 50 + 4  # header, table open, 50 records, table close, final brace

    again = AtomicJSONStorage(path)  # lines paired back from the file on load
    with again.transaction():
        again.put("papers", "p3", {"n": 3, "note": "changed"})
    after = path.read_bytes().split(b"\n")
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [0, 2 + 3]  # the write id line and p3's line
    assert again.read()["papers"]["p3"] == {"n": 3, "note": "changed"}
    assert AtomicJSONStorage(path).read()["papers"]["p3"]["note"] == "changed"


def test_lone_surrogates_round_trip_and_file_stays_utf8(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    text = "undecodable \udcff byte, \u2028 separator, 😀"
    storage = AtomicJSONStorage(path)
    with storage.transaction():
        storage.put("papers", "a", {"note": text})
    path.read_bytes().decode("utf-8")
    assert AtomicJSONStorage(path).read()["papers"]["a"]["note"] == text


@pytest.mark.parametrize("kind", sorted(CORRUPT))
def test_corrupt_file_raises_one_line_and_is_never_written(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "store.json"
    path.write_bytes(CORRUPT[kind])
    storage = AtomicJSONStorage(path)
    with pytest.raises(StoreError) as info:
        storage.read()
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    assert "doctor --restore" in message
    with pytest.raises(StoreError), storage.transaction():
        storage.put("papers", "a", {})
    with pytest.raises(StoreError):
        storage.write({"papers": {}})
    assert path.read_bytes() == CORRUPT[kind]
    assert not backup_paths(path)[0].exists()


def test_unreadable_path_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.mkdir()
    with pytest.raises(StoreError, match="cannot be read") as info:
        AtomicJSONStorage(path).read()
    assert str(path) in str(info.value) and "\n" not in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_permission_denied_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text("{}")
    path.chmod(0)
    try:
        with pytest.raises(StoreError, match="permissions") as info:
            AtomicJSONStorage(path).read()
        assert str(path) in str(info.value)
    finally:
        path.chmod(0o600)


def test_plain_tinydb_write_refuses_to_overwrite_another_process(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    first, second = db_at(path), db_at(path)
    first.insert({"who": "first"})
    second.all()
    first.insert({"who": "first again"})
    with pytest.raises(StoreError, match="changed by another process"):
        second.insert({"who": "second"})
    assert [d["who"] for d in db_at(path).all()] == ["first", "first again"]
    # Inside a transaction the write re-reads under the lock first, so nothing is lost.
    with second.storage.transaction():
        second.insert({"who": "second"})
    assert [d["who"] for d in db_at(path).all()] == ["first", "first again", "second"]


def test_transaction_rereads_what_another_writer_wrote(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    a, b = AtomicJSONStorage(path), AtomicJSONStorage(path)
    with a.transaction():
        a.put("papers", "x", {"from": "a"})
    with b.transaction():
        b.put("papers", "y", {"from": "b"})
    with a.transaction():
        a.put("papers", "z", {"from": "a"})
    assert sorted(AtomicJSONStorage(path).read()["papers"]) == ["x", "y", "z"]
    assert b.refresh() is True
    assert sorted(b.read()["papers"]) == ["x", "y", "z"]
    assert b.refresh() is False


def test_change_with_identical_stat_is_seen_through_the_write_id(tmp_path: Path) -> None:
    """Same inode, size and mtime (coarse clocks, reused inodes) must still count as changed."""
    path = tmp_path / "db.json"
    a, b = AtomicJSONStorage(path), AtomicJSONStorage(path)
    with a.transaction():
        a.put("papers", "x", {"status": "queued"})
    b.read()
    st = path.stat()
    with b.transaction():
        b.put("papers", "x", {"status": "unread"})  # same length: same size
    new = path.read_bytes()
    assert len(new) == st.st_size
    # b's write kept a's file (the inode a read) as backup 1: put the new content into that
    # inode, give it the old mtime and move it back, so only the write id differs.
    one = backup_paths(path)[0]
    assert one.stat().st_ino == st.st_ino
    with open(one, "r+b") as handle:
        handle.write(new)
    os.utime(one, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(one, path)
    now = path.stat()
    assert (now.st_ino, now.st_size, now.st_mtime_ns) == (st.st_ino, st.st_size, st.st_mtime_ns)
    with a.transaction():
        a.put("papers", "y", {"status": "read"})
    papers = AtomicJSONStorage(path).read()["papers"]
    assert papers == {"x": {"status": "unread"}, "y": {"status": "read"}}


def test_exception_in_transaction_writes_nothing_and_restores_memory(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    with storage.transaction():
        storage.put("papers", "a", {"v": 1})
    before = path.read_bytes()
    with pytest.raises(RuntimeError), storage.transaction():
        storage.put("papers", "a", {"v": 2})
        storage.put("papers", "b", {"v": 3})
        storage.put("todos", "1", {"v": 4})
        storage.delete("papers", "a")
        raise RuntimeError("boom")
    assert path.read_bytes() == before
    assert storage.read() == {"papers": {"a": {"v": 1}}}
    with storage.transaction():
        storage.put("papers", "c", {"v": 5})
    assert AtomicJSONStorage(path).read() == {"papers": {"a": {"v": 1}, "c": {"v": 5}}}


def test_unserialisable_record_is_refused_before_anything_changes(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    with pytest.raises(StoreError, match="cannot be saved"), storage.transaction():
        storage.put("papers", "a", {"v": float("nan")})
    assert not path.exists()


def test_put_outside_a_transaction_is_a_bug(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        AtomicJSONStorage(tmp_path / "db.json").put("papers", "a", {})


def test_backups_rotate_by_hard_link_at_most_once_per_interval(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    one, two, three = backup_paths(path)

    def write(storage: AtomicJSONStorage, value: int) -> int:
        with storage.transaction():
            storage.put("t", "k", {"v": value})
        return path.stat().st_ino

    rotating = AtomicJSONStorage(path, backup_interval=0)
    inodes = [write(rotating, v) for v in range(5)]
    assert not (tmp_path / "db.json.4").exists()
    for backup, value, inode in [(one, 3, inodes[3]), (two, 2, inodes[2]), (three, 1, inodes[1])]:
        assert json.loads(backup.read_text())["t"]["k"]["v"] == value
        assert backup.stat().st_ino == inode  # a link to the replaced file, not a copy

    hourly = AtomicJSONStorage(path, backup_interval=3600)
    write(hourly, 10)  # .1 is fresh: no rotation
    write(hourly, 11)
    assert json.loads(one.read_text())["t"]["k"]["v"] == 3
    old = one.stat().st_mtime - 7200
    os.utime(one, (old, old))
    write(hourly, 12)
    assert json.loads(one.read_text())["t"]["k"]["v"] == 11
    assert json.loads(two.read_text())["t"]["k"]["v"] == 3

    forced = AtomicJSONStorage(path, backup_interval=3600)
    with forced.transaction(backup=True):
        forced.put("t", "k", {"v": 13})
    assert json.loads(one.read_text())["t"]["k"]["v"] == 12


def test_lock_excludes_other_writers_and_times_out_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path, lock_timeout=0.2)
    storage.read()
    holder = os.open(storage.lock_path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)  # a separate open file: conflicts like another process
    try:
        with pytest.raises(StoreError, match="busy") as info, storage.transaction():
            storage.put("papers", "a", {})
        assert str(path) in str(info.value) and "\n" not in str(info.value)
    finally:
        os.close(holder)
    assert not path.exists()
    with storage.transaction():
        storage.put("papers", "a", {})
    assert path.exists()


def test_stale_temp_files_of_killed_writers_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    stale = tmp_path / ".db.json.k1ll3d.tmp"
    other = tmp_path / ".sources.json.abc.tmp"
    stale.write_bytes(b"half a file")
    other.write_bytes(b"someone else's")
    storage = AtomicJSONStorage(path)
    with storage.transaction():
        storage.put("papers", "a", {})
    assert not stale.exists()
    assert other.exists()


def test_vanished_store_is_not_silently_recreated(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    with storage.transaction():
        storage.put("papers", "a", {"note": "keep me"})
    path.unlink()
    with pytest.raises(StoreError, match="removed"), storage.transaction():
        storage.put("papers", "b", {})
    assert not path.exists()


def test_a_symlinked_store_stays_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "synced" / "store.json"
    target.parent.mkdir()
    first = AtomicJSONStorage(target, backup_interval=0)
    with first.transaction():
        first.put("papers", "b", {})
    link = tmp_path / "store.json"
    link.symlink_to(target)
    storage = AtomicJSONStorage(link, backup_interval=0)
    with storage.transaction():
        storage.put("papers", "a", {"note": "in the synced folder"})
    assert link.is_symlink()
    assert json.loads(target.read_text())["papers"]["a"]["note"] == "in the synced folder"
    assert backup_paths(target)[0].is_file()  # the backups live beside the real file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "store.json", "synced"]


@pytest.mark.parametrize("kind", ["missing disk", "missing file", "loop"])
def test_a_store_link_that_leads_nowhere_is_refused_and_nothing_is_created(
    tmp_path: Path, kind: str
) -> None:
    link = tmp_path / "linked" / "store.json"
    link.parent.mkdir()
    if kind == "missing disk":
        link.symlink_to(tmp_path / "disk" / "paperdesk" / "store.json")
    elif kind == "missing file":
        (tmp_path / "disk").mkdir()
        link.symlink_to(tmp_path / "disk" / "store.json")
    else:
        link.symlink_to(link)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    with pytest.raises(StoreError) as caught:
        AtomicJSONStorage(link)
    message = str(caught.value)
    assert "\n" not in message and str(link) in message
    assert ("does not exist" if kind != "loop" else "cannot be followed") in message
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


# --- backups that survive failures ---------------------------------------------------------

FAILING_WRITER = """
import resource, sys
from paperdesk.errors import StoreError
from paperdesk.state.storage import AtomicJSONStorage

resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
storage = AtomicJSONStorage(sys.argv[1], backup_interval=600)
try:
    with storage.transaction():
        storage.put("papers", "big", {"note": "x" * 20000})
except StoreError as exc:
    print(exc)
    sys.exit(3)
"""


def stored(path: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and inode of the store and of each backup that exists."""
    return {
        p.name: (p.read_bytes(), p.stat().st_ino) for p in [path, *backup_paths(path)] if p.exists()
    }


def hours_old(path: Path, hours: float) -> None:
    stamp = time.time() - hours * 3600
    os.utime(path, (stamp, stamp))


def store_with_old_backups(path: Path) -> None:
    """A store and two backups, each a separate file, all older than the backup interval."""
    storage = AtomicJSONStorage(path, backup_interval=0)
    for value in range(3):
        with storage.transaction():
            storage.put("papers", "a", {"v": value})
    backup_paths(path)[2].unlink(missing_ok=True)
    for backup, hours in zip(backup_paths(path)[:2], (2, 3), strict=True):
        backup.write_bytes(backup.read_bytes())  # its own inode, as a copied-in backup
        hours_old(backup, hours)
    hours_old(path, 1)


def test_writes_failing_on_a_file_size_limit_leave_the_store_and_backups_alone(
    tmp_path: Path,
) -> None:
    (tmp_path / "data").mkdir()
    path = tmp_path / "data" / "store.json"
    store_with_old_backups(path)
    before = stored(path)
    assert set(before) == {"store.json", "store.json.1", "store.json.2"}
    for _ in range(3):
        ran = subprocess.run(
            [sys.executable, "-c", FAILING_WRITER, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ran.returncode == 3, ran.stderr
        assert "cannot be written (File too large); nothing was changed" in ran.stdout
    assert stored(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [*sorted(before), "store.json.lock"]


FULL_DISK = """
set -e
mount -t tmpfs -o size=256k tmpfs "$1" || exit 77
exec "$2" -c "$3" "$1"
"""

FULL_DISK_CHECK = """
import os, sys
from pathlib import Path
from paperdesk.errors import StoreError
from paperdesk.state.storage import AtomicJSONStorage, backup_paths
sys.path.insert(0, os.environ["TESTS_DIR"])
from test_storage import store_with_old_backups, stored

path = Path(sys.argv[1]) / "store.json"
store_with_old_backups(path)
before = stored(path)
with open(Path(sys.argv[1]) / "filler", "wb", buffering=0) as filler:  # the disk fills up
    try:
        while True:
            filler.write(bytes(4096))
    except OSError:
        pass
for _ in range(3):
    storage = AtomicJSONStorage(path, backup_interval=600)
    try:
        with storage.transaction():
            storage.put("papers", "big", {"note": "x" * 20000})
    except StoreError as exc:
        assert "No space left on device" in str(exc), exc
    else:
        sys.exit("a write succeeded on a full disk")
assert stored(path) == before, "the store or its backups changed"
print("unchanged")
"""


def test_writes_failing_on_a_full_disk_leave_the_store_and_backups_alone(tmp_path: Path) -> None:
    """A small tmpfs filled up, mounted in a private mount namespace (skipped where that is
    not allowed)."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare here to mount a small file system")
    mount = tmp_path / "small"
    mount.mkdir()
    ran = subprocess.run(
        [
            "unshare",
            "-rm",
            "sh",
            "-c",
            FULL_DISK,
            "sh",
            str(mount),
            sys.executable,
            FULL_DISK_CHECK,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TESTS_DIR": str(Path(__file__).parent)},
    )
    if ran.returncode == 77 or "unshare:" in ran.stderr:
        pytest.skip(f"cannot mount a small file system here: {ran.stderr.strip()}")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.strip() == "unchanged"


def test_two_quick_writes_after_an_idle_spell_rotate_once(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    store_with_old_backups(path)
    first = path.read_bytes()
    storage = AtomicJSONStorage(path, backup_interval=600)
    for value in (10, 11, 12):
        with storage.transaction():
            storage.put("papers", "a", {"v": value})
    one, two, three = backup_paths(path)
    assert one.read_bytes() == first  # the state before the idle spell ended, once
    assert json.loads(two.read_text())["papers"]["a"]["v"] == 1
    assert json.loads(three.read_text())["papers"]["a"]["v"] == 0
    assert time.time() - one.stat().st_mtime < 60  # stamped when it was rotated


def test_a_backup_from_the_future_does_not_stop_rotation(tmp_path: Path) -> None:
    """A clock set back (or a backup copied from a machine ahead) must not hold rotation off
    until the clock catches up."""
    path = tmp_path / "store.json"
    store_with_old_backups(path)
    hours_old(backup_paths(path)[0], -48)
    first = path.read_bytes()
    storage = AtomicJSONStorage(path, backup_interval=600)
    with storage.transaction():
        storage.put("papers", "a", {"v": 10})
    assert backup_paths(path)[0].read_bytes() == first
    # a clock that steps back a little (NTP) does not make every write rotate
    hours_old(backup_paths(path)[0], -1 / 60)
    second = path.read_bytes()
    with storage.transaction():
        storage.put("papers", "a", {"v": 11})
    assert backup_paths(path)[0].read_bytes() == first != second


@pytest.fixture
def no_hard_links(tmp_path: Path) -> Iterator[Path]:
    """A directory on a real file system without hard links: exFAT, through FUSE on a loop
    device (skipped where the tools or the rights to mount are missing)."""
    tools = ("mkfs.exfat", "mount.exfat-fuse", "losetup", "umount")
    if os.geteuid() != 0 or not all(shutil.which(tool) for tool in tools):
        pytest.skip("needs root and exfatprogs, exfat-fuse, losetup to mount exFAT")
    image, mount = tmp_path / "exfat.img", tmp_path / "exfat"
    mount.mkdir()
    with image.open("wb") as handle:
        handle.truncate(16 * 1024 * 1024)
    quiet = {"capture_output": True, "text": True, "timeout": 60}
    if subprocess.run(["mkfs.exfat", str(image)], **quiet).returncode != 0:
        pytest.skip("mkfs.exfat failed")
    loop = subprocess.run(["losetup", "-f", "--show", str(image)], **quiet)
    if loop.returncode != 0:
        pytest.skip(f"no loop device: {loop.stderr.strip()}")
    device = loop.stdout.strip()
    try:
        mounted = subprocess.run(["mount.exfat-fuse", device, str(mount)], **quiet)
        if mounted.returncode != 0:
            pytest.skip(f"cannot mount exFAT here: {mounted.stderr.strip()}")
        try:
            yield mount
        finally:
            subprocess.run(["umount", str(mount)], **quiet)
    finally:
        subprocess.run(["losetup", "-d", device], **quiet)


def test_backups_are_copies_where_there_are_no_hard_links(no_hard_links: Path) -> None:
    probe = no_hard_links / "probe"
    probe.touch()
    with pytest.raises(OSError):
        os.link(probe, no_hard_links / "probe-link")
    path = no_hard_links / "store.json"
    storage = AtomicJSONStorage(path, backup_interval=0)
    for value in range(4):
        with storage.transaction():
            storage.put("papers", "a", {"v": value})
    one, two, three = backup_paths(path)
    assert [json.loads(b.read_text())["papers"]["a"]["v"] for b in (one, two, three)] == [2, 1, 0]
    assert storage.backup_problem is None
    hours_old(one, 2)  # a rotation is due: the failing write copies the store aside first
    before = stored(path)
    ran = subprocess.run(
        [sys.executable, "-c", FAILING_WRITER, str(path)], capture_output=True, text=True
    )
    assert ran.returncode == 3, ran.stderr
    assert stored(path) == before
    assert sorted(p.name for p in no_hard_links.iterdir()) == sorted(
        [*before, "store.json.lock", "probe"]
    )
