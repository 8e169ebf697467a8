"""The store file's layout: its tables, and the header line that vouches for the rest.

The file is TinyDB JSON, one document per line (:mod:`paperdesk.storage` writes it). Its first
line is a hidden ``_storage`` table holding a random write id (which write this is) and the
CRC-32 of everything after that line. paperdesk only ever writes records its models validated,
so a file whose checksum matches is exactly what a validating writer produced: commands that
only read may use its records as they are, without loading the models (:mod:`paperdesk.glance`).
A file edited by hand, damaged, or written by another tool fails the check and goes through the
validating store as before. Files written before the checksum existed have no ``crc32`` field.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

#: The tables of the store (``{table: {doc_id: document}}``).
PAPERS, TODOS, META = "papers", "todos", "meta"
META_ID = "1"
STORE_SCHEMA_VERSION = 1

WRITE_ID_TABLE = "_storage"
HEADER = re.compile(
    rb'\{"' + WRITE_ID_TABLE.encode() + rb'":\{"1":\{"write_id":"([0-9a-f]{32})"'
    rb'(?:,"crc32":"([0-9a-f]{8})")?\}\}'
)

Tables = dict[str, dict[str, Any]]


def header_line(write_id: str, body: bytes) -> bytes:
    """The first line of a file whose lines after it are ``body``."""
    return (
        b'{"' + WRITE_ID_TABLE.encode() + b'":{"1":{"write_id":"' + write_id.encode()
        + b'","crc32":"' + f"{zlib.crc32(body):08x}".encode() + b'"}}'
    )  # fmt: skip


def verified_tables(raw: bytes) -> Tables | None:
    """The tables of a store file's bytes when its header's checksum matches the rest, else
    None (no checksum, another layout, or changed since paperdesk wrote it)."""
    first, _, body = raw.partition(b"\n")
    match = HEADER.fullmatch(first.removesuffix(b","))
    if match is None or match.group(2) is None:
        return None
    if f"{zlib.crc32(body):08x}".encode() != match.group(2):
        return None
    try:
        tables = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(tables, dict):
        return None
    tables.pop(WRITE_ID_TABLE, None)
    return tables
