"""Reading-state commands: mark, note, todo, doctor."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from paperdesk.catalog.records import STATUSES, Paper, parse_status
from paperdesk.cli.common import (
    add_command,
    add_scope,
    echo,
    open_workspace,
    print_json,
    scoped_papers,
)
from paperdesk.errors import UsageError

if TYPE_CHECKING:
    from paperdesk.workspace import Workspace


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mark = add_command(commands, "mark", "set the reading status of papers")
    mark.add_argument(
        "items",
        nargs="*",
        metavar="PAPER… STATUS",
        help=f"paper ids or title fragments, then one of: {', '.join(STATUSES)}",
    )
    add_scope(mark)
    mark.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help=f"mark a whole scope or more than {BULK_PAPERS} papers without asking",
    )
    mark.add_argument(
        "--dry-run", action="store_true", help="list what would change and change nothing"
    )
    mark.set_defaults(handler=run_mark)

    note = add_command(commands, "note", "show or change a paper's note")
    note.add_argument("paper", metavar="PAPER")
    action = note.add_mutually_exclusive_group()
    action.add_argument("--set", metavar="TEXT", help="replace the note")
    action.add_argument("--append", metavar="TEXT", help="add a line to the note")
    action.add_argument("--edit", action="store_true", help="edit the note in $EDITOR")
    action.add_argument("--clear", action="store_true", help="delete the note")
    note.set_defaults(handler=run_note)

    todo = add_command(commands, "todo", "the conferences still to review")
    actions = todo.add_subparsers(dest="todo_command", metavar="ACTION", required=True)
    lst = add_command(actions, "list", "list TODO conferences")
    lst.add_argument("--json", action="store_true")
    add = add_command(actions, "add", "add a conference")
    add.add_argument("name", metavar="NAME")
    for parser in (add, edit := add_command(actions, "edit", "change a conference")):
        parser.add_argument("--url", metavar="URL")
        parser.add_argument("--date", metavar="YYYY-MM-DD", type=parse_date)
        parser.add_argument("--note", metavar="TEXT")
    edit.add_argument("name", metavar="NAME", help="a name or an unambiguous part of one")
    edit.add_argument("--rename", metavar="NEW", help="new name")
    for verb, text in [
        ("done", "mark reviewed"),
        ("undone", "mark not reviewed"),
        ("remove", "remove a conference"),
    ]:
        add_command(actions, verb, text).add_argument(
            "name", metavar="NAME", help="a name or an unambiguous part of one"
        )
    todo.set_defaults(handler=run_todo)

    doctor = add_command(commands, "doctor", "check the store; list orphaned state and backups")
    doctor.add_argument("--json", action="store_true")
    doctor.add_argument(
        "--restore",
        action="store_true",
        help="replace an unreadable store with its newest good backup",
    )
    doctor.set_defaults(handler=run_doctor)


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-10-13") from None


def mark_words(words: list[str], *, scoped: bool) -> tuple[list[str], str]:
    """The papers and the status of ``mark PAPER… STATUS`` (the status is the last word); a
    forgotten status is named as such rather than taken for an unknown one."""
    choices = f"use one of: {', '.join(STATUSES)}"
    if not words:
        what = "STATUS after the selection" if scoped else "PAPER and STATUS (mark PAPER… STATUS)"
        raise UsageError(f"missing {what}; {choices}")
    *refs, status = words
    if status not in STATUSES and not refs and not scoped:
        raise UsageError(f"missing STATUS after the papers; {choices}")
    return refs, parse_status(status)


def run_mark(args: argparse.Namespace) -> int:
    """Mark papers; a bulk mark (a scope, or more than :data:`BULK_PAPERS` papers) says how
    many it changes and asks on a terminal, and without one needs ``--yes`` (exit 2 and
    nothing changed otherwise). Every mark is one step ``paperdesk undo`` reverts."""
    scoped = bool(args.all or args.venue or args.topic or args.source or args.query)
    refs, status = mark_words(args.items, scoped=scoped)
    ws = open_workspace(args)
    papers = scoped_papers(ws, args, refs)
    ws.store.check_writable()  # what it would change is read from a store it may write
    changing = [(p, ws.status_of(p.id)) for p in papers if ws.status_of(p.id) != status]
    noun = "paper" if len(papers) == 1 else "papers"
    if args.dry_run:
        echo(f"would mark {len(changing)} of {len(papers)} {noun} {status}")
        for paper, before in changing:
            echo(f"  {before:<8} -> {status:<8} {paper.title}")
        return 0
    bulk = scoped or len(papers) > BULK_PAPERS
    if bulk and not args.yes and not confirm(papers, changing, status):
        echo("nothing was marked", file=sys.stderr)
        return 1
    ws.store.set_status(papers, status)
    echo(f"{status}: {len(papers)} {noun}" + (f" ({papers[0].title})" if len(papers) == 1 else ""))
    return 0


#: A mark of more papers than this (or of a whole scope) asks first.
BULK_PAPERS = 20


def confirm(papers: list[Paper], changing: list[tuple[Paper, str]], status: str) -> bool:
    """Ask on a terminal whether to go on with a bulk mark; without one, refuse (UsageError)."""
    before = Counter(old for _, old in changing)
    was = ", ".join(f"{n} {old}" for old, n in before.most_common()) or "none"
    what = f"{len(papers)} papers {status}: {len(changing)} would change (now {was})"
    if not sys.stdin.isatty():
        raise UsageError(
            f"mark {what}; add --yes to mark them without asking (--dry-run lists them)"
        )
    sys.stderr.write(f"mark {what}? [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def run_note(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    paper = ws.catalog.find(args.paper)
    store = ws.store
    if args.set is not None:
        store.set_note(paper, args.set)
    elif args.append is not None:
        store.append_note(paper, args.append)
    elif args.clear:
        store.set_note(paper, None)
    elif args.edit:
        edit_note(ws, paper)
    else:
        note = store.note_of(paper.id)
        if note:
            echo(note)
        return 0
    echo(f"note saved: {paper.title}")
    return 0


def edit_note(ws: Workspace, paper: Paper) -> None:
    """Edit the note in the editor; if another process changed it meanwhile, keep both
    (:meth:`~paperdesk.workspace.Workspace.save_edited_note`)."""
    from paperdesk.editor import edit_in_editor

    original = ws.store.note_of(paper.id)
    edited = edit_in_editor(original or "", paper.id)
    ws.save_edited_note(paper, edited, original=original)


def todo_name(text: str) -> str:
    """A TODO name from the command line, stripped; an empty one is an error."""
    name = text.strip()
    if not name:
        raise UsageError("a TODO conference needs a name (it was empty)")
    return name


def run_todo(args: argparse.Namespace) -> int:
    from paperdesk.workspace import todo_record

    ws = open_workspace(args)
    command = args.todo_command
    if command == "list":
        items = ws.todos()
        if args.json:
            print_json([todo_record(item) for item in items])
            return 0
        today = dt.date.today()
        for item in items:
            box = "x" if item.done else " "
            when = f"{item.date} ({(item.date - today).days:+d} d)" if item.date else ""
            echo(f"[{box}] {item.name:<22} {when:<22} {item.url or ''}")
        return 0
    name = todo_name(args.name)
    if command != "add":
        name = ws.find_todo(name)
    store = ws.store
    with store.transaction():  # a failing command writes nothing, not even the seeding
        if command == "add":
            from paperdesk.catalog.models import TodoItem

            store.add_todo(TodoItem(name=name, url=args.url, date=args.date, note=args.note))
        else:
            ws.seed_todos([name])  # a listed conference the store has not met yet
        if command == "edit":
            changes: dict[str, Any] = {
                k: v
                for k, v in [
                    ("url", args.url),
                    ("date", args.date),
                    ("note", args.note),
                    ("name", args.rename),
                ]
                if v is not None
            }
            if not changes:
                raise UsageError("todo edit: give --url, --date, --note or --rename")
            if "name" in changes:
                changes["name"] = todo_name(changes["name"])
            store.update_todo(name, **changes)
        elif command in ("done", "undone"):
            store.update_todo(name, done=command == "done")
        elif command == "remove":
            store.remove_todo(name)
    echo(f"todo {command}: {name}")
    return 0


def run_doctor(args: argparse.Namespace) -> int:
    from paperdesk.locations import Locations
    from paperdesk.state.store import Store

    locations = Locations.resolve(args.home)
    if args.restore:
        used = Store.restore_newest_backup(locations.store)
        age = _age(time.time() - used.stat().st_mtime)
        states = len(Store.open(locations.store).states())
        echo(
            f"restored {locations.store} from backup {used} (saved {age} ago, "
            f"{states} paper {'state' if states == 1 else 'states'})"
        )
        return 0
    ws = open_workspace(args)
    report = ws.store.doctor(ws.catalog.by_id.keys())
    if args.json:
        print_json(report.model_dump(mode="json"))
        return 1 if report.problems else 0
    counts = report.counts
    by_status = ", ".join(f"{n} {status}" for status, n in counts.by_status.items())
    echo(f"store     {report.path} ({report.size_bytes} bytes, schema {report.schema_version})")
    echo(f"states    {counts.states} ({by_status}); {counts.notes} notes")
    echo(f"TODOs     {counts.todos} conferences")
    log = report.log
    events = sum(log.events.values())
    echo(
        f"log       {log.path} ({events} events of {len(log.events)} machines; this one: "
        f"{log.label}, {log.machine})"
    )
    echo(f"orphans   {len(report.orphans)} (state of papers no list holds now)")
    for orphan in report.orphans:
        note = " · has a note" if orphan.note else ""
        echo(f"  {orphan.id}  {orphan.title} [{orphan.venue or '-'}, {orphan.status}{note}]")
    echo(f"backups   {len(report.backups)}")
    for backup in report.backups:
        state = "ok" if backup.readable else "UNREADABLE"
        echo(f"  {backup.path} ({backup.size} bytes, {state})")
    echo(f"problems  {len(report.problems) or 'none'}")
    for problem in report.problems:
        echo(f"  {problem}")
    return 1 if report.problems else 0


def _age(seconds: float) -> str:
    """A rough age: ``40 s``, ``12 min``, ``5 h``, ``3 days``."""
    for unit, size in (("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{max(int(seconds), 0)} s"
