"""User text made safe to show: never markup, never a terminal escape sequence.

Titles, notes, tags and URLs come from files anyone can edit. A title ``[bold]x[/bold]`` must
show exactly that, and an embedded ``ESC ] 0 ; … BEL`` must not retitle the terminal, so every
piece of user text passes through :func:`clean` -- the rule every text output of paperdesk
follows (:func:`paperdesk.inert.inert`), plus the desk's one-line layout -- and is wrapped in a
:class:`rich.text.Text` (which never parses markup) before it reaches a widget.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

from paperdesk.inert import inert

_LINE_BREAKS = re.compile(r"[\t\n]+")


def clean(text: str, *, multiline: bool = False) -> str:
    """``text`` without control and bidi characters (:func:`~paperdesk.inert.inert`).

    Tabs, newlines and carriage returns become single spaces unless ``multiline`` keeps
    newlines (and tabs) for abstracts and notes.
    """
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    else:
        text = _LINE_BREAKS.sub(" ", text.replace("\r", " "))
    return inert(text)


def literal(text: str | None, style: str | Style = "", *, multiline: bool = False) -> Text:
    """User text as a :class:`Text` that is shown exactly as written, whatever brackets it holds."""
    return Text(clean(text or "", multiline=multiline), style=style, end="")
