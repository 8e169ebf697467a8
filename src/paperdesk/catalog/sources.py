"""The home's sources: reading list files and the shipped default.

A source is one imported list, kept as ``$HOME/sources/NAME.json`` (a :class:`CatalogFile`).
The shipped ``papers.json`` stands in for ``awesome-papers`` until the user imports their own
copy. Installing one, which also moves reading state, is the workspace's
(:meth:`paperdesk.workspace.Workspace.install`): it needs the store as well.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from paperdesk.catalog.models import CATALOG_SCHEMA_VERSION, CatalogFile
from paperdesk.errors import InputError, validation_summary
from paperdesk.locations import embedded_catalog

MAX_LIST_BYTES = 32 * 1024 * 1024
_SNIFF_BYTES = 8192


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
        from paperdesk.catalog.importers import parse_text

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
