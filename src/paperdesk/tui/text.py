"""User text made safe to show: never markup, never a terminal escape sequence.

Titles, notes, tags and URLs come from files anyone can edit. A title ``[bold]x[/bold]`` must
show exactly that, and an embedded ``ESC ] 0 ; … BEL`` must not retitle the terminal, so every
piece of user text passes through :func:`clean` and is wrapped in a :class:`rich.text.Text`
(which never parses markup) before it reaches a widget.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

# Whole escape sequences first (OSC ... BEL/ST, CSI ... final byte, and two-byte escapes),
# so no payload such as a window title is left behind; then any lone control character.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC (title, hyperlink, clipboard)
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # 8-bit OSC
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC
    r"|\x1b[ -~]?"  # any other escape and the byte after it
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n]+")


def clean(text: str, *, multiline: bool = False) -> str:
    """``text`` without escape sequences and control characters.

    Tabs and newlines become single spaces unless ``multiline`` keeps newlines (and tabs) for
    abstracts and notes.
    """
    text = _ESCAPE_SEQUENCE.sub("", text)
    if not multiline:
        text = _LINE_BREAKS.sub(" ", text.replace("\r", " "))
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def literal(text: str | None, style: str | Style = "", *, multiline: bool = False) -> Text:
    """User text as a :class:`Text` that is shown exactly as written, whatever brackets it holds."""
    return Text(clean(text or "", multiline=multiline), style=style, end="")
