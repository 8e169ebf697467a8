"""Where paperdesk keeps things. One place for paths, so tests point everything at a temp dir.

The home is ``--home``, else ``$PAPERDESK_HOME``, else the platform's user data dir.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from paperdesk.errors import UsageError

HOME_ENV = "PAPERDESK_HOME"
#: Beside the store: the reading-state log (one file per machine) and this home's machine id.
LOG_DIR_NAME = "log"
MACHINE_FILE_NAME = "machine.json"
DEFAULT_SOURCE = "awesome-papers"
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


def default_home() -> Path:
    """The home when neither ``--home`` nor ``$PAPERDESK_HOME`` is given."""
    from platformdirs import user_data_path

    return user_data_path("paperdesk", appauthor=False)


@dataclass(frozen=True)
class Locations:
    """All paths under one home."""

    home: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> Locations:
        """The locations for an explicit home, the environment's, or the default one."""
        chosen = home or os.environ.get(HOME_ENV) or default_home()
        return cls(Path(chosen).expanduser())

    @property
    def store(self) -> Path:
        return self.home / "store.json"

    @property
    def log_dir(self) -> Path:
        """The reading-state log, a git work tree once ``state sync`` ran (``log/.git``)."""
        return self.home / LOG_DIR_NAME

    @property
    def machine_file(self) -> Path:
        return self.home / MACHINE_FILE_NAME

    @property
    def sources_dir(self) -> Path:
        return self.home / "sources"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def config(self) -> Path:
        return self.home / "config.toml"

    @property
    def arxiv_cache(self) -> Path:
        """arXiv metadata by paper id (``enrich``); absent until the first enrichment."""
        return self.cache_dir / "arxiv.json"

    @property
    def dblp_cache(self) -> Path:
        """What ``venue fetch`` learnt from DBLP (authors, DOI, pages) by paper id."""
        return self.cache_dir / "dblp.json"

    def raw_list(self, name: str) -> Path:
        """The last good raw text of URL source ``name``, kept for working offline."""
        return self.cache_dir / "lists" / f"{check_source_name(name)}.txt"

    def source_paths(self) -> dict[str, Path]:
        """Name -> file of every installed source, in display order: the main list first (the
        shipped ``papers.json`` until a list is imported under its name), then by name."""
        paths = {DEFAULT_SOURCE: embedded_catalog()}
        if self.sources_dir.is_dir():
            for path in sorted(self.sources_dir.glob("*.json")):
                paths[path.stem] = path
        return paths

    def source_file(self, name: str) -> Path:
        """The file of source ``name``; a name that could leave the directory is refused."""
        return self.sources_dir / f"{check_source_name(name)}.json"


def embedded_catalog() -> Path:
    """The shipped ``papers.json``: inside the wheel, or at the repo root in a source checkout."""
    packaged = Path(__file__).parent / "data" / "papers.json"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "papers.json"
