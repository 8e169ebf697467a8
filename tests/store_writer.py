"""A separate writer process for the crash and concurrency tests of the store.

``python store_writer.py STORE MODE TAG [COUNT]`` opens the store, prints ``ready``, and then:

- ``crash``: loops forever; write ``i`` is op ``i`` of :func:`op` (tagged ``TAG:i``) and ``i``
  is printed, flushed, only after the call returned, so every printed number is a write the
  store acknowledged. The test SIGKILLs it at a random moment.
- ``notes``: waits for ``STORE.go``, then sets a note on each of its own COUNT papers and
  appends a line to the shared paper after each, then exits.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.records import STATUSES, Paper
from paperdesk.state.store import Store

REGISTERS = 20


def paper(title: str) -> Paper:
    return Paper(id=paper_id(title), title=title, venue="EuroSys 2025", source="awesome-papers")


LOG = paper("Crash test log paper")
SHARED = paper("Shared paper both processes append to")


def crash_paper(k: int) -> Paper:
    return paper(f"Crash test paper number {k}")


def op(store: Store, tag: str, i: int) -> None:
    """Write ``i``: alternately a note, an appended log line, and a status."""
    target = crash_paper(i % REGISTERS)
    if i % 3 == 0:
        store.set_note(target, f"{tag}:{i}")
    elif i % 3 == 1:
        store.append_note(LOG, f"{tag}:{i}")
    else:
        store.set_status([target], STATUSES[(i // 3) % len(STATUSES)])


def main(argv: list[str]) -> int:
    path, mode, tag = Path(argv[1]), argv[2], argv[3]
    store = Store.open(path, backup_interval=0.0)
    print("ready", flush=True)
    if mode == "crash":
        i = 0
        while True:
            op(store, tag, i)
            print(i, flush=True)
            i += 1
    count = int(argv[4])
    go = path.with_name(path.name + ".go")
    while not go.exists():
        time.sleep(0.002)
    for k in range(count):
        store.set_note(paper(f"Concurrent paper {tag} {k}"), f"{tag} note {k}")
        store.append_note(SHARED, f"{tag}:{k}")
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
