"""Where paperdesk keeps things. One place for paths, so tests point everything at a temp dir.

The home is ``--home``, else ``$PAPERDESK_HOME``, else the platform's user data dir.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "PAPERDESK_HOME"
DEFAULT_SOURCE = "awesome-papers"


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
        from paperdesk.sources import check_source_name

        return self.sources_dir / f"{check_source_name(name)}.json"


def embedded_catalog() -> Path:
    """The shipped ``papers.json``: inside the wheel, or at the repo root in a source checkout."""
    packaged = Path(__file__).parent / "data" / "papers.json"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "papers.json"
