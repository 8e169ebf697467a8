"""Shared fixtures: every test runs against its own empty home, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point PAPERDESK_HOME (and the XDG dirs) at a temp dir for every test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PAPERDESK_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return home


def shared_file(relative: str) -> Path:
    """A file of ../shared, or skip the test cleanly when it is not there."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture
def seed_path() -> Path:
    return shared_file("seed/awesome-papers.md")


@pytest.fixture
def upstream_path() -> Path:
    return shared_file("data/upstream-README.md")


@pytest.fixture
def daily_path() -> Path:
    return shared_file("data/daily-arxiv-llm.md")
