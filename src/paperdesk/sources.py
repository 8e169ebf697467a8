"""The home's sources: reading list files, the shipped default, and installing an import.

A source is one imported list, kept as ``$HOME/sources/NAME.json`` (a :class:`CatalogFile`).
The shipped ``papers.json`` stands in for ``awesome-papers`` until the user imports their own
copy. Installing a source writes its file atomically, then moves reading state whose paper's
title was edited (relinking) so no note is ever left behind.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from paperdesk.atomic import atomic_write_bytes
from paperdesk.errors import InputError, StoreError, UsageError
from paperdesk.identity import find_relinks
from paperdesk.locations import Locations, embedded_catalog
from paperdesk.models import CATALOG_SCHEMA_VERSION, CatalogFile, validation_summary

if TYPE_CHECKING:
    from paperdesk.store import Store

MAX_LIST_BYTES = 32 * 1024 * 1024
_SNIFF_BYTES = 8192
# A source name is a file name in the home's sources directory: no separators, no dot-dot.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")


def is_source_name(name: str) -> bool:
    """Whether ``name`` can name a source (``$HOME/sources/NAME.json``)."""
    return _SAFE_NAME.fullmatch(name) is not None


def check_source_name(name: str) -> str:
    """``name`` if it can name a source, else a one-line UsageError saying what is allowed."""
    if not is_source_name(name):
        raise UsageError(
            f"invalid source name {name!r}: use up to 100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def default_source_name(stem: str) -> str:
    """A source name made from a file stem (``my list`` -> ``my-list``; ``list`` if nothing)."""
    name = _UNSAFE_RUN.sub("-", stem).lstrip("._-")[:100]
    return name if is_source_name(name) else "list"


def decode_list(data: bytes, where: str) -> str:
    """Bytes of a list as text, or a one-line error saying why they are not a paper list."""
    if not data.strip():
        raise InputError(f"{where} is empty; give a markdown paper list or a catalog JSON file")
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise InputError(f"{where} is a binary file, not a markdown list; check the path")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where} is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8"
        ) from None


def read_list_bytes(path: Path) -> bytes:
    """The raw bytes of a list file, with one-line errors for every way reading can fail."""
    try:
        if path.is_dir():
            raise InputError(f"{path} is a directory; give the path of a markdown list file")
        size = path.stat().st_size
        if size > MAX_LIST_BYTES:
            raise InputError(f"{path} is {size} bytes, over the {MAX_LIST_BYTES}-byte limit")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied; check the file's permissions") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def parse_list(text: str, source: str, where: str) -> CatalogFile:
    """Parse list text (markdown or catalog JSON) into a source; it must hold papers."""
    if text.lstrip().startswith("{"):
        catalog = parse_catalog_json(text, where)
        catalog = catalog.model_copy(update={"source": source})
    else:
        from paperdesk.importers import parse_text

        catalog = parse_text(text, source)
    if not catalog.papers:
        raise InputError(f"{where}: no papers found; is this a paper list?")
    return catalog


def parse_catalog_json(text: str, where: str) -> CatalogFile:
    """A catalog JSON file, refusing one written by a newer paperdesk.

    The version is read before the fields are validated: a newer file whose fields changed is
    "upgrade paperdesk", not "not a catalog".
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        reason = f"line {exc.lineno}: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else exc
        raise InputError(f"{where} is not valid JSON ({reason})") from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if isinstance(version, int) and version > CATALOG_SCHEMA_VERSION:
        raise NewerCatalogError(
            f"{where} has catalog schema {version}, newer than this paperdesk "
            f"understands ({CATALOG_SCHEMA_VERSION}); upgrade paperdesk"
        )
    try:
        return CatalogFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            f"{where} is not a paperdesk catalog ({validation_summary(exc)})"
        ) from None


def read_catalog_path(path: Path, source: str | None = None) -> CatalogFile:
    """A list or catalog file given on the command line (``import PATH``, ``--catalog PATH``)."""
    data = read_list_bytes(path)
    return parse_list(decode_list(data, str(path)), source or path.stem, str(path))


class DamagedSourceError(InputError):
    """An installed source file that cannot be read back (truncated, edited, not UTF-8)."""


class NewerCatalogError(InputError):
    """A catalog written by a newer paperdesk: upgrade rather than re-import."""


def load_source_file(path: Path) -> CatalogFile:
    """An installed source; a damaged one is reported with the file and the way out."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        reason = "it is not UTF-8 text"
    except OSError as exc:
        raise InputError(f"cannot read source {path}: {exc.strerror or exc}") from None
    else:
        try:
            if not text.strip():
                raise InputError("it is empty")
            return parse_catalog_json(text, "it")
        except NewerCatalogError:
            return parse_catalog_json(text, f"source {path}")  # raises with the full path
        except InputError as exc:
            reason = str(exc)
    if path == embedded_catalog():
        raise DamagedSourceError(
            f"the shipped list {path} is damaged: {reason}; reinstall paperdesk"
        )
    raise DamagedSourceError(
        f"source {path} is damaged: {reason}; re-import it with "
        f"'paperdesk import LIST --as {path.stem}' or delete {path}"
    )


@dataclass
class ImportReport:
    """What installing a source changed, for the CLI to print and the desk to notify."""

    source: str
    papers: int
    venues: int
    warnings: list[str] = field(default_factory=list)
    new_papers: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    relinked: list[tuple[str, str]] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    new_venues: list[str] = field(default_factory=list)
    todos_added: list[str] = field(default_factory=list)
    #: The stat of the source file as written (for the catalog cache's stamp).
    written: os.stat_result | None = field(default=None, repr=False)


def install_source(
    locations: Locations,
    store: Store,
    catalog: CatalogFile,
    others: Iterable[CatalogFile] = (),
) -> ImportReport:
    """Install ``catalog`` as its source, keeping every piece of reading state.

    The source file is replaced first; relinking then moves state from vanished ids to the
    edited titles that replaced them. Interrupted in between, state is merely orphaned, and the
    next import relinks it again, because vanished state is found from the store itself.
    """
    name = catalog.source
    target = locations.source_file(name)
    current = locations.source_paths().get(name)
    try:
        old = load_source_file(current) if current and current.is_file() else None
    except DamagedSourceError:
        old = None  # installing over a damaged file is the way out of it
    old_ids = {p.id for p in old.papers} if old else set()
    old_venues = {v.name for v in old.venues} if old else set()
    new_ids = {p.id for p in catalog.papers}
    elsewhere = {p.id for other in others if other.source != name for p in other.papers}

    states = store.states()
    vanished = {
        pid: state.title
        for pid, state in states.items()
        if state.source == name and pid not in new_ids and pid not in elsewhere
    }
    appeared = {p.id: p.title for p in catalog.papers if p.id not in states}
    relinks = find_relinks(vanished, appeared)

    payload = catalog.model_dump_json(exclude_none=True).encode("utf-8")
    try:
        written = atomic_write_bytes(target, payload)
    except OSError as exc:
        raise StoreError(
            f"cannot write source {target}: {exc.strerror or exc}; check that the home "
            f"{locations.home} is writable"
        ) from None

    by_id = {p.id: p for p in catalog.papers}
    moved = store.relink({old_id: by_id[new_id] for old_id, new_id in relinks.items()})
    moved_from = {old for state in moved for old in state.previous_ids}
    relinked_to = set(relinks.values())
    store.touch_papers(p for p in catalog.papers if p.id in states)
    todos_added = store.seed_todos(catalog.todos)

    return ImportReport(
        source=name,
        papers=len(catalog.papers),
        venues=len(catalog.venues),
        warnings=[f"line {w.line}: {w.message}" for w in catalog.warnings],
        new_papers=[
            p.title
            for p in catalog.papers
            if p.id not in old_ids and p.id not in states and p.id not in relinked_to
        ]
        if old
        else [],
        removed=[
            states[pid].title for pid in sorted(vanished) if pid not in relinks and pid in old_ids
        ],
        relinked=[
            (states[old_id].title, by_id[new_id].title)
            for old_id, new_id in relinks.items()
            if old_id in moved_from
        ],
        returned=[p.title for p in catalog.papers if p.id in states and p.id not in old_ids],
        new_venues=[v.name for v in catalog.venues if v.name not in old_venues] if old else [],
        todos_added=todos_added,
        written=written,
    )
