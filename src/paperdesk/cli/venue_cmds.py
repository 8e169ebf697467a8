"""Conference triage on the command line: venue fetch|list|publish, and triage."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperdesk.cli.common import (
    STATUS_GLYPHS,
    add_command,
    add_global_options,
    echo,
    open_workspace,
    print_json,
)
from paperdesk.cli.reports import plural
from paperdesk.errors import NotFoundError, UsageError

if TYPE_CHECKING:
    from paperdesk.catalog.models import TodoItem
    from paperdesk.state.triage import TriageCount
    from paperdesk.workspace import Workspace


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    venue = add_command(
        commands, "venue", "a conference's accepted papers: fetch them, list them, publish picks"
    )
    venue.set_defaults(handler=lambda _args: _needs_action(venue), venue_command=None)
    actions = venue.add_subparsers(dest="venue_command", metavar="ACTION")

    fetch = actions.add_parser(
        "fetch",
        help="bring a venue's accepted papers from DBLP (or a file) as a source to triage",
        description="Bring a venue's accepted papers from DBLP, or from a local DBLP XML/JSON "
        "file or a title-per-line file, as a source of kind venue; fetching again keeps every "
        "reading state.",
    )
    fetch.add_argument(
        "venue",
        metavar="VENUE",
        help="'NSDI 2025', \"NSDI'25\", a DBLP key (db/conf/nsdi/nsdi2025) or a DBLP URL",
    )
    fetch.add_argument(
        "--file", metavar="PATH", help="read the papers from this DBLP XML/JSON or title file"
    )
    fetch.add_argument(
        "--name",
        metavar="NAME",
        help="the venue's name ('HotOS 2025') when DBLP or the file does not say it",
    )
    fetch.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    fetch.set_defaults(handler=run_fetch)

    listing = actions.add_parser("list", help="the fetched venues with their triage progress")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_venue_list)

    publish = actions.add_parser(
        "publish",
        help="add the venue's picks (queued papers) to your markdown list, under its heading",
        description="Add the venue's picked (queued) papers to a markdown list under the "
        "venue's heading, in the list's own style, changing no other line; prints the diff.",
    )
    publish.add_argument("venue", metavar="VENUE", help="'NSDI 2025' or \"NSDI'25\"")
    publish.add_argument("--into", metavar="LIST.md", required=True, help="the list to add to")
    publish.add_argument(
        "--topics", action="store_true", help="group the picks under ### headings by session"
    )
    publish.add_argument(
        "--dry-run", action="store_true", help="print the diff only; write nothing"
    )
    publish.add_argument(
        "--yes", action="store_true", help="mark the venue's TODO done without asking"
    )
    publish.set_defaults(handler=run_publish)

    for parser in (fetch, listing, publish):
        add_global_options(parser)

    triage = add_command(commands, "triage", "the papers of a venue not triaged yet, in order")
    triage.add_argument("venue", metavar="VENUE", help="'NSDI 2025' or \"NSDI'25\"")
    triage.add_argument("--json", action="store_true", help="print a JSON array")
    triage.add_argument("--all", action="store_true", help="every paper of the venue, triaged too")
    triage.set_defaults(handler=run_triage)


def _needs_action(parser: argparse.ArgumentParser) -> int:
    parser.error("give an action: fetch, list or publish")
    return 2


def venue_name(text: str) -> str:
    """The canonical name of a venue as the user wrote it (``NSDI'25`` -> ``NSDI 2025``)."""
    from paperdesk.catalog.dblp_venues import venue_name as parse

    try:
        return parse(text).name or text
    except UsageError:
        return " ".join(text.split())


def run_fetch(args: argparse.Namespace) -> int:
    from paperdesk.catalog.dblp_venues import resolve_venue
    from paperdesk.locations import Locations
    from paperdesk.net.dblp import fetch_venue, install_venue

    if args.catalog:
        raise UsageError("venue fetch writes to the home; drop --catalog")
    ref = resolve_venue(args.venue)
    if args.name is not None:
        name = venue_name(args.name)
        if not name:
            raise UsageError("--name needs the venue's name, e.g. --name 'HotOS 2025'")
        ref = dataclasses.replace(ref, name=name, label=name)
    file = Path(args.file).expanduser() if args.file else None
    fetched = fetch_venue(Locations.resolve(args.home), ref, file=file)  # nothing written yet
    ws = open_workspace(args)
    report = install_venue(ws, fetched)
    catalog = fetched.catalog
    venue = catalog.title or catalog.source
    count = triage_count(ws, venue)
    topics = {topic for paper in catalog.papers for topic in paper.topics}
    if args.json:
        print_json(
            {
                "venue": venue,
                "source": catalog.source,
                "from": fetched.location,
                "papers": len(catalog.papers),
                "topics": len(topics),
                "triaged": count.triaged,
                "picked": count.picked,
            }
        )
        return 0
    echo(
        f"fetched {venue} from {fetched.location} as source {catalog.source}: "
        f"{plural(report.papers, 'paper')}, {plural(len(topics), 'topic')}; {count}"
    )
    return 0


def triage_count(ws: Workspace, venue: str) -> TriageCount:
    from paperdesk.state.triage import count

    ids = ws.catalog.columns.id
    return count(ws.status_of(ids[row]) for row in ws.catalog.triage_rows(venue))


def run_venue_list(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    rows = []
    for source in ws.catalog.sources:
        if source.kind != "venue" or not source.title:
            continue
        progress = triage_count(ws, source.title)
        rows.append(
            {
                "venue": source.title,
                "source": source.name,
                "papers": progress.total,
                "triaged": progress.triaged,
                "picked": progress.picked,
                "done": progress.done,
                "origin": source.location,
                "fetched_at": source.fetched_at,
            }
        )
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        echo("no venue fetched yet; fetch one with 'paperdesk venue fetch \"NSDI 2025\"'")
    for row in rows:
        progress = f"{row['triaged']}/{row['papers']} triaged · {row['picked']} picked"
        echo(f"{row['venue']:<22} {progress:<32} {row['source']}")
    return 0


def run_triage(args: argparse.Namespace) -> int:
    from paperdesk.state.triage import count, is_triaged

    ws = open_workspace(args)
    catalog = ws.catalog
    venue = find_venue(ws, args.venue)
    rows = catalog.triage_rows(venue)
    ids = catalog.columns.id
    statuses = [ws.status_of(ids[row]) for row in rows]
    pairs = zip(rows, statuses, strict=True)
    shown = [row for row, status in pairs if args.all or not is_triaged(status)]
    if args.json:
        print_json([_triage_record(ws, row) for row in shown])
        return 0
    echo(f"{venue}: {count(statuses)}")
    titles, topics = catalog.columns.title, catalog.columns.topics
    for row in shown:
        glyph = STATUS_GLYPHS[ws.status_of(ids[row])]
        topic = topics[row][0] if topics[row] else "-"
        echo(f"[{glyph}] {ids[row]:<37} {topic[:24]:<24} {titles[row]}")
    return 0


def _triage_record(ws: Workspace, row: int) -> dict[str, Any]:
    paper = ws.catalog.paper(row)
    record = ws.paper_record(paper)
    record.update(ws.fetched(paper))
    return record


def find_venue(ws: Workspace, text: str) -> str:
    """The venue's name as the catalog has it; NotFoundError names the fetched ones."""
    name = venue_name(text)
    try:
        return ws.catalog.venue(name).name
    except NotFoundError:
        fetched = ", ".join(ws.catalog.fetched_venues) or "none yet"
        raise NotFoundError(
            f"no venue {text!r}; fetched venues: {fetched} ('paperdesk venue fetch' brings one)"
        ) from None


def run_publish(args: argparse.Namespace) -> int:
    from paperdesk.export.publish import Pick, apply_plan, plan_publish, read_list
    from paperdesk.state.triage import PICK

    if not args.into.strip():
        raise UsageError("--into needs the path of a markdown list")
    ws = open_workspace(args)
    venue = find_venue(ws, args.venue)
    catalog = ws.catalog
    rows = catalog.triage_rows(venue)
    ids = catalog.columns.id
    picks = []
    for row in rows:
        if ws.status_of(ids[row]) == PICK:
            paper = catalog.paper(row)
            picks.append(Pick(paper.title, paper.url, paper.topics[0] if paper.topics else None))
    todo = _todo_of(ws, venue)
    url = (todo.url if todo is not None else None) or catalog.venue(venue).url
    path = Path(args.into).expanduser()
    plan = plan_publish(read_list(path), venue, picks, url=url, topics=args.topics)
    if not picks:
        echo(f"no picks of {venue} to publish; pick papers with 'paperdesk mark PAPER queued'")
    elif not plan.changed:
        every = "the one pick" if len(picks) == 1 else f"all {len(picks)} picks"
        verb = "is" if len(picks) == 1 else "are"
        echo(f"nothing to add: {every} of {venue} {verb} already in {path}")
    elif args.dry_run:
        sys.stdout.write(plan.diff())
    else:
        apply_plan(plan)  # a refusal (the list changed meanwhile) prints no diff of it
        sys.stdout.write(plan.diff())
        where = "a new heading" if plan.heading_added else "its heading"
        echo(f"added {plural(len(plan.added), 'pick')} of {venue} to {path} under {where}")
    if args.dry_run:
        return 0
    if todo is not None and not todo.done and triage_count(ws, venue).done:
        _offer_todo_done(ws, todo.name, yes=args.yes)
    return 0


def _todo_of(ws: Workspace, venue: str) -> TodoItem | None:
    """The TODO conference that is this venue (``NSDI'25`` for ``NSDI 2025``), if any."""
    wanted = venue.casefold()
    return next((t for t in ws.todos() if venue_name(t.name).casefold() == wanted), None)


def _offer_todo_done(ws: Workspace, name: str, *, yes: bool) -> None:
    """Mark the venue's TODO done: with ``--yes``, or when the user says so on a terminal;
    never silently: without a terminal, say how."""
    if not yes:
        if not sys.stdin.isatty():
            echo(
                f"{name} is fully triaged; mark its TODO done with "
                f"'paperdesk todo done \"{name}\"' (or publish with --yes)"
            )
            return
        try:
            answer = input(f"{name} is fully triaged. Mark its TODO done? [y/N] ")
        except EOFError:  # ctrl-d is a no
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            echo(f"{name} stays on the TODO list")
            return
    store = ws.store
    with store.transaction():
        ws.seed_todos([name])
        store.update_todo(name, done=True)
    echo(f"todo done: {name}")
