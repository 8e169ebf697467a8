"""Reading the store without opening it: the desk's first look, and states the file vouches for.

Real store files written by the Store, then read raw; every vouched state must equal what the
validating Store reads, and any file paperdesk did not write exactly so must not be vouched for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.catalog import identity
from paperdesk.catalog.records import STATUSES, Paper
from paperdesk.errors import StoreError
from paperdesk.state.file_format import verified_tables
from paperdesk.state.glance import StateView, glance, vouched_states
from paperdesk.state.store import Store


def paper(title: str) -> Paper:
    return Paper(id=identity.paper_id(title), title=title, venue="OSDI 2024", source="s")


A, B, C = (paper(t) for t in ("Alpha serving", "Beta training", "Gamma storage"))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    store = Store.open(tmp_path / "store.json")
    store.set_status([A, B], "read")
    store.set_status([A], "queued")
    store.set_note(B, "Ünïcode ✓ [bold]x[/]\nsecond line")
    store.set_note(C, "only a note")
    store.set_setting("theme", "nord")
    return store.path


def validated(path: Path) -> dict[str, StateView]:
    return {pid: StateView.of(s) for pid, s in Store.open(path).states().items()}


def test_vouched_states_are_the_validated_states(path: Path) -> None:
    vouched = vouched_states(path)
    assert vouched is not None
    assert vouched == validated(path)
    assert vouched[A.id].status == "queued" and [h["status"] for h in vouched[A.id].history] == [
        "read",
        "queued",
    ]
    assert vouched[C.id].status == "unread" and vouched[C.id].history == []


def test_a_home_without_a_store_has_no_states(tmp_path: Path) -> None:
    assert vouched_states(tmp_path / "store.json") == {}


@pytest.mark.parametrize(
    "edit",
    [
        lambda raw: raw.replace(b'"queued"', b'"finished"', 1),  # an unknown status
        lambda raw: raw.replace(b"only a note", b"only a mote"),  # same size, same shape
        lambda raw: raw.replace(b'"crc32":"', b'"crc32":"0', 1).replace(b'0"}}', b'"}}', 1),
        lambda raw: raw.split(b"\n", 1)[1],  # no header line
        lambda raw: raw[:-2],  # truncated
    ],
    ids=["unknown-status", "edited-note", "bad-checksum", "no-header", "truncated"],
)
def test_a_file_changed_after_paperdesk_wrote_it_is_not_vouched_for(path: Path, edit) -> None:
    path.write_bytes(edit(path.read_bytes()))
    assert vouched_states(path) is None


def test_a_write_over_a_hand_edited_file_does_not_vouch_for_it(path: Path) -> None:
    """The store validates records lazily, but a write checks them all: writing another
    paper's state is refused, so the edited record never looks like one paperdesk wrote."""
    path.write_bytes(path.read_bytes().replace(b'"queued"', b'"finished"', 1))
    before = path.read_bytes()
    with pytest.raises(StoreError, match="nothing was written"):
        Store.open(path).set_status([C], "reading")
    assert path.read_bytes() == before
    assert vouched_states(path) is None
    env = {**os.environ, "PAPERDESK_HOME": str(path.parent)}
    result = subprocess.run(
        [sys.executable, "-m", "paperdesk", "list"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 1 and "is invalid (status:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_file_from_before_the_checksum_is_read_through_the_store(path: Path) -> None:
    first, _, rest = path.read_bytes().partition(b"\n")
    old_header = first.split(b',"crc32"')[0] + b"}},"
    path.write_bytes(old_header + b"\n" + rest)
    assert vouched_states(path) is None
    store = Store.open(path)  # the storage still reads and pairs it
    assert store.status_of(A.id) == "queued"
    store.set_status([C], "skipped")
    assert vouched_states(path) == validated(path)  # its next write vouches again


def test_list_on_a_hand_edited_store_gets_the_stores_one_line_error(
    path: Path, isolated_home: Path
) -> None:
    home_store = isolated_home / "store.json"
    home_store.write_bytes(path.read_bytes().replace(b'"queued"', b'"finished"', 1))
    env = {**os.environ, "PAPERDESK_HOME": str(isolated_home)}
    result = subprocess.run(
        [sys.executable, "-m", "paperdesk", "list"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"paperdesk: error: store {home_store}: papers record")
    assert "is invalid (status:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_show_and_list_from_a_vouched_store_load_no_models(isolated_home: Path) -> None:
    env = {**os.environ, "PAPERDESK_HOME": str(isolated_home)}
    mark = [sys.executable, "-m", "paperdesk", "mark", "serverlessllm", "read"]
    subprocess.run(mark, check=True, capture_output=True, env=env)
    code = (
        "import sys, io, contextlib; from paperdesk.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    main(['show', 'serverlessllm', '--json']); main(['list'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'textual', 'tinydb'}))"
        "\nprint(out.getvalue().count('[x]'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    loaded, read = result.stdout.split("\n")[-3:-1]
    assert loaded == "[]"
    assert read == "1"


def test_glance_reads_statuses_notes_and_settings(path: Path) -> None:
    look = glance(path)
    assert {pid: (s.status, s.note) for pid, s in look.states.items()} == {
        pid: (s.status, s.note) for pid, s in validated(path).items()
    }
    assert look.settings == {"theme": "nord"}


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe binary",
        b"[1, 2]",
        b'{"papers": [1]}',
        b'{"papers": {"x": {"status": ["read"], "note": 3}}, "meta": {"1": {"settings": [1]}}}',
        b'{"papers": {"x": "read"}, "meta": 5}',
    ],
)
def test_glance_never_raises_and_takes_only_what_a_record_could_hold(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "store.json"
    path.write_bytes(content)
    look = glance(path)
    assert all(s.status in STATUSES and s.note is None for s in look.states.values())
    assert look.settings == {}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([A, B, C]), st.sampled_from(STATUSES), st.text(max_size=30)),
        max_size=12,
    )
)
def test_any_sequence_of_writes_leaves_a_file_that_vouches_for_itself(
    tmp_path_factory: pytest.TempPathFactory, writes: list[tuple[Paper, str, str]]
) -> None:
    path = tmp_path_factory.mktemp("store") / "store.json"
    store = Store.open(path)
    for target, status, note in writes:
        store.set_status([target], status)
        store.set_note(target, note)
    raw = path.read_bytes()
    assert verified_tables(raw) is not None
    assert verified_tables(raw) == {
        k: v for k, v in json.loads(raw).items() if not k.startswith("_")
    }
    assert vouched_states(path) == validated(path)
