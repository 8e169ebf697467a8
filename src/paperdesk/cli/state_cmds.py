"""Reading state across machines and steps: state sync/export/import/info, undo, history."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from paperdesk.cli.common import add_command, echo, open_workspace, print_json
from paperdesk.errors import InputError, NotFoundError, UsageError

if TYPE_CHECKING:
    from paperdesk.state.events import AnyEvent
    from paperdesk.state.steps import Step
    from paperdesk.workspace import Workspace


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    state = add_command(commands, "state", "reading state on several machines (git sync, files)")
    actions = state.add_subparsers(dest="state_command", metavar="ACTION", required=True)
    sync = actions.add_parser(
        "sync", help="merge this home's reading state with a git remote, both ways"
    )
    sync.add_argument(
        "--remote",
        metavar="GIT_URL_OR_PATH",
        help="a git remote (a bare repository, say); remembered after the first sync",
    )
    sync.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_seconds,
        default=None,
        help="deadline of each git command (default 60)",
    )
    export = actions.add_parser("export", help="write every event of the log to a file")
    export.add_argument("file", metavar="FILE", help="a file to write, or - for stdout")
    load = actions.add_parser("import", help="merge the events of an exported file")
    load.add_argument("file", metavar="FILE", help="a file written by 'state export', or -")
    actions.add_parser("info", help="this machine, its log and the remembered remote")
    state.set_defaults(handler=run_state)

    undo = add_command(commands, "undo", "revert the last change of statuses or a note")
    undo.set_defaults(handler=run_undo)

    history = add_command(commands, "history", "list the last changes (steps), newest first")
    history.add_argument("paper", nargs="?", metavar="PAPER", help="only this paper's steps")
    history.add_argument(
        "--limit", metavar="N", type=_count, default=20, help="how many steps (default 20)"
    )
    history.add_argument("--all", action="store_true", help="every step")
    history.add_argument("--json", action="store_true")
    history.set_defaults(handler=run_history)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return int(text)


def run_state(args: argparse.Namespace) -> int:
    command = args.state_command
    ws = open_workspace(args)
    if command == "sync":
        from paperdesk.state.gitsync import DEFAULT_TIMEOUT, reach, sync

        timeout = args.timeout or DEFAULT_TIMEOUT
        reached = reach(ws.locations.log_dir, args.remote, timeout=timeout)  # before the store
        report = sync(ws.store, timeout=timeout, reached=reached)
        pulled = report.pulled
        came = (
            f"{pulled.events} events in from {', '.join(pulled.machines)} "
            f"({len(pulled.papers)} {_papers(len(pulled.papers))} changed)"
            if pulled.machines
            else "nothing new came in"
        )
        went = "this machine's changes sent" if report.pushed else "nothing to send"
        echo(f"synced with {report.remote}: {came}; {went}")
    elif command == "export":
        from paperdesk.state.events import encode

        events = ws.store.events()
        data = b"".join(encode(event) for event in events)
        if args.file == "-":
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            return 0
        from paperdesk.atomic import write_user_file

        write_user_file(Path(args.file), data)
        machines = {event.machine for event in events}
        echo(f"exported {len(events)} events of {len(machines)} machines to {args.file}")
    elif command == "import":
        events = _read_events(args.file)
        report = ws.store.merge(events)
        if not report.events:
            echo(f"{args.file}: nothing new")
        else:
            who = ", ".join(report.machines) or "this machine"
            n = len(report.papers)
            echo(f"imported {report.events} new events from {who} ({n} {_papers(n)} changed)")
    else:
        _info(ws)
    return 0


def _read_events(name: str) -> list[AnyEvent]:
    from paperdesk.state.events import LogError, decode

    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    events = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append(decode(line))
        except LogError as exc:
            raise InputError(f"{name} line {number} is {exc}; nothing was imported") from None
    return events


def _info(ws: Workspace) -> None:
    from paperdesk.state.gitsync import Git, GitSyncError

    store = ws.store
    machine = store.machine
    echo(f"machine   {machine.label} ({machine.id})")
    counts = {name: store.log.raw(name).count(b"\n") for name in store.log.names()}
    echo(f"log       {store.log.directory} ({sum(counts.values())} events, {len(counts)} files)")
    for name, count in counts.items():
        echo(f"  {name}  {count} events")
    try:
        remote = Git(store.log.directory, machine.label, 10.0).remembered()
    except GitSyncError as exc:  # no git here
        remote = str(exc)
    echo(f"remote    {remote or 'none yet (state sync --remote GIT_URL_OR_PATH)'}")
    merged = store.last_merge()
    if merged is not None:
        when = f"{merged.at.astimezone():%Y-%m-%d %H:%M}"
        n = merged.papers
        echo(
            f"merged    {when}: {merged.events} events from {', '.join(merged.machines)} "
            f"({n} {_papers(n)} changed)"
        )


def _what(step: Step, *, single: bool) -> str:
    """A step in a line: ``read: 7 papers``, or for one paper's history ``read (was queued)``."""
    if single and step.kind == "status":
        before = next(iter(step.before().values()), None)
        return f"{step.status} (was {before})"
    return step.kind if single else step.describe()


def _papers(n: int) -> str:
    return "paper" if n == 1 else "papers"


def run_undo(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    report = ws.store.undo()
    if report is None:
        raise NotFoundError("nothing to undo ('paperdesk history' lists the steps)")
    echo(report.message())
    return 0


def run_history(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    store = ws.store
    papers = None
    if args.paper is not None:
        paper = ws.catalog.find(args.paper)
        state = store.state(paper.id)
        papers = {paper.id, *(state.previous_ids if state else [])}
    if args.all and args.limit != 20:
        raise UsageError("give --all or --limit, not both")
    steps = store.steps(papers, None if args.all else args.limit)
    if args.json:
        print_json([step.as_json() for step in steps])
        return 0
    if not steps:
        echo("no steps yet" if papers is None else "no steps for that paper yet")
        return 0
    for step in steps:
        when = f"{step.at.astimezone():%Y-%m-%d %H:%M}"
        what = _what(step, single=papers is not None)
        if step.kind == "undo":
            undone = next((s for s in steps if s.id == step.undoes), None)
            if undone is not None:  # listed too: say which
                what = f"undo of {_what(undone, single=papers is not None)}"
        if step.undone_by:
            what += "  (undone)"
        echo(f"{when}  {step.label:<12} {what}")
    return 0
