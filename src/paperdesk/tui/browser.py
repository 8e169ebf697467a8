"""Opening a link in the user's browser, or saying why not and handing it over instead.

Over SSH, or on a Linux box without a display, ``webbrowser`` would start a text browser inside
the desk's own terminal (or nothing at all); there the link is shown and copied instead, and
the message says which of those it was. ``$BROWSER`` is always honoured, as :mod:`webbrowser`
does.
"""

from __future__ import annotations

import os
import sys
import threading

from paperdesk.tui.clipboard import over_ssh


def why_not_local() -> str | None:
    """Why no browser can be opened from here (None when one can): an SSH session, no
    display, or no graphical browser installed."""
    if over_ssh():
        return "this is an SSH session (a browser would open on the other machine)"
    if os.environ.get("BROWSER"):
        return None
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "there is no display ($DISPLAY and $WAYLAND_DISPLAY are not set)"
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return "no browser was found (set $BROWSER to one)"
    console = isinstance(browser, webbrowser.GenericBrowser) and not isinstance(
        browser, webbrowser.BackgroundBrowser
    )
    if console:  # lynx, w3m...: it would take over the desk's own terminal
        return "only a text browser was found (set $BROWSER to a graphical one)"
    return None


def open_in_browser(url: str) -> None:
    """Start the browser off the UI thread: some launchers block until the browser exits."""
    import webbrowser

    threading.Thread(
        target=webbrowser.open, args=(url,), name="paperdesk-browser", daemon=True
    ).start()
