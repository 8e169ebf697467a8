"""``paperdesk state sync``: the log directory as a git work tree, synced with any git remote.

The home's ``log/`` (:mod:`paperdesk.state.log`) is the work tree of a small git repository
(``log/.git``) driven through the ``git`` command line, so any remote git can reach works: a
bare repository on a server over ssh, a plain path, a hosted repository. One sync:

1. ``git ls-remote`` checks that the remote answers. If it does not, the sync stops with one
   line and nothing in the home has changed (not even ``log/.git`` is made).
2. ``git fetch`` takes the remote's ``main``; the log files in its tree are read with
   ``git cat-file`` (never checked out), and events this home lacks are merged into the store
   (:meth:`~paperdesk.state.store.Store.merge`): appended to their machines' files, applied by
   the merge rules, in one store transaction.
3. A commit is made of the remote's tree with this home's log files over it, with the remote's
   commit as its only parent, and pushed. Every machine only ever appends to files, so the new
   tree holds everything both sides had, the push is a fast-forward, and nothing ever
   conflicts. If another machine pushed in between, the push is refused and the sync starts
   again from step 2.

The remote is remembered in ``log/.git/config`` after the first sync that reached it. Every git
command runs with a deadline (``--timeout``), without prompts (``GIT_TERMINAL_PROMPT=0``, ssh
in batch mode unless ``GIT_SSH_COMMAND`` says otherwise), with an index of its own and a
committer identity of its own (the user's ``GIT_AUTHOR_*``/``GIT_COMMITTER_*`` still apply).
A sync killed at any point leaves the home consistent (the store applies what the log holds
at its next open) and the next sync converges: git's own lock files that a killed git left
behind are removed once no git holds them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from paperdesk.errors import PaperdeskError, UsageError
from paperdesk.state.events import AnyEvent, LogError, decode
from paperdesk.state.file_format import is_log_name
from paperdesk.state.log import line_ids
from paperdesk.state.store import MergeReport, Store

BRANCH = "refs/heads/main"
REMOTE_REF = "refs/paperdesk/remote"
REMEMBERED = "paperdesk.remote"
DEFAULT_TIMEOUT = 60.0
#: How often a sync starts over when another machine pushed while it ran.
ATTEMPTS = 5
#: How long a git lock file another (killed) sync's git may still hold is waited for.
STALE_LOCK_WAIT = 5.0
_SCP_LIKE = re.compile(r"^[^/:]+@?[^/:]*:")


class GitSyncError(PaperdeskError):
    """The remote cannot be reached, or git failed; the message says what git said."""


@dataclass
class SyncReport:
    """What a sync did: the remote, what came in, what went out, and where the time went."""

    remote: str
    pulled: MergeReport
    pushed: bool
    attempts: int = 1
    git_seconds: float = 0.0
    seconds: float = 0.0
    machines: list[str] = field(default_factory=list)


def remote_url(remote: str) -> str:
    """A remote as git takes it: a URL or ``host:path`` as given, a local path made absolute
    (so the remembered remote means the same from any working directory)."""
    remote = remote.strip()
    if not remote:
        raise UsageError("--remote needs a git URL or a path")
    if "://" in remote or (_SCP_LIKE.match(remote) and not remote.startswith(("/", ".", "~"))):
        return remote
    return str(Path(remote).expanduser().resolve())


class Git:
    """The ``git`` command line on one log directory, with deadlines and a clean environment."""

    def __init__(self, directory: Path, label: str, timeout: float) -> None:
        if shutil.which("git") is None:
            raise GitSyncError("state sync needs git, which is not on PATH; install git")
        self.directory = directory
        self.git_dir = directory / ".git"
        self.label = label
        self.timeout = timeout
        self.seconds = 0.0

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_NAMESPACE")
        }
        env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_INDEX_FILE=str(self.index))
        if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env:
            env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
        return env

    @property
    def index(self) -> Path:
        return self.git_dir / "paperdesk-index"

    def run(
        self, *args: str, stdin: bytes | None = None, check: bool = True, where: str = ""
    ) -> subprocess.CompletedProcess[bytes]:
        """Run one git command in the log directory (or, before it exists, the nearest folder
        above it that does)."""
        cwd = next(p for p in (self.directory, *self.directory.parents) if p.is_dir())
        command = [
            "git",
            "-c",
            "user.name=paperdesk",
            "-c",
            f"user.email=paperdesk@{re.sub(r'[^A-Za-z0-9.-]', '-', self.label) or 'localhost'}",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.hooksPath=/dev/null",
            *args,
        ]
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=self.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a deadline ends git and whatever it started (ssh)
        )
        try:
            out, err = process.communicate(stdin, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise GitSyncError(
                f"git {args[0]} {where}timed out after {self.timeout:g} s; nothing was "
                "sent (raise --timeout, or check the connection)"
            ) from None
        finally:
            self.seconds += time.perf_counter() - start
        result = subprocess.CompletedProcess(command, process.returncode, out, err)
        if check and result.returncode != 0:
            raise GitSyncError(f"git {args[0]} {where}failed: {last_line(err)}")
        return result

    # -- the repository -----------------------------------------------------------------------

    def exists(self) -> bool:
        return (self.git_dir / "HEAD").is_file()

    def init(self) -> None:
        if self.exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self.run("init", "-q", str(self.directory))
        self.run("symbolic-ref", "HEAD", BRANCH)

    def remembered(self) -> str | None:
        if not self.exists():
            return None
        result = self.run("config", "--get", REMEMBERED, check=False)
        return result.stdout.decode().strip() or None

    def remember(self, url: str) -> None:
        if self.remembered() != url:
            self.run("config", REMEMBERED, url)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One sync at a time per home; then git lock files left by a killed git are removed
        (after waiting for a git that may still hold one to finish)."""
        fd = os.open(self.git_dir / "paperdesk-sync.flock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise GitSyncError(
                    "another 'paperdesk state sync' of this home is running; try again when "
                    "it is done"
                ) from None
            self._clear_stale_locks()
            yield
        finally:
            os.close(fd)

    def _clear_stale_locks(self) -> None:
        locks = [p for p in self.git_dir.rglob("*.lock") if p.is_file()]
        deadline = time.monotonic() + STALE_LOCK_WAIT
        while locks and time.monotonic() < deadline:
            time.sleep(0.05)
            locks = [p for p in locks if p.exists()]
        for lock in locks:
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()

    # -- the remote ---------------------------------------------------------------------------

    def bare_if_empty(self, url: str) -> None:
        """An existing empty directory as the remote (a shared folder, a mounted disk) becomes
        a bare repository; a path that does not exist is left alone (a typo must fail)."""
        path = Path(url)
        if path.is_absolute() and path.is_dir() and not any(path.iterdir()):
            self.run("init", "-q", "--bare", str(path))
            self.run("--git-dir", str(path), "symbolic-ref", "HEAD", BRANCH)

    def remote_head(self, url: str) -> str | None:
        """The remote's ``main`` commit (None: an empty repository); GitSyncError when the
        remote cannot be reached."""
        result = self.run("ls-remote", "--", url, BRANCH, check=False)
        if result.returncode != 0:
            raise GitSyncError(f"cannot reach {url}: {last_line(result.stderr)}")
        for line in result.stdout.decode().splitlines():
            sha, _, ref = line.partition("\t")
            if ref == BRANCH:
                return sha
        return None

    def fetch(self, url: str) -> str | None:
        """Fetch the remote's ``main``; None when the remote has none yet."""
        result = self.run(
            "fetch", "-q", "--no-tags", "--", url, f"+{BRANCH}:{REMOTE_REF}", check=False
        )
        if result.returncode != 0:
            if b"couldn't find remote ref" in result.stderr:
                return None
            raise GitSyncError(f"cannot fetch from {url}: {last_line(result.stderr)}")
        return self.rev(REMOTE_REF)

    def rev(self, ref: str) -> str | None:
        result = self.run("rev-parse", "-q", "--verify", f"{ref}^{{commit}}", check=False)
        return result.stdout.decode().strip() or None

    def log_blobs(self, commit: str) -> dict[str, bytes]:
        """The log files in ``commit``'s tree, name -> content (read, not checked out)."""
        listing = self.run("ls-tree", "-z", commit).stdout
        blobs: dict[str, str] = {}
        for entry in listing.split(b"\0"):
            meta, _, name = entry.partition(b"\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == b"blob" and is_log_name(name.decode()):
                blobs[name.decode()] = parts[2].decode()
        if not blobs:
            return {}
        batch = self.run("cat-file", "--batch", stdin="\n".join(blobs.values()).encode() + b"\n")
        contents: dict[str, bytes] = {}
        out = batch.stdout
        position = 0
        by_sha = {sha: name for name, sha in blobs.items()}
        while position < len(out):
            end = out.index(b"\n", position)
            sha, _, size = out[position:end].split(b" ")
            start = end + 1
            contents[by_sha[sha.decode()]] = out[start : start + int(size)]
            position = start + int(size) + 1
        return contents

    def stage(self, files: Sequence[str], parent: str | None) -> None:
        """``parent``'s tree with ``files`` of the log directory over it, in git's index (the
        caller holds the store's lock: no append is half-written meanwhile)."""
        self.run("read-tree", parent or "--empty")
        if files:
            self.run("update-index", "--add", "--", *files)

    def commit(self, parent: str | None, message: str) -> str:
        """A commit of what :meth:`stage` staged, on ``parent`` (``parent`` itself when that
        is the same tree: nothing to send)."""
        tree = self.run("write-tree").stdout.decode().strip()
        if (
            parent is not None
            and self.run("rev-parse", f"{parent}^{{tree}}").stdout.decode().strip() == tree
        ):
            return parent
        args = ["commit-tree", tree, "-m", message]
        if parent is not None:
            args += ["-p", parent]
        commit = self.run(*args).stdout.decode().strip()
        self.run("update-ref", BRANCH, commit)
        return commit

    def push(self, url: str, commit: str) -> bool:
        """Push ``commit`` as the remote's ``main``; False when another push came first."""
        result = self.run("push", "--porcelain", "--", url, f"{commit}:{BRANCH}", check=False)
        if result.returncode == 0:
            self.run("update-ref", REMOTE_REF, commit)
            return True
        said = (result.stdout + result.stderr).decode(errors="replace")
        if "[rejected]" in said or "non-fast-forward" in said or "fetch first" in said:
            return False
        why = last_line(result.stderr or result.stdout)
        if "checked out" in said:  # a repository with a work tree that has main checked out
            why += f"; give a bare repository ('git init --bare {url}.git') as the remote"
        raise GitSyncError(f"cannot push to {url}: {why}")


def last_line(output: bytes) -> str:
    """What git said, in one line: its first ``fatal:``/``error:`` line, else its last line."""
    lines = [line.strip() for line in output.decode(errors="replace").splitlines()]
    lines = [line for line in lines if line and not line.startswith("hint:")]
    for line in lines:
        for prefix in ("fatal:", "error:"):
            if line.startswith(prefix):
                return line.removeprefix(prefix).strip()
    return lines[-1] if lines else "no message"


def remote_events(blobs: dict[str, bytes], known: set[str], url: str) -> list[AnyEvent]:
    """The events in the remote's files this home lacks (lines are picked by their id before
    any is parsed; a line cut short at the end of a file is not an event yet)."""
    events = []
    for name, data in blobs.items():
        whole = data[: data.rfind(b"\n") + 1]
        for number, line in enumerate(whole.splitlines(), start=1):
            ids = line_ids(line)
            if not line.strip() or (ids and ids[0] in known):
                continue
            try:
                events.append(decode(line))
            except LogError as exc:
                raise GitSyncError(
                    f"{url}: {name} line {number} is {exc}; nothing was changed here"
                ) from None
    return events


@dataclass
class Reached:
    """A remote that answered, and the git of the log directory that will sync with it."""

    git: Git
    url: str


def reach(log_dir: Path, remote: str | None, *, timeout: float = DEFAULT_TIMEOUT) -> Reached:
    """Check that ``remote`` (default: the remembered one) answers, before anything in the home
    is touched: not even the store is opened when it does not."""
    git = Git(log_dir, socket.gethostname(), timeout)
    given = remote if remote is not None else git.remembered()
    if given is None:
        raise UsageError(
            "state sync needs --remote GIT_URL_OR_PATH the first time (a bare repository, "
            "say); it is remembered after that"
        )
    url = remote_url(given)
    git.bare_if_empty(url)
    git.remote_head(url)
    return Reached(git, url)


def sync(
    store: Store,
    remote: str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    reached: Reached | None = None,
) -> SyncReport:
    """Sync the home's log with ``remote`` (default: the remembered one), or with the remote
    :func:`reach` found; see the module docstring for the steps."""
    started = time.perf_counter()
    if reached is None:
        reached = reach(store.log.directory, remote, timeout=timeout)
    git, url = reached.git, reached.url
    git.label = store.machine.label
    git.init()
    pulled = MergeReport(events=0, papers=[], machines=[])
    with git.locked():
        for attempt in range(1, ATTEMPTS + 1):
            head = git.fetch(url)
            if head is not None:
                known = store.known_ids()
                incoming = remote_events(git.log_blobs(head), known, url)
                report = store.merge(incoming)
                pulled = MergeReport(
                    events=pulled.events + report.events,
                    papers=sorted({*pulled.papers, *report.papers}),
                    machines=sorted({*pulled.machines, *report.machines}),
                )
            with store.transaction():  # no store write: holds off appends while git reads
                git.stage(store.log.names(), head)
            commit = git.commit(head, f"paperdesk: {store.machine.label} ({store.machine.id})")
            if commit == head or git.push(url, commit):
                git.remember(url)
                return SyncReport(
                    remote=url,
                    pulled=pulled,
                    pushed=commit != head,
                    attempts=attempt,
                    git_seconds=git.seconds,
                    seconds=time.perf_counter() - started,
                )
    raise GitSyncError(
        f"{url} kept changing while this sync ran ({ATTEMPTS} tries); what came in is "
        "merged here, sync again to send this machine's changes"
    )
