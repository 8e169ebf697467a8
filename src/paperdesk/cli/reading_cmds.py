"""Reading-flow commands: saved views (``view``) and the ordered reading queue (``queue``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from paperdesk.cli.common import (
    add_command,
    echo,
    open_workspace,
    parse_query,
    print_json,
    query_rows,
)
from paperdesk.errors import NotFoundError, UsageError
from paperdesk.state.file_format import VIEW_KEYS

if TYPE_CHECKING:
    from paperdesk.state.models import SavedView
    from paperdesk.workspace import Workspace

MOVES = ("top", "bottom", "up", "down")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    view = add_command(commands, "view", "saved queries: the desk's keys 1-9")
    actions = view.add_subparsers(dest="view_command", metavar="ACTION", required=True)
    save = actions.add_parser("save", help="save a query under a name (replaces one)")
    save.add_argument("name", metavar="NAME")
    save.add_argument("query", metavar="QUERY", help="e.g. 'status:unread tag:\"kv cache\"'")
    lst = actions.add_parser("list", help="the saved views with their keys and counts")
    lst.add_argument("--json", action="store_true")
    remove = actions.add_parser("remove", help="delete a saved view")
    remove.add_argument("name", metavar="NAME")
    view.set_defaults(handler=run_view)

    queue = add_command(commands, "queue", "the queued papers in reading order")
    moves = queue.add_subparsers(dest="queue_command", metavar="ACTION")
    show = moves.add_parser("list", help="list the queue (the default)")
    show.add_argument("--json", action="store_true")
    move = moves.add_parser("move", help="move a queued paper to another place")
    move.add_argument("paper", metavar="PAPER", help="paper id or title fragment")
    move.add_argument(
        "position", metavar="POSITION", help=f"a place (1 is first) or one of: {', '.join(MOVES)}"
    )
    queue.add_argument("--json", action="store_true", help="print a JSON array")
    queue.set_defaults(handler=run_queue)


def find_view(ws: Workspace, name: str) -> SavedView:
    """The saved view ``name`` (ignoring case); NotFoundError naming the command that lists."""
    wanted = name.strip().casefold()
    for view in ws.store.views():
        if view.name.casefold() == wanted:
            return view
    raise NotFoundError(f"no saved view named {name!r}; 'paperdesk view list' shows them")


def run_view(args: argparse.Namespace) -> int:
    command = args.view_command
    if command == "save":
        query = parse_query(args.query)  # a mistake exits 2 and saves nothing
        assert query is not None
        ws = open_workspace(args)
        view, replaced = ws.store.save_view(args.name, args.query)
        views = [v.name for v in ws.store.views()]
        place = views.index(view.name) + 1
        key = f", key {place} in the desk" if place <= VIEW_KEYS else ""
        count = len(query_rows(ws, query))
        verb = "replaced" if replaced else "saved"
        echo(f"{verb} view {view.name}{key}: {count} {'paper' if count == 1 else 'papers'}")
        return 0
    ws = open_workspace(args)
    if command == "remove":
        view = ws.store.remove_view(args.name)
        echo(f"removed view {view.name} ({view.query})")
        return 0
    rows = []
    for place, view in enumerate(ws.store.views(), start=1):
        rows.append(
            {
                "key": place if place <= VIEW_KEYS else None,
                "name": view.name,
                "query": view.query,
                "papers": _count(ws, view.query),
            }
        )
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        key = row["key"] or "-"
        papers = "?" if row["papers"] is None else row["papers"]
        echo(f"{key:>2}  {row['name']:<24} {papers:>6}  {row['query']}")
    return 0


def _count(ws: Workspace, query: str) -> int | None:
    """Papers of a saved view's query; None for one that no longer parses (edited by hand)."""
    from paperdesk.query import QueryError

    try:
        node = parse_query(query)
    except QueryError:
        return None
    assert node is not None
    return len(query_rows(ws, node))


def queued_ids(ws: Workspace) -> list[str]:
    """The queue in reading order, without papers no list holds now."""
    by_id = ws.catalog.by_id
    return [pid for pid in ws.store.queue() if pid in by_id]


def run_queue(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    if args.queue_command == "move":
        paper = ws.catalog.find(args.paper)
        order = queued_ids(ws)
        if paper.id not in order:
            raise NotFoundError(
                f"paper {paper.id} is not queued; queue it with 'paperdesk mark {paper.id} queued'"
            )
        place = _place(args.position, order.index(paper.id), len(order))
        rest = [pid for pid in order if pid != paper.id]
        before = rest[place] if place < len(rest) else None
        ws.store.place_in_queue(paper.id, before=before)
        echo(f"queue: {paper.title} is now {place + 1} of {len(order)}")
        return 0
    order = queued_ids(ws)
    catalog = ws.catalog
    if args.json:
        records = []
        for place, pid in enumerate(order, start=1):
            record = ws.paper_record(catalog.paper(catalog.by_id[pid]))
            records.append({"position": place, **record})
        print_json(records)
        return 0
    if not order:
        echo("the queue is empty; queue papers with 'paperdesk mark PAPER queued' or a in the desk")
    for place, pid in enumerate(order, start=1):
        paper = catalog.paper(catalog.by_id[pid])
        echo(f"{place:>3}  {pid:<37} {paper.venue or '-':<14} {paper.title}")
    return 0


def _place(position: str, current: int, size: int) -> int:
    """The 0-based place a ``queue move`` POSITION names, within the queue's ``size``."""
    word = position.strip().casefold()
    named = {"top": 0, "bottom": size - 1, "up": current - 1, "down": current + 1}
    if word in named:
        return max(0, min(named[word], size - 1))
    try:
        number = int(word)
    except ValueError:
        raise UsageError(
            f"queue position {position!r} is neither a number nor one of: {', '.join(MOVES)}"
        ) from None
    if number < 1:
        raise UsageError(f"queue position {number} is not a place; 1 is the first")
    return min(number, size) - 1
