"""The inbox: papers that arrived in a list the user already had, until the user deals with them.

A paper is *new* when a source that already existed gains it: a re-import from a file or a URL,
or a sync. The first import of a source brings none (a whole new list is not news, it is a
list), nor does another list imported under an existing name (one that keeps less than half of
the papers it replaces: the user's own list over the shipped one), nor a paper already known
from another source or one that carries reading state.
It stays in the inbox until it is marked, with any status, or dismissed; no later import or
sync takes it out. The ids live in the store's ``inbox`` table
(:meth:`paperdesk.state.store.Store.add_to_inbox`, ``dismiss`` and ``set_status``), so the
inbox is as durable, and as safe from concurrent writers, as the reading state.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from paperdesk.state.file_format import INBOX, verified_tables


def is_new(paper_id: str, inbox: Collection[str]) -> bool:
    """Whether a paper is new (in ``inbox``, as :func:`new_papers` read it)."""
    return paper_id in inbox


def new_papers(store_path: Path) -> set[str]:
    """The ids in the inbox of the store at ``store_path`` (papers no list holds included):
    from a file that vouches for itself without loading the models, else through the store."""
    try:
        raw = store_path.read_bytes()
    except FileNotFoundError:
        return set()
    except OSError:
        raw = b""
    tables = verified_tables(raw) if raw else None
    if tables is not None:
        table = tables.get(INBOX, {})
        return set(table) if isinstance(table, dict) else set()
    from paperdesk.state.store import Store

    return set(Store.open(store_path).inbox())
