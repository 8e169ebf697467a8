"""Reading-state commands: mark, note, todo, doctor."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from paperdesk.cli.common import add_command, open_workspace, print_json
from paperdesk.errors import InputError, NotFoundError, UsageError
from paperdesk.models import STATUSES, Paper, TodoItem


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mark = add_command(commands, "mark", "set the reading status of papers")
    mark.add_argument(
        "items",
        nargs="+",
        metavar="PAPER… STATUS",
        help=f"paper ids or title fragments, then one of: {', '.join(STATUSES)}",
    )
    scope = mark.add_mutually_exclusive_group()
    scope.add_argument("--venue", metavar="V", help="every paper of this venue")
    scope.add_argument("--topic", metavar="T", help="every paper with this topic")
    scope.add_argument("--all", action="store_true", help="every paper of the catalog")
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
    lst = actions.add_parser("list", help="list TODO conferences")
    lst.add_argument("--json", action="store_true")
    add = actions.add_parser("add", help="add a conference")
    add.add_argument("name", metavar="NAME")
    for parser in (add, edit := actions.add_parser("edit", help="change a conference")):
        parser.add_argument("--url", metavar="URL")
        parser.add_argument("--date", metavar="YYYY-MM-DD", type=parse_date)
        parser.add_argument("--note", metavar="TEXT")
    edit.add_argument("name", metavar="NAME")
    edit.add_argument("--rename", metavar="NEW", help="new name")
    for verb, text in [
        ("done", "mark reviewed"),
        ("undone", "mark not reviewed"),
        ("remove", "remove a conference"),
    ]:
        actions.add_parser(verb, help=text).add_argument("name", metavar="NAME")
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


def run_mark(args: argparse.Namespace) -> int:
    *refs, status = args.items
    if status not in STATUSES:
        raise InputError(f"unknown status {status!r}; use one of: {', '.join(STATUSES)}")
    ws = open_workspace(args)
    catalog = ws.catalog
    scoped = args.all or args.venue or args.topic
    if scoped and refs:
        raise UsageError("give either papers or --venue/--topic/--all, not both")
    if args.all:
        papers: list[Paper] = list(catalog.papers)
    elif args.venue:
        papers = [catalog.papers[r] for r in catalog.venue(args.venue).rows]
    elif args.topic:
        papers = [catalog.papers[r] for r in catalog.topic_rows(args.topic)]
    elif refs:
        papers = [catalog.find(ref) for ref in refs]
    else:
        raise UsageError("name at least one paper (or --venue/--topic/--all) before the status")
    if not papers:
        raise NotFoundError("no papers in that selection")
    ws.store.set_status(papers, status)
    noun = "paper" if len(papers) == 1 else "papers"
    print(f"{status}: {len(papers)} {noun}" + (f" ({papers[0].title})" if len(papers) == 1 else ""))
    return 0


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
        edited = edit_in_editor(store.note_of(paper.id) or "")
        if edited is not None:
            store.set_note(paper, edited)
    else:
        note = store.note_of(paper.id)
        if note:
            print(note)
        return 0
    print(f"note saved: {paper.title}")
    return 0


def edit_in_editor(text: str) -> str | None:
    """Open ``$VISUAL``/``$EDITOR`` on ``text``; None when the editor failed."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="paperdesk-") as tmp:
        path = Path(tmp) / "note.md"
        path.write_text(text, encoding="utf-8")
        try:
            code = subprocess.call([*shlex.split(editor), str(path)])
        except OSError as exc:
            raise InputError(f"cannot run editor {editor!r}: {exc.strerror}; set $EDITOR") from None
        if code != 0:
            print(f"editor exited with {code}; note unchanged", file=sys.stderr)
            return None
        return path.read_text(encoding="utf-8").rstrip("\n")


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
            print(f"[{box}] {item.name:<22} {when:<22} {item.url or ''}")
        return 0
    ws.seed_todos()
    store = ws.store
    if command == "add":
        store.add_todo(TodoItem(name=args.name, url=args.url, date=args.date, note=args.note))
    elif command == "edit":
        changes = {
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
        store.update_todo(args.name, **changes)
    elif command in ("done", "undone"):
        store.update_todo(args.name, done=command == "done")
    elif command == "remove":
        store.remove_todo(args.name)
    print(f"todo {command}: {args.name}")
    return 0


def run_doctor(args: argparse.Namespace) -> int:
    from paperdesk.locations import Locations
    from paperdesk.store import Store

    locations = Locations.resolve(args.home)
    if args.restore:
        used = Store.restore_newest_backup(locations.store)
        print(f"restored {locations.store} from {used}")
        return 0
    ws = open_workspace(args)
    report = ws.store.doctor(ws.catalog.by_id.keys())
    data = report.model_dump(mode="json")
    if args.json:
        print_json(data)
        return 1 if data.get("problems") else 0
    for key, value in data.items():
        if isinstance(value, list):
            print(f"{key}: {len(value)}")
            for item in value:
                print(f"  {item}")
        else:
            print(f"{key}: {value}")
    return 1 if data.get("problems") else 0
