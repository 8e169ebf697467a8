"""What an import or a sync changed, printed the same way by ``import`` and ``sync``."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from paperdesk.cli.common import echo

if TYPE_CHECKING:
    from paperdesk.workspace import ImportReport

#: Progress shows only for work that has already taken this long (seconds).
PROGRESS_DELAY = 2.0


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def print_import_report(report: ImportReport) -> None:
    for title in report.new_papers:
        echo(f"  new: {title}")
    for title in report.returned:
        echo(f"  back (state restored): {title}")
    for old, new in report.relinked:
        echo(f"  relinked: {old!r} -> {new!r}")
    for title in report.removed:
        echo(f"  removed (state kept as orphan): {title}")
    for venue in report.new_venues:
        echo(f"  new venue: {venue}")
    if report.todos_added:
        echo(f"  new TODO conferences: {', '.join(report.todos_added)}")
    if report.new_papers:
        echo(f"  {plural(len(report.new_papers), 'new paper')} in the inbox (list --inbox)")
    if report.removed:
        echo(
            f"  {plural(len(report.removed), 'paper')} became orphans: the list dropped them, "
            "their state is kept (list --orphans)"
        )


def print_read_report(report: dict[str, Any], path: str) -> None:
    """``import --report``: what was read, and each line that looked like a paper but was not
    imported, as ``PATH:LINE: reason`` so an editor can jump to it."""
    skipped = report["not_imported"]
    echo(
        f"read {report['papers']} papers, {report['with_arxiv_id']} with an arXiv id; "
        f"{len(skipped)} lines looked like papers but were not imported"
    )
    for entry in skipped:
        echo(f"  {path}:{entry['line']}: {entry['reason']}")


class TerminalProgress:
    """``done/total`` of a long step, rewritten in place on stderr: only on a terminal, and
    only once the step has taken :data:`PROGRESS_DELAY` seconds, so quick imports and scripts
    see nothing."""

    def __init__(self, label: str, stream: TextIO | None = None, delay: float = PROGRESS_DELAY):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.stream.isatty():
            return
        if not self.shown and time.monotonic() - self.started < self.delay:
            return
        self.shown = True
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{self.label} {done:,}/{total:,}{end}")
        self.stream.flush()
