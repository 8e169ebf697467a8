"""Crash-safe file replacement, shared by the store, imported sources, caches and exports.

A reader sees either the old file or the new one, never a mix: the data goes to a temporary file
in the same directory, is flushed and fsynced, renamed over the target with :func:`os.replace`,
and the directory is fsynced so the rename itself survives a power cut.

Files the user names (``-o OUT``) go through :func:`write_user_file`, which writes *through* the
path: a symlink's target is replaced, not the link; a FIFO, a terminal or ``/dev/stdout`` is
written to as it is; an existing file keeps its mode; a missing folder is an error, never made.

Read-merge-write of a file shared by processes (the store, the caches) runs under
:func:`locked`, an exclusive ``fcntl.flock`` on a sibling lock file, so no writer drops what
another wrote between its read and its write.

Temporary files are ``.<name>.<pid>.<random>.tmp``. A write that an exception, Ctrl-C or a
SIGTERM (the CLI turns it into an exception) interrupts removes its own; one a SIGKILL or a
power cut left is swept by the next :func:`write_user_file` to the same name, once the process
that made it is gone.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from paperdesk.errors import OutputError, UsageError

#: Mode of a new output file before the umask, as for a file made with ``> OUT`` under umask 022.
USER_FILE_MODE = 0o644
#: A temporary file this old is stale even if a process with its pid runs (the pid was reused).
STALE_TEMP_SECONDS = 24 * 3600


def fsync_directory(directory: Path) -> None:
    """Persist a rename in ``directory`` (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> os.stat_result:
    """Replace ``path`` with ``data`` atomically and durably (a private 0600 file); the stat of
    the file written, taken before it replaced ``path`` (a later stat of ``path`` that differs
    in inode, size or mtime shows that another writer replaced it since)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return _replace(path, data, None)


def _replace(
    path: Path, data: bytes, mode: int | None, before_replace: Callable[[], None] | None = None
) -> os.stat_result:
    prefix = f".{path.name}.{os.getpid()}."
    fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            written = os.fstat(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_directory(path.parent)
    return written


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # it exists, as another user's
        pass
    return False


def sweep_stale_temp_files(path: Path) -> list[Path]:
    """Remove the temporary files that interrupted writes of ``path`` left behind: those whose
    process is gone (or that are a day old); a write in progress elsewhere keeps its own."""
    removed = []
    now = time.time()
    for leftover in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        pid_text = leftover.name[len(path.name) + 2 :].split(".", 1)[0]
        try:
            age = now - leftover.lstat().st_mtime
        except OSError:
            continue
        if pid_text.isdigit() and int(pid_text) == os.getpid():
            continue
        if (pid_text.isdigit() and _process_gone(int(pid_text))) or age > STALE_TEMP_SECONDS:
            with contextlib.suppress(OSError):
                leftover.unlink()
                removed.append(leftover)
    return removed


def glob_escape(name: str) -> str:
    """``name`` matched literally by :meth:`Path.glob` (``[``, ``*`` and ``?`` bracketed)."""
    return "".join(f"[{ch}]" if ch in "[]*?" else ch for ch in name)


def atomic_write_text(path: Path, text: str) -> None:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_user_file(
    path: Path, data: bytes, *, before_replace: Callable[[], None] | None = None
) -> None:
    """Write ``data`` to a path the user chose, through it rather than over it.

    A symlink's target is replaced atomically (the link stays), an existing file keeps its
    mode (a new one gets 0644 less the umask), and anything that is not a regular file (a FIFO,
    a terminal, ``/dev/stdout``) is opened and written in place. A missing folder is an error,
    not made: a typo in a path must not leave new folders behind. Raises :class:`OutputError`
    (UsageError for a directory) with a one-line reason, having changed nothing.

    ``before_replace`` runs once the data is on disk, right before the rename: it may raise to
    call the write off (the temporary file goes, the file stays as it was), so a caller can make
    sure the file it read has not changed in the meantime. A file written in place (a FIFO)
    has no rename and no such check.
    """
    path = Path(path)
    try:
        try:
            info = os.stat(path)  # follows symlinks: the thing the data will end up in
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if info is not None and not stat.S_ISREG(info.st_mode):
            with open(path, "wb") as handle:
                handle.write(data)
            return
        target = path.resolve()
        if not target.parent.is_dir():
            blocker = next(p for p in (target.parent, *target.parent.parents) if p.exists())
            if not blocker.is_dir():  # a file where a folder should be
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(blocker))
            missing = path.parent if path.parent != Path() else target.parent
            raise OutputError(
                f"cannot write {path}: folder {missing} does not exist; create it first or "
                "choose another path"
            )
        sweep_stale_temp_files(target)
        mode = stat.S_IMODE(info.st_mode) if info else USER_FILE_MODE & ~_umask()
        _replace(target, data, mode, before_replace)
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory; give a file name to write to") from None
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
        raise OutputError(
            f"cannot write {path}: {exc.strerror or exc}{where}; choose another path"
        ) from None


def _flock(fd: int, timeout: float) -> bool:
    """Take an exclusive flock on ``fd`` within ``timeout`` seconds.

    A waiter blocks in the kernel (in a helper thread, as flock has no timeout) rather than
    polling: woken as soon as the holder lets go, it is not starved by a process writing in a
    loop. On timeout the helper keeps ``fd``, and unlocks and closes it once it gets the lock.
    """
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        pass
    got = threading.Event()
    handover = threading.Lock()
    abandoned = False

    def wait() -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with handover:
            if abandoned:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            else:
                got.set()

    threading.Thread(target=wait, name="paperdesk-lock", daemon=True).start()
    if got.wait(max(timeout, 0.0)):
        return True
    with handover:
        if got.is_set():
            return True
        abandoned = True
    return False


def lock_file(path: Path, timeout: float) -> int:
    """Hold an exclusive flock on ``path`` (made if missing) and return its descriptor, for
    :func:`unlock_file`. Raises TimeoutError when another process holds it for over
    ``timeout`` seconds, OSError when it cannot be opened."""
    deadline = time.monotonic() + timeout
    while True:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _flock(fd, deadline - time.monotonic()):
            raise TimeoutError(errno.ETIMEDOUT, "held by another process", str(path))
        # The lock file may have been removed and recreated meanwhile: a lock on the old,
        # unlinked inode excludes nobody, so lock the current one.
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = -1
        if current == os.fstat(fd).st_ino:
            return fd
        unlock_file(fd)


def unlock_file(fd: int) -> None:
    """Let go of a lock :func:`lock_file` took."""
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


@contextlib.contextmanager
def locked(path: Path, timeout: float) -> Iterator[None]:
    """Hold the exclusive lock on ``path`` (:func:`lock_file`) for the ``with`` block."""
    fd = lock_file(path, timeout)
    try:
        yield
    finally:
        unlock_file(fd)
