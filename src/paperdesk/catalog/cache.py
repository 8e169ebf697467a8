"""The home's merged catalog cached on disk in column form: opening a home is one ``json.loads``.

Reading a home's sources validates every paper with pydantic: ~2 s at 50,000 papers, and
importing pydantic alone costs about as much as the desk's whole first frame may. The cache
(``$HOME/cache/catalog.json``) holds :class:`~paperdesk.catalog.merged.CatalogParts` — the merged
papers as columns of plain JSON — with the stamp (device, inode, size, mtime, ctime) of every
source file it was built from, taken before that file was read (or, for a file just installed,
checked against the file as written). It is used only while every stamp still matches the file
on disk: an import, a sync, a hand edit or a reinstall of the shipped list changes a stamp,
and the next reader rebuilds the cache from the validated sources. ``import`` and ``sync``
rebuild it as they finish, so the desk after them opens at once. A change to how sources are
merged must bump :data:`CACHE_SCHEMA_VERSION` (the version of paperdesk is checked too).

The cache is data paperdesk derived from validated sources, not input: reading it checks its
shape (every column a list of the right length and element type, every record the right
fields), which at 50,000 papers costs ~20 ms where pydantic would cost its import. A cache that
fails the check, or was written by another paperdesk version, is ignored and rebuilt. Writes
are atomic; a home that cannot be written works without the cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperdesk import __version__
from paperdesk.atomic import atomic_write_text
from paperdesk.catalog.merged import COLUMN_NAMES, Catalog, CatalogParts, PaperColumns, SourceInfo
from paperdesk.catalog.records import Venue, Website
from paperdesk.locations import embedded_catalog

if TYPE_CHECKING:
    from paperdesk.catalog.models import CatalogFile
    from paperdesk.locations import Locations

CACHE_SCHEMA_VERSION = 1
CACHE_FILE = "catalog.json"
#: The shipped list's column form, beside ``papers.json`` in the wheel (and the repository).
SHIPPED_COLUMNS = "papers.columns.json"

#: (source name, path, device, inode, size, mtime_ns, ctime_ns) of a source file: what the cache
#: was built from. The ctime changes with every write and cannot be set back, so even a
#: rewrite in place that keeps size and mtime (``cp -p``) is seen.
Stamp = tuple[str, str, int, int, int, int, int]

_NONE = type(None)
_STR, _OPT_STR, _OPT_INT = {str}, {str, _NONE}, {int, _NONE}
#: The element types of each paper column; lists are lists of strings.
_COLUMN_TYPES: dict[str, set[type] | None] = {
    "id": _STR,
    "title": _STR,
    "venue": _OPT_STR,
    "venue_label": _OPT_STR,
    "year": _OPT_INT,
    "topics": None,
    "url": _OPT_STR,
    "links": None,
    "tags": None,
    "keywords": None,
    "date": _OPT_STR,
    "arxiv_id": _OPT_STR,
    "summary": _OPT_STR,
    "prefix": _OPT_STR,
    "source": _STR,
    "line": {int},
}
assert tuple(_COLUMN_TYPES) == COLUMN_NAMES
_SOURCE_FIELDS = {
    "name": _STR,
    "kind": _STR,
    "title": _OPT_STR,
    "papers": {int},
    "location": _OPT_STR,
    "fetched_at": _OPT_STR,
}
_VENUE_FIELDS = {"name": _STR, "label": _STR, "url": _OPT_STR, "year": _OPT_INT}
_WEBSITE_FIELDS = {"name": _STR, "url": _STR, "description": _OPT_STR, "group": _OPT_STR}
_TODO_FIELDS = {"name": _STR, "url": _OPT_STR, "note": _OPT_STR, "date": _OPT_STR, "done": {bool}}


class BadCache(Exception):
    """The cache file is not one this paperdesk wrote for these sources."""


@dataclass(frozen=True)
class LoadedSource:
    """A validated source with the stamp its file had just before it was read."""

    stamp: Stamp | None
    file: CatalogFile


def cache_path(locations: Locations) -> Path:
    """Where the home's catalog cache lives."""
    return locations.cache_dir / CACHE_FILE


def stamp_of(name: str, path: Path) -> Stamp | None:
    """The stamp of a source file; None when it cannot be stat'ed (then nothing is cached)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (name, str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def current_stamps(locations: Locations) -> list[Stamp | None]:
    """The stamps of every installed source, in display order, as they are now."""
    return [stamp_of(name, path) for name, path in locations.source_paths().items()]


def load_sources(
    locations: Locations, *, skip_damaged: Callable[[str], None] | None = None
) -> list[LoadedSource]:
    """Every installed source, validated, in display order.

    A damaged source raises :class:`~paperdesk.catalog.sources.DamagedSourceError`, unless
    ``skip_damaged`` is given: then it is left out and the callback gets the message (``import``
    uses this to install over it).
    """
    from paperdesk.catalog.sources import DamagedSourceError, load_source_file

    loaded = []
    for name, path in locations.source_paths().items():
        stamp = stamp_of(name, path)
        try:
            loaded.append(LoadedSource(stamp, load_source_file(path)))
        except DamagedSourceError as exc:
            if skip_damaged is None:
                raise
            skip_damaged(str(exc))
    return loaded


def open_catalog(locations: Locations) -> Catalog:
    """The home's catalog: from the cache while it matches the sources, else rebuilt from the
    validated sources (and cached). A damaged source raises, as reading it directly would.

    A home whose only source is the shipped list starts from that list's column form, shipped
    beside it (:func:`shipped_catalog`): even the first start needs no validation."""
    stamps = current_stamps(locations)
    if None not in stamps:
        try:
            return read_cache(cache_path(locations), stamps)
        except BadCache:
            pass
        only = stamps[0] if len(stamps) == 1 else None
        if only is not None and Path(only[1]) == embedded_catalog():
            shipped = shipped_catalog()
            if shipped is not None:
                _store(locations, stamps, shipped)
                return shipped
    return write_cache(locations, load_sources(locations))


def read_cache(path: Path, stamps: Sequence[Stamp | None]) -> Catalog:
    """The cached catalog, if it was built from exactly the sources ``stamps`` describe."""
    return _read(path, "stamps", [list(stamp) for stamp in stamps if stamp])


def shipped_catalog() -> Catalog | None:
    """The shipped list's catalog from ``papers.columns.json``, when that file is the column
    form of the shipped ``papers.json`` as it is (by content hash); else None."""
    digest = _digest(embedded_catalog())
    if digest is None:
        return None
    try:
        return _read(embedded_catalog().with_name(SHIPPED_COLUMNS), "source_sha256", digest)
    except BadCache:
        return None


def write_shipped_columns(papers_json: Path, out: Path) -> None:
    """Write the column form of a catalog file (the shipped list's, for the wheel)."""
    from paperdesk.catalog.sources import load_source_file

    catalog = Catalog.from_files([load_source_file(papers_json)])
    out.write_text(_payload("source_sha256", _digest(papers_json), catalog) + "\n", "utf-8")


def write_cache(locations: Locations, sources: Sequence[LoadedSource]) -> Catalog:
    """The catalog of ``sources``, cached for the next reader when they are all the home's
    sources (none was skipped as damaged) and every stamp is known."""
    catalog = Catalog.from_files(source.file for source in sources)
    stamps = [source.stamp for source in sources]
    complete = [stamp[0] for stamp in stamps if stamp] == list(locations.source_paths())
    if None not in stamps and complete:
        _store(locations, stamps, catalog)
    return catalog


def _store(locations: Locations, stamps: Sequence[Stamp | None], catalog: Catalog) -> None:
    with contextlib.suppress(OSError):  # a read-only home: every open rebuilds, no harm done
        atomic_write_text(cache_path(locations), _payload("stamps", list(stamps), catalog))


def _payload(key: str, value: object, catalog: Catalog) -> str:
    payload = {
        "schema_version": CACHE_SCHEMA_VERSION,
        "paperdesk": __version__,
        key: value,
        **_encode(catalog.parts),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _read(path: Path, key: str, expected: object) -> Catalog:
    """The catalog in a column file, if it was written for ``expected`` (its ``key``)."""
    try:
        data = json.loads(path.read_bytes())
        if not isinstance(data, dict):
            raise BadCache("not an object")
        if data.get("schema_version") != CACHE_SCHEMA_VERSION or data.get("paperdesk") != (
            __version__
        ):
            raise BadCache("another version")
        if data.get(key) != expected:
            raise BadCache("stale")
        return Catalog(_parts(data))
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise BadCache(str(exc)) from None


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def replace_source(
    sources: Sequence[LoadedSource],
    locations: Locations,
    file: CatalogFile,
    written: os.stat_result | None,
) -> list[LoadedSource]:
    """``sources`` after ``file`` was installed (``written``: the stat of the file as it was
    written), in its place, in the home's display order. When the file on disk is no longer
    the one written (another process installed over it meanwhile), its stamp is unknown and
    nothing is cached."""
    by_name = {source.file.source: source for source in sources}
    paths = locations.source_paths()
    stamp = stamp_of(file.source, paths[file.source])
    same = (
        stamp is not None
        and written is not None
        and stamp[2:6] == (written.st_dev, written.st_ino, written.st_size, written.st_mtime_ns)
    )
    by_name[file.source] = LoadedSource(stamp if same else None, file)
    return [by_name[name] for name in paths if name in by_name]


def _encode(parts: CatalogParts) -> dict[str, Any]:
    return {
        "papers": parts.columns.as_dict(),
        "sources": [_fields(source, _SOURCE_FIELDS) for source in parts.sources],
        "source_rows": parts.source_rows,
        "venues": [_fields(venue, _VENUE_FIELDS) for venue in parts.venues],
        "websites": [_fields(site, _WEBSITE_FIELDS) for site in parts.websites],
        "todos": parts.todos,
    }


def _fields(record: object, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in names}


def _parts(data: Mapping[str, Any]) -> CatalogParts:
    """The cached parts after checking their shape (any mismatch is a BadCache)."""
    papers = data["papers"]
    count = len(papers["id"])
    for name, types in _COLUMN_TYPES.items():
        column = papers[name]
        if type(column) is not list or len(column) != count:
            raise BadCache(f"column {name}")
        if types is None:
            _check_types(column, {list}, name)
            _check_types(chain.from_iterable(column), _STR, name)
        else:
            _check_types(column, types, name)
    if any(len(links) % 2 for links in papers["links"]):
        raise BadCache("column links")
    for day in papers["date"]:
        if day is not None:
            dt.date.fromisoformat(day)
    source_rows = data["source_rows"]
    for name, rows in source_rows.items():
        if type(rows) is not list:
            raise BadCache(f"rows of source {name}")
        _check_types(rows, {int}, f"rows of source {name}")
        if rows and (min(rows) < 0 or max(rows) >= count):
            raise BadCache(f"rows of source {name}")
    todos = [_record(todo, _TODO_FIELDS) for todo in data["todos"]]
    for todo in todos:
        if todo["date"] is not None:
            dt.date.fromisoformat(todo["date"])
    return CatalogParts(
        columns=PaperColumns(**{name: papers[name] for name in COLUMN_NAMES}),
        sources=[SourceInfo(**_record(s, _SOURCE_FIELDS)) for s in data["sources"]],
        source_rows=source_rows,
        venues=[Venue(**_record(v, _VENUE_FIELDS)) for v in data["venues"]],
        websites=[Website(**_record(w, _WEBSITE_FIELDS)) for w in data["websites"]],
        todos=todos,
    )


def _check_types(values: Iterable[object], allowed: set[type], what: str) -> None:
    if not set(map(type, values)) <= allowed:
        raise BadCache(f"column {what}")


def _record(value: object, fields: Mapping[str, set[type]]) -> dict[str, Any]:
    if not isinstance(value, dict) or value.keys() != fields.keys():
        raise BadCache("record fields")
    for name, allowed in fields.items():
        if type(value[name]) not in allowed:
            raise BadCache(f"record field {name}")
    return value


if __name__ == "__main__":  # python -m paperdesk.catalog.cache papers.json papers.columns.json
    import sys

    write_shipped_columns(Path(sys.argv[1]), Path(sys.argv[2]))
