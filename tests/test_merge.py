"""The merge rules: a function of the set of events, so merging is commutative, associative and
idempotent; concurrent note edits are both kept; the later mark wins; tombstones win."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.catalog import identity
from paperdesk.catalog.records import STATUSES, Paper
from paperdesk.state.clock import Clock, tick
from paperdesk.state.events import AnyEvent, NoteEvent, StatusEvent, TodoEvent, new_id
from paperdesk.state.merge import fold_papers, fold_todos, union
from paperdesk.state.steps import last_undoable
from paperdesk.state.store import Store

PAPER_IDS = ["p-a", "p-b", "p-c"]
MACHINES = ["laptop-1", "server-2", "desk-3"]


@dataclass
class Replica:
    """A machine in miniature: its events and clock, making events as a store would."""

    machine: str
    wall: int
    events: list[AnyEvent] = field(default_factory=list)
    clock: Clock | None = None

    def stamp(self, step: str | None = None) -> dict:
        self.wall += 7
        self.clock = tick(self.clock, self.wall)
        return {
            "id": new_id(),
            "machine": self.machine,
            "label": self.machine.split("-")[0],
            "clock": str(self.clock),
            "step": step or new_id(),
        }

    def mark(self, paper: str, status: str) -> None:
        self.events.append(StatusEvent(**self.stamp(), paper=paper, status=status))

    def note(self, paper: str, text: str | None) -> None:
        fold = fold_papers(self.events, self.machine).get(paper)
        base = fold.note_heads if fold else []
        self.events.append(NoteEvent(**self.stamp(), paper=paper, note=text, base=base))

    def todo(self, name: str, fields: dict, origin: str = "user") -> None:
        self.events.append(
            TodoEvent(**{**self.stamp(), "origin": origin}, todo=name, fields=fields)
        )

    def undo(self) -> None:
        """What ``Store.undo`` writes: one marker per paper and kind of the last step."""
        step = last_undoable(reversed(union(self.events)))
        if step is None:
            return
        stamp = self.stamp()
        for event in {(e.paper, e.kind): e for e in step.events}.values():
            marker = {**stamp, "id": new_id(), "origin": "undo", "undoes": step.id}
            if isinstance(event, StatusEvent):
                self.events.append(StatusEvent(**marker, paper=event.paper, status=event.before))
            else:
                self.events.append(NoteEvent(**marker, paper=event.paper))

    def take(self, other: Replica) -> None:
        """A sync: the union, and a clock past everything seen."""
        self.events = union(self.events, other.events)
        if self.events:
            self.clock = max(filter(None, [self.clock, *(e.stamp for e in self.events)]))


OPS = st.lists(
    st.tuples(
        st.integers(0, 2),  # machine
        st.sampled_from(["mark", "note", "clear", "sync", "todo", "remove", "undo"]),
        st.integers(0, 2),  # paper, or the other machine
        st.sampled_from(STATUSES),
        st.text(max_size=8),
    ),
    max_size=40,
)


def run(ops: list, skews: list[int]) -> list[Replica]:
    replicas = [
        Replica(m, 1_700_000_000_000 + skew) for m, skew in zip(MACHINES, skews, strict=True)
    ]
    for machine, op, target, status, text in ops:
        replica = replicas[machine]
        paper = PAPER_IDS[target]
        if op == "mark":
            replica.mark(paper, status)
        elif op == "note":
            replica.note(paper, text or "x")
        elif op == "clear":
            replica.note(paper, None)
        elif op == "sync":
            replica.take(replicas[target])
        elif op == "undo":
            replica.undo()
        elif op == "todo":
            replica.todo(f"Conf {target}", {"name": f"Conf {target}", "note": text, "done": True})
        else:
            replica.todo(f"conf {target}", {"removed": True})
    return replicas


def state(events: list[AnyEvent]) -> tuple:
    return (
        {pid: fold.reading() for pid, fold in fold_papers(events, "nobody").items()},
        {key: todo.model_dump() for key, todo in fold_todos(events).items()},
    )


SKEWS = st.lists(st.integers(-5_000, 5_000), min_size=3, max_size=3)


@settings(max_examples=150, deadline=None)
@given(OPS, SKEWS)
def test_merging_is_commutative_associative_and_idempotent(ops: list, skews: list[int]) -> None:
    a, b, c = (r.events for r in run(ops, skews))
    assert state(union(a, b)) == state(union(b, a))
    assert state(union(union(a, b), c)) == state(union(a, union(b, c)))
    assert state(union(a, a)) == state(a)
    assert state(union(union(a, b), b)) == state(union(a, b))


@settings(max_examples=100, deadline=None)
@given(OPS, SKEWS, st.randoms(use_true_random=False))
def test_the_state_does_not_depend_on_the_order_events_arrive_in(
    ops: list, skews: list[int], rng: random.Random
) -> None:
    everything = union(*(r.events for r in run(ops, skews)))
    shuffled = list(everything)
    rng.shuffle(shuffled)
    assert state(shuffled) == state(everything)


@settings(max_examples=100, deadline=None)
@given(OPS, SKEWS)
def test_after_syncing_every_note_made_apart_is_present_and_the_last_mark_wins(
    ops: list, skews: list[int]
) -> None:
    apart = [op for op in ops if op[1] not in ("sync", "undo")]
    replicas = run(apart, skews)  # made apart
    merged = union(*(r.events for r in replicas))
    folds = fold_papers(merged, "nobody")
    for pid in PAPER_IDS:
        for replica in replicas:
            own = fold_papers(replica.events, replica.machine).get(pid)
            if own is not None and own.note:
                assert own.note in (folds[pid].note or "")
        marks = [e for e in merged if isinstance(e, StatusEvent) and e.paper == pid]
        if marks:
            assert folds[pid].status == max(marks, key=lambda e: e.key).status


def test_a_note_edited_on_two_machines_shows_both_versions_until_edited() -> None:
    laptop, server = Replica("laptop-1", 1_000), Replica("server-2", 2_000)
    laptop.note("p-a", "first thought")
    server.take(laptop)
    laptop.note("p-a", "laptop's second thought")
    server.note("p-a", "server's second thought")
    laptop.take(server)
    note = fold_papers(laptop.events, "laptop-1")["p-a"].note
    assert note is not None and "first thought\n" not in note
    lines = note.splitlines()
    assert lines[0].startswith("── laptop, ") and lines[1] == "laptop's second thought"
    assert lines[3].startswith("── server, ") and lines[4] == "server's second thought"
    laptop.note("p-a", "settled")  # the edit replaces both versions it showed
    server.take(laptop)
    assert fold_papers(server.events, "server-2")["p-a"].note == "settled"


def test_a_clear_does_not_drop_an_edit_made_elsewhere_meanwhile() -> None:
    laptop, server = Replica("laptop-1", 1_000), Replica("server-2", 2_000)
    laptop.note("p-a", "draft")
    server.take(laptop)
    laptop.note("p-a", None)
    server.note("p-a", "draft, extended")
    laptop.take(server)
    assert fold_papers(laptop.events, "x")["p-a"].note == "draft, extended"


def test_a_removal_wins_over_older_edits_and_imports_never_undo_edits() -> None:
    laptop, server = Replica("laptop-1", 1_000), Replica("server-2", 5_000)
    laptop.todo("OSDI", {"name": "OSDI", "removed": False, "done": False}, origin="import")
    server.take(laptop)
    server.todo("OSDI", {"done": True})
    laptop.todo("osdi", {"removed": True})
    server.todo("OSDI", {"name": "OSDI", "removed": False, "done": False}, origin="import")
    server.take(laptop)
    todo = fold_todos(server.events)["osdi"]
    assert todo.removed and todo.done


def test_the_later_mark_wins_even_against_a_clock_that_runs_ahead() -> None:
    """A machine whose clock is a minute fast marks first; the other, after seeing it, marks
    later: the hybrid clock orders by what was seen, so the second mark wins."""
    fast, slow = Replica("laptop-1", 60_000), Replica("server-2", 0)
    fast.mark("p-a", "read")
    slow.take(fast)
    slow.mark("p-a", "skipped")
    fast.take(slow)
    assert fold_papers(fast.events, "x")["p-a"].status == "skipped"


def paper(title: str) -> Paper:
    return Paper(id=identity.paper_id(title), title=title, venue="OSDI 2024", source="list")


def test_two_stores_exchanging_events_agree(tmp_path: Path) -> None:
    papers = [paper(f"Shared paper {n}") for n in range(30)]
    a, b = Store.open(tmp_path / "a" / "store.json"), Store.open(tmp_path / "b" / "store.json")
    rng = random.Random(7)
    last_note: dict[tuple[str, str], str] = {}
    for store, name in ((a, "A"), (b, "B")):
        for i in range(60):
            target = rng.choice(papers)
            if rng.random() < 0.5:
                store.set_status([target], rng.choice(STATUSES))
            else:
                text = f"{name} note {i}"
                store.set_note(target, text)
                last_note[(name, target.id)] = text
    report = b.merge(a.events())
    assert report.events > 0 and report.machines == [a.machine.label]
    a.merge(b.events())
    assert a.merge(b.events()).events == 0  # idempotent
    sa = {pid: (s.status, s.note) for pid, s in Store.open(a.path).states().items()}
    sb = {pid: (s.status, s.note) for pid, s in Store.open(b.path).states().items()}
    assert sa == sb
    for (_, pid), text in last_note.items():
        assert text in (sa[pid][1] or "")
    assert b.last_merge() is not None and b.last_merge().machines == [a.machine.label]
    remote = Store.open(b.path).states()
    marked_on_a = [p for p, s in remote.items() if s.status_from == a.machine.label]
    assert marked_on_a  # the store says which statuses came from the other machine


def test_an_undo_takes_its_step_out_and_leaves_marks_made_elsewhere_meanwhile() -> None:
    laptop, server = Replica("laptop-1", 1_000), Replica("server-2", 2_000)
    laptop.mark("p-a", "read")
    server.take(laptop)
    server.mark("p-a", "queued")
    laptop.wall += 10_000
    laptop.undo()  # later than the server's mark, but it only takes back the laptop's
    laptop.take(server)
    fold = fold_papers(laptop.events, "laptop-1")["p-a"]
    assert fold.status == "queued" and [h.status for h in fold.history] == ["queued"]
