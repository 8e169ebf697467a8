"""Triage progress is read off the reading state: any status but unread is triaged."""

from paperdesk.state.triage import PICK, SKIP, count, is_triaged


def test_any_status_but_unread_is_triaged() -> None:
    assert not is_triaged("unread")
    assert all(is_triaged(s) for s in ("queued", "reading", "read", "skipped"))


def test_count_and_its_line() -> None:
    progress = count(["unread", PICK, SKIP, "read", PICK, "unread"])
    assert progress == (6, 4, 2)
    assert str(progress) == "4/6 triaged · 2 picked"
    assert not progress.done
    assert count([PICK, SKIP]).done
    assert not count([]).done
