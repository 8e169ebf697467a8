"""The store alone at 5,000 and 50,000 states: ``python benchmarks/store_bench.py [N ...]``.

A write is durable when it returns (fsync of the log, of the file and of the directory), so
these numbers include the disk; the bare atomic write of the same bytes is shown as the floor,
to tell the store's own cost from the disk's. Citation keys are given to all N papers in one
transaction (every one with the same stem, the worst case of clashes), then read again as a
repeated export does.

With git installed, a ``state sync`` line follows each size: two homes holding the same N
states through a bare repository, then 50 changes on each side apart, then a sync of each; it
shows paperdesk's own time (budget: 1 s at 5,000 states) apart from git's.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from paperdesk.atomic import atomic_write_bytes
from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.records import Paper
from paperdesk.export.bibtex import choose_keys
from paperdesk.state.store import Store

SAMPLES = 60


@dataclass
class Timings:
    states: int
    file_mb: float
    write_p50_ms: float
    write_p95_ms: float
    floor_p50_ms: float
    floor_p95_ms: float
    open_s: float
    states_first_s: float
    states_cached_ms: float
    keys_given_s: float
    keys_again_s: float

    def __str__(self) -> str:
        return (
            f"{self.states:>6} states ({self.file_mb:.1f} MB): set_status p50 "
            f"{self.write_p50_ms:.1f} ms, p95 {self.write_p95_ms:.1f} ms (bare atomic write of "
            f"the file: p50 {self.floor_p50_ms:.1f}, p95 {self.floor_p95_ms:.1f}); open "
            f"{self.open_s:.2f} s; states() {self.states_first_s:.2f} s first, "
            f"{self.states_cached_ms:.1f} ms cached; citation keys {self.keys_given_s:.2f} s "
            f"to give, {self.keys_again_s:.2f} s to read again"
        )


@dataclass
class SyncTimings:
    states: int
    own_s: float
    git_s: float
    events_in: int

    def __str__(self) -> str:
        budget = "ok" if self.states > 5_000 or self.own_s <= 1.0 else "OVER the 1 s budget"
        return (
            f"{self.states:>6} states, state sync after 50 changes on each side: paperdesk "
            f"{self.own_s:.2f} s ({budget}) + git {self.git_s:.2f} s (the slower side, "
            f"{self.events_in} events in)"
        )


def measure_sync(n: int, directory: Path) -> SyncTimings:
    """Two homes share N states through a bare repository; each makes 50 changes apart;
    then each syncs. The slower side's time, split into git's and paperdesk's own."""
    from paperdesk.state.gitsync import sync

    os.environ.setdefault("GIT_AUTHOR_NAME", "bench")
    os.environ.setdefault("GIT_AUTHOR_EMAIL", "bench@example.org")
    os.environ.setdefault("GIT_COMMITTER_NAME", "bench")
    os.environ.setdefault("GIT_COMMITTER_EMAIL", "bench@example.org")
    remote = directory / f"remote-{n}.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    catalog = papers(n)
    a = Store.open(directory / f"sync-a-{n}" / "store.json")
    b = Store.open(directory / f"sync-b-{n}" / "store.json")
    a.set_status(catalog, "queued")
    sync(a, str(remote))
    sync(b, str(remote))
    rng = random.Random(n)
    for store in (a, b):
        for i in range(50):
            paper = rng.choice(catalog)
            if i % 2:
                store.set_status([paper], rng.choice(("read", "reading", "skipped")))
            else:
                store.set_note(paper, f"note {i} from {store.machine.id}")
    reports = [sync(a, str(remote)), sync(b, str(remote))]
    slowest = max(reports, key=lambda r: r.seconds - r.git_seconds)
    return SyncTimings(
        states=n,
        own_s=slowest.seconds - slowest.git_seconds,
        git_s=slowest.git_seconds,
        events_in=slowest.pulled.events,
    )


def papers(n: int) -> list[Paper]:
    titles = [f"ServerlessLLM {i}: Low-Latency Serverless Inference for LLMs" for i in range(n)]
    return [
        Paper(id=paper_id(t), title=t, venue="OSDI 2024", source="awesome-papers") for t in titles
    ]


def measure(n: int, directory: Path) -> Timings:
    path = directory / f"store-{n}" / "store.json"  # a store and its log per size
    catalog = papers(n)
    Store.open(path).set_status(catalog, "queued")
    opens = []
    for _ in range(3):
        start = time.perf_counter()
        store = Store.open(path)
        opens.append(time.perf_counter() - start)
    writes = []
    for i in range(SAMPLES):
        paper = catalog[(i * 7919) % n]
        start = time.perf_counter()
        store.set_status([paper], "read" if i % 2 else "reading")
        writes.append(time.perf_counter() - start)
    writes.sort()
    data = path.read_bytes()
    floor = []
    for _ in range(SAMPLES // 2):
        start = time.perf_counter()
        atomic_write_bytes(directory / "floor.json", data)
        floor.append(time.perf_counter() - start)
    floor.sort()
    fresh = Store.open(path)
    start = time.perf_counter()
    fresh.states()
    first = time.perf_counter() - start
    start = time.perf_counter()
    fresh.states()
    cached = time.perf_counter() - start
    start = time.perf_counter()
    keys = fresh.citation_keys(catalog, lambda stored: choose_keys(catalog, {}, stored))
    given = time.perf_counter() - start
    assert len(set(keys.values())) == n
    start = time.perf_counter()
    Store.open(path).citation_keys(catalog, lambda stored: {})
    again = time.perf_counter() - start
    return Timings(
        states=n,
        file_mb=path.stat().st_size / 1e6,
        write_p50_ms=1000 * statistics.median(writes),
        write_p95_ms=1000 * writes[int(0.95 * len(writes))],
        floor_p50_ms=1000 * statistics.median(floor),
        floor_p95_ms=1000 * floor[int(0.95 * len(floor))],
        open_s=statistics.median(opens),
        states_first_s=first,
        states_cached_ms=1000 * cached,
        keys_given_s=given,
        keys_again_s=again,
    )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("counts", nargs="*", type=int, help="states to measure (5000 50000)")
    counts = parser.parse_args().counts or [5_000, 50_000]
    with tempfile.TemporaryDirectory(prefix="paperdesk-bench-") as tmp:
        for count in counts:
            print(measure(count, Path(tmp)), flush=True)
            if shutil.which("git"):
                print(measure_sync(count, Path(tmp)), flush=True)
