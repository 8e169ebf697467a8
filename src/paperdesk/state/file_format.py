"""The store file's layout: its tables, and the header line that vouches for the rest.

The file is TinyDB JSON, one document per line (:mod:`paperdesk.state.storage` writes it). Its first
line is a hidden ``_storage`` table holding a random write id (which write this is) and the
CRC-32 of everything after that line, written only when the writer knows every record in the
file valid: each record the store writes is one its models validated, and what it read was
either vouched for by the file's own checksum or validated whole by the store (anything else,
say a hand-edited file, is written back without a checksum). So a file whose checksum matches
holds only records a validating writer wrote, and commands that only read may use them as they
are, without loading the models (:mod:`paperdesk.state.glance`). A file edited by hand, damaged, or
written before the checksum existed fails the check and goes through the validating store.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from pathlib import Path
from typing import Any

#: The tables of the store (``{table: {doc_id: document}}``). ``inbox`` and ``citekeys`` came
#: later: a store without them simply has none, so they need no new schema version.
PAPERS, TODOS, META, CITEKEYS, INBOX = "papers", "todos", "meta", "citekeys", "inbox"
META_ID = "1"
#: Saved views (by folded name) and the reading queue's order (one record): tables a store
#: written before them simply lacks, so they need no schema step.
VIEWS, QUEUE = "views", "queue"
QUEUE_ID = "order"
#: Saved views the desk binds to the keys 1-9: the first nine, in the order they were saved.
VIEW_KEYS = 9
VIEW_NAME_MAX = 40
STORE_SCHEMA_VERSION = 2

WRITE_ID_TABLE = "_storage"
HEADER = re.compile(
    rb'\{"' + WRITE_ID_TABLE.encode() + rb'":\{"1":\{"write_id":"([0-9a-f]{32})"'
    rb'(?:,"crc32":"([0-9a-f]{8})")?\}\}'
)

Tables = dict[str, dict[str, Any]]

#: The log beside the store (:mod:`paperdesk.state.log`): ``<machine id>.jsonl`` files; a
#: machine id is lower-case letters, digits and dashes.
LOG_SUFFIX = ".jsonl"
MACHINE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def is_log_name(name: str) -> bool:
    return name.endswith(LOG_SUFFIX) and MACHINE_ID.fullmatch(name[: -len(LOG_SUFFIX)]) is not None


def log_sizes(directory: Path) -> dict[str, int]:
    """The size of each log file in ``directory`` (none: an empty dict); compared with the
    store's ``meta.log`` it tells whether the store has applied every event."""
    try:
        names = [name for name in os.listdir(directory) if is_log_name(name)]
    except FileNotFoundError:
        return {}
    sizes = {}
    for name in names:
        try:
            sizes[name] = os.stat(directory / name).st_size
        except FileNotFoundError:
            continue
    return sizes


def header_line(write_id: str, vouched_body: bytes | None) -> bytes:
    """The first line of a file; with the checksum of the lines after it only when the writer
    knows every record in them valid (``vouched_body``)."""
    head = b'{"' + WRITE_ID_TABLE.encode() + b'":{"1":{"write_id":"' + write_id.encode() + b'"'
    if vouched_body is not None:
        head += b',"crc32":"' + f"{zlib.crc32(vouched_body):08x}".encode() + b'"'
    return head + b"}}"


def vouches(raw: bytes) -> bool:
    """Whether a store file's header carries the checksum of the rest (no checksum, another
    layout, or a change since paperdesk wrote it: False)."""
    first, _, body = raw.partition(b"\n")
    match = HEADER.fullmatch(first.removesuffix(b","))
    if match is None or match.group(2) is None:
        return False
    return f"{zlib.crc32(body):08x}".encode() == match.group(2)


def verified_tables(raw: bytes) -> Tables | None:
    """The tables of a store file's bytes when the file :func:`vouches` for them, else None."""
    if not vouches(raw):
        return None
    try:
        tables = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(tables, dict):
        return None
    tables.pop(WRITE_ID_TABLE, None)
    return tables
