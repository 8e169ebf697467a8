"""Network commands: sync (re-fetch URL sources) and enrich (arXiv metadata)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, TextIO

from paperdesk.cli.common import add_command, add_scope, echo, fail, open_workspace, scoped_papers
from paperdesk.cli.reports import print_import_report
from paperdesk.errors import EXIT_FAILURE, FetchError

if TYPE_CHECKING:
    from paperdesk.net.arxiv import EnrichReport

PROGRESS_MIN_PAPERS = 4
BAR_WIDTH = 24


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = add_command(commands, "sync", "re-fetch the sources imported from a URL, state kept")
    sync.add_argument("names", nargs="*", metavar="NAME", help="sources to sync (default: all)")
    sync.set_defaults(handler=run_sync)

    enrich = add_command(commands, "enrich", "fetch abstracts and authors from arXiv")
    enrich.add_argument("papers", nargs="*", metavar="PAPER", help="paper ids or title fragments")
    add_scope(enrich)
    enrich.add_argument("--force", action="store_true", help="fetch again papers already enriched")
    enrich.set_defaults(handler=run_enrich)


def run_sync(args: argparse.Namespace) -> int:
    from paperdesk.net.sync import sync_sources, url_sources

    ws = open_workspace(args)
    if not args.names and not args.catalog and not url_sources(ws.files):
        echo("no source was imported from a URL; import one with 'paperdesk import URL'")
        return 0
    failed = False
    for result in sync_sources(ws, args.names, progress=_stderr_line):
        if result.error:
            failed = True
            fail(result.error, EXIT_FAILURE)
        elif result.unchanged:
            echo(f"{result.name}: unchanged")
        elif result.report is not None:
            report = result.report
            echo(
                f"{result.name}: {report.papers} papers, {report.venues} venues "
                f"({len(report.new_papers)} new, {len(report.removed)} orphaned, "
                f"{len(report.relinked)} relinked)"
            )
            print_import_report(report)
    return EXIT_FAILURE if failed else 0


def _stderr_line(message: str) -> None:
    if message.startswith("fetching "):
        echo(message, file=sys.stderr)


def run_enrich(args: argparse.Namespace) -> int:
    from paperdesk.net.arxiv import enrich

    ws = open_workspace(args)
    papers = scoped_papers(ws, args, args.papers)
    bar = ProgressBar(sys.stderr) if len(papers) >= PROGRESS_MIN_PAPERS else None
    report = enrich(ws, papers, force=args.force, progress=bar.update if bar else None)
    if bar is not None:
        bar.close()
    if report.errors:  # the error alone, saying what was kept of the run it stopped
        kept = f"; the {len(report.matched)} enriched before it were kept" if report.matched else ""
        raise FetchError(f"{report.errors[0]}{kept}")
    echo(enrich_summary(report))
    titles = {p.id: p.title for p in papers}
    for pid in report.unmatched:
        echo(f"  no arXiv match: {titles[pid]}")
    return 0


def enrich_summary(report: EnrichReport) -> str:
    """``enriched 3, unmatched 1, skipped 2 (already enriched; …)``: only the parts that apply."""
    parts = [
        (report.matched, "enriched {}"),
        (report.unmatched, "unmatched {}"),
        (report.skipped, "skipped {} (already enriched; --force fetches them again)"),
    ]
    return ", ".join(text.format(len(ids)) for ids, text in parts if ids)


class ProgressBar:
    """Enrichment progress on stderr: a ``\\r``-redrawn bar with an ETA on a terminal, one
    plain line per paper otherwise (so logs and pipes stay readable)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.drawn = False

    def update(self, done: int, total: int, title: str) -> None:
        title = "".join(ch for ch in " ".join(title.split()) if ch.isprintable())
        elapsed = time.monotonic() - self.started
        eta = _duration(elapsed / done * (total - done)) if done else "?"
        if not self.tty:
            self.stream.write(f"enrich {done}/{total} (ETA {eta}): {title}\n")
            self.stream.flush()
            return
        filled = BAR_WIDTH * done // max(total, 1)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        line = f"[{bar}] {done}/{total} ETA {eta}  {title}"
        self.stream.write("\r" + line[:100].ljust(100))
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
