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

    [dblp]
    api = "https://dblp.org/search/publ/api"
    interval = 1          # seconds between DBLP requests

    [desk]
    feeds_in_all = false  # true: All and Unread show the feeds' papers too

    [keymap]
    "desk.mark_read" = "R"

The desk reads ``[desk]`` and ``[keymap]`` for its first frame, before pydantic is loaded, so
:func:`desk_settings` checks ``[desk]`` by hand, against the same names and types.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from paperdesk.errors import InputError, validation_summary

if TYPE_CHECKING:
    from pydantic import BaseModel

    from paperdesk.locations import Locations

CONFIG_SCHEMA_VERSION = 1
#: The longest wait between two requests to arXiv or DBLP, in seconds: more would leave a
#: fetch waiting past its deadline, and neither service asks for it.
MAX_INTERVAL = 10.0
#: The ``[desk]`` settings and their defaults (every one a bool, for now).
DESK_DEFAULTS: dict[str, bool] = {"feeds_in_all": False}


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
    from pydantic import BaseModel, ConfigDict, Field, StrictBool

    class Section(BaseModel):
        model_config = ConfigDict(extra="forbid", defer_build=True)

    class Net(Section):
        timeout: float | None = Field(default=None, gt=0, allow_inf_nan=False)

    class Paced(Section):
        """A service asked at most once per ``interval`` seconds."""

        api: str | None = None
        interval: float | None = Field(default=None, ge=0, le=MAX_INTERVAL, allow_inf_nan=False)

    class Desk(Section):
        feeds_in_all: StrictBool = DESK_DEFAULTS["feeds_in_all"]  # as desk_settings checks it

    class ConfigFile(Section):
        """``config.toml``; unknown sections and settings are refused so a typo is noticed."""

        schema_version: int = CONFIG_SCHEMA_VERSION
        net: Net = Field(default_factory=Net)
        arxiv: Paced = Field(default_factory=Paced)
        dblp: Paced = Field(default_factory=Paced)
        desk: Desk = Field(default_factory=Desk)
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


def desk_settings(locations: Locations, table: dict[str, Any]) -> tuple[dict[str, bool], list[str]]:
    """The ``[desk]`` settings of a parsed config table, and what is wrong with it (each wrong
    setting keeps its default); checked without pydantic, for the desk's first frame."""
    settings = dict(DESK_DEFAULTS)
    section = table.get("desk", {})
    if not isinstance(section, dict):
        return settings, [f"{locations.config}: [desk] must be a table; defaults used"]
    problems = []
    for name, value in section.items():
        if name not in DESK_DEFAULTS:
            known = ", ".join(DESK_DEFAULTS)
            problems.append(f"{locations.config}: [desk] has no setting {name!r} (known: {known})")
        elif not isinstance(value, bool):
            problems.append(f"{locations.config}: [desk] {name} must be true or false")
        else:
            settings[name] = value
    return settings, problems


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
