"""Copying text for the user, by whichever route reaches their clipboard.

On a local desktop pyperclip talks to the system clipboard (xclip, wl-copy, pbcopy...). Over
SSH that clipboard belongs to the wrong machine, so the text goes to the terminal as an OSC 52
sequence (Textual's ``copy_to_clipboard``), which the user's own terminal puts on *their*
clipboard — most terminals honour it, some (macOS Terminal) do not, hence the notification
names the route.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

SYSTEM = "the system clipboard"
TERMINAL = "the terminal clipboard (OSC 52)"


def over_ssh() -> bool:
    """True in an SSH session, where local clipboards and browsers are on the other machine."""
    return bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))


def copy(app: App[object], text: str) -> str:
    """Put ``text`` on the user's clipboard; returns the route that took it."""
    if not over_ssh():
        import pyperclip

        try:
            pyperclip.copy(text)
        except pyperclip.PyperclipException:
            pass
        else:
            return SYSTEM
    app.copy_to_clipboard(text)
    return TERMINAL


def tmux_hint() -> str | None:
    """Inside tmux whose ``set-clipboard`` is off, OSC 52 never reaches the terminal: how to
    turn it on (None outside tmux, or when it is on)."""
    if not os.environ.get("TMUX") or shutil.which("tmux") is None:
        return None
    try:
        answer = subprocess.run(
            ["tmux", "show-options", "-gv", "set-clipboard"],
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if answer.stdout.strip() != "off":
        return None
    return (
        "tmux has set-clipboard off, so the copy may not reach your clipboard: run "
        "'tmux set -g set-clipboard on' (and add it to ~/.tmux.conf)"
    )
