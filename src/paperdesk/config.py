"""The user's settings: ``$PAPERDESK_HOME/config.toml``, with the environment over it.

One file for everything a user may set, one model for it, so a typo is one line naming the
setting and the file rather than a silent default. Each setting is read as environment
variable, else the file, else the default (:func:`setting`): the environment is what a script or
a test sets for one run, the file what a user keeps. The ``[keymap]`` table is the desk's and
is checked there (:mod:`paperdesk.tui.keymap`), since only the desk knows its binding ids.

Example::

    [net]
    timeout = 30          # seconds for one whole fetch: connect, headers and body

    [arxiv]
    api = "https://export.arxiv.org/api/query"
    interval = 3          # seconds between requests, as arXiv asks

    [keymap]
    "desk.mark_read" = "R"
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from paperdesk.errors import InputError, validation_summary

if TYPE_CHECKING:
    from pydantic import BaseModel

    from paperdesk.locations import Locations

CONFIG_SCHEMA_VERSION = 1


def read_table(locations: Locations) -> dict[str, Any]:
    """The parsed ``config.toml`` of a home (empty when there is none); a file that cannot be
    read or parsed is one :class:`InputError` naming it."""
    path = locations.config
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}; fix or remove the file") from None
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path} is not valid TOML ({exc}); fix or remove the file") from None


def _model() -> type[BaseModel]:
    """The file's model, built on first use: pydantic stays off the desk's first frame."""
    from pydantic import BaseModel, ConfigDict, Field

    class Section(BaseModel):
        model_config = ConfigDict(extra="forbid", defer_build=True)

    class Net(Section):
        timeout: float | None = Field(default=None, gt=0)

    class Arxiv(Section):
        api: str | None = None
        interval: float | None = Field(default=None, ge=0)

    class ConfigFile(Section):
        """``config.toml``; unknown sections and settings are refused so a typo is noticed."""

        schema_version: int = CONFIG_SCHEMA_VERSION
        net: Net = Field(default_factory=Net)
        arxiv: Arxiv = Field(default_factory=Arxiv)
        keymap: dict[str, Any] = Field(default_factory=dict)

    return ConfigFile


def load_config(locations: Locations) -> BaseModel:
    """The validated ``config.toml`` of a home; a bad value is one :class:`InputError` that
    names the setting and the file."""
    from pydantic import ValidationError

    table = read_table(locations)
    try:
        return _model().model_validate(table)
    except ValidationError as exc:
        raise InputError(
            f"{locations.config}: {validation_summary(exc)}; fix or remove the setting"
        ) from None


def setting(locations: Locations, section: str, name: str, env: str | None = None) -> Any:
    """One setting: ``$env`` when set and not empty (as text), else the file's value (validated),
    else None for the caller's default."""
    if env is not None:
        value = os.environ.get(env, "").strip()
        if value:
            return value
    if not locations.config.exists():
        return None
    return getattr(getattr(load_config(locations), section), name)
