"""A client of a service that asks to be called gently (arXiv, DBLP): one request per interval.

The interval is the service's setting (``$PAPERDESK_<SERVICE>_INTERVAL``, else ``interval`` in
its ``config.toml`` table, else the client's default), at most
:data:`~paperdesk.config.MAX_INTERVAL` seconds; the endpoint likewise
(``$PAPERDESK_<SERVICE>_API``, else ``api``). Every request, retries included, waits its turn
inside its own fetch (:class:`~paperdesk.net.fetch.Pace`), so the wait counts against the
fetch's deadline and a cancel ends it at once.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, NamedTuple, Self

from paperdesk.config import MAX_INTERVAL, setting
from paperdesk.errors import InputError
from paperdesk.net.fetch import Cancel, FetchLimits, Pace, fetch, make_client

if TYPE_CHECKING:
    import httpx

    from paperdesk.locations import Locations


def interval_seconds(value: float | str, env: str) -> float:
    """The interval setting: a number from ``config.toml`` (bounded there), or the text of the
    environment variable ``env``, bounded here alike."""
    if not isinstance(value, str):
        return float(value)
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0 <= number <= MAX_INTERVAL:
        raise InputError(
            f"{env} must be a number of seconds from 0 to {MAX_INTERVAL:g}, got {value!r}"
        )
    return number


class Service(NamedTuple):
    """A paced service's settings: its ``config.toml`` table, its variables and defaults."""

    section: str
    api_env: str
    default_api: str
    interval_env: str
    default_interval: float


class PacedClient(ABC):
    """What the arXiv and DBLP clients share: their settings, their HTTP client (``with``) and
    paced fetching. A subclass names its :class:`Service` and the limits of its fetches."""

    service: ClassVar[Service]

    def __init__(
        self,
        api: str | None = None,
        interval: float | None = None,
        *,
        locations: Locations | None = None,
        cancel: Cancel | None = None,
    ) -> None:
        self.api = api or self.service.default_api
        self.interval = self.service.default_interval if interval is None else interval
        self.limits = self.limits_for(self.interval).configured(locations)
        self.cancel = cancel
        self._pace = Pace(self.interval)
        self._http: httpx.Client | None = None

    @abstractmethod
    def limits_for(self, interval: float) -> FetchLimits:
        """The limits of one fetch, before the home's deadline (called by ``__init__``: what
        it reads of the subclass must be set before ``super().__init__``)."""

    @classmethod
    def of_home(cls, locations: Locations, *, cancel: Cancel | None = None) -> Self:
        """The client a home's settings ask for: the environment, else ``config.toml``, else
        the service itself at its default pace; the fetch deadline is the home's too."""
        service = cls.service
        api = setting(locations, service.section, "api", service.api_env)
        interval = setting(locations, service.section, "interval", service.interval_env)
        if interval is not None:
            interval = interval_seconds(interval, service.interval_env)
        return cls(api, interval, locations=locations, cancel=cancel)

    def __enter__(self) -> Self:
        self._http = make_client(self.limits)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def _get(
        self, url: str, params: Mapping[str, str] | None = None, *, max_bytes: int | None = None
    ) -> bytes:
        """The body of ``url`` once it is this client's turn; at most ``max_bytes`` when given."""
        limits = self.limits if max_bytes is None else replace(self.limits, max_bytes=max_bytes)
        answer = fetch(
            url,
            params=params,
            limits=limits,
            client=self._http,
            pace=self._pace,
            cancel=self.cancel,
        )
        return answer.content
