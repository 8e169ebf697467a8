"""Opening a link in the user's browser, or handing it over when no browser is reachable.

Over SSH, or on a Linux box without a display, ``webbrowser`` would start a text browser inside
the desk's own terminal (or nothing at all); there the link is shown and copied instead.
``$BROWSER`` is always honoured, as :mod:`webbrowser` does.
"""

from __future__ import annotations

import os
import sys
import threading

from paperdesk.tui.clipboard import over_ssh


def can_open_locally() -> bool:
    if over_ssh():
        return False
    if os.environ.get("BROWSER"):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def open_in_browser(url: str) -> None:
    """Start the browser off the UI thread: some launchers block until the browser exits."""
    import webbrowser

    threading.Thread(
        target=webbrowser.open, args=(url,), name="paperdesk-browser", daemon=True
    ).start()
