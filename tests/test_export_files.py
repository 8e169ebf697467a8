"""Export files: never a new folder, and no temporary file left by an interrupted export (a
signal to a real process) or kept from one that was killed (swept by the next export)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperdesk.atomic import sweep_stale_temp_files, write_user_file
from paperdesk.errors import OutputError

# Runs ``paperdesk export`` with an fsync that announces itself and then hangs, so the test can
# signal the process while its temporary file exists.
SLOW_EXPORT = """
import os, sys, time
from paperdesk.cli import main
real_fsync = os.fsync
def slow_fsync(fd):
    if ".x.csv." in os.readlink(f"/proc/self/fd/{fd}"):
        open(sys.argv[1], "w").close()
        time.sleep(60)
    real_fsync(fd)
os.fsync = slow_fsync
sys.exit(main(["export", "-f", "csv", "-o", sys.argv[2]]))
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder for exports, beside the test's home."""
    path = tmp_path / "exports"
    path.mkdir()
    return path


def test_a_missing_folder_is_one_error_that_creates_nothing(folder: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "paperdesk", "export", "-o", str(folder / "no" / "sub" / "x.csv")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"paperdesk: error: cannot write {folder}/no/sub/x.csv: folder {folder}/no/sub does "
        "not exist; create it first or choose another path"
    ]
    assert sorted(folder.iterdir()) == []


def test_a_relative_path_in_a_missing_folder_names_the_folder(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder)
    with pytest.raises(OutputError, match="folder out does not exist"):
        write_user_file(Path("out/x.md"), b"x")
    assert not (folder / "out").exists()


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signalled_export_removes_its_temporary_file(
    folder: Path, signum: int, code: int
) -> None:
    ready, out = folder / "ready", folder / "x.csv"
    out.write_text("the previous export\n")
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_EXPORT, str(ready), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert ready.exists(), process.communicate()
    assert len(list(folder.glob(".x.csv.*.tmp"))) == 1, "the export is mid-write"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    word = "terminated" if signum == signal.SIGTERM else "interrupted"
    assert stderr.splitlines() == [f"paperdesk: error: {word}"]
    assert list(folder.glob(".x.csv.*")) == []
    assert out.read_text() == "the previous export\n"


def test_the_next_export_sweeps_what_a_killed_one_left(folder: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead_pid = int(gone.stdout)
    left = folder / f".x.csv.{dead_pid}.abc123.tmp"
    left.write_text("half of a killed export")
    live = folder / f".x.csv.{os.getppid()}.def456.tmp"  # a running process: still writing
    live.write_text("being written")
    ancient = folder / ".x.csv.zz9x8y.tmp"  # no pid, a day old: nobody is still writing it
    ancient.write_text("very old")
    os.utime(ancient, (time.time() - 2 * 86400,) * 2)
    other = folder / f".y.csv.{dead_pid}.abc123.tmp"  # another file's: not this export's
    other.write_text("other")
    write_user_file(folder / "x.csv", b"new")
    assert sorted(p.name for p in folder.iterdir()) == sorted([live.name, other.name, "x.csv"])
    assert sweep_stale_temp_files(folder / "x.csv") == [], "nothing stale is left"
