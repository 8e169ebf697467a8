"""The user's own editor (``$VISUAL``, else ``$EDITOR``, else ``vi``) on a piece of text.

``paperdesk note PAPER --edit`` and the desk's ``E`` both open a note this way, as a markdown
file in a private temporary directory; the text comes back only if the editor exited cleanly.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from paperdesk.errors import InputError, UsageError


def editor_command() -> list[str]:
    """``$VISUAL``, else ``$EDITOR``, else ``vi``, split like a shell would; blank means unset."""
    import shlex

    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "")
        if not value.strip():
            continue
        try:
            return shlex.split(value)
        except ValueError as exc:
            raise UsageError(
                f"cannot read ${variable} {value!r} ({exc}); fix its quoting"
            ) from None
    return ["vi"]


def file_stem(name: str) -> str:
    """``name`` made safe as a file name (paper ids are, but a list may carry any id)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def edit_in_editor(text: str, name: str = "note") -> str:
    """Open the editor on ``text`` (as ``name.md``) and return what it saved, without trailing
    newlines; InputError if the editor failed, removed the file or saved something not UTF-8.
    The file ends in a newline, as editors and ``>>`` expect."""
    import shlex
    import subprocess
    import tempfile

    command = editor_command()
    shown = shlex.join(command)
    with tempfile.TemporaryDirectory(prefix="paperdesk-") as tmp:
        path = Path(tmp) / f"{file_stem(name)}.md"
        path.write_text(f"{text}\n" if text else "", encoding="utf-8")
        try:
            code = subprocess.call([*command, str(path)])
        except OSError as exc:
            raise InputError(f"cannot run editor {shown!r}: {exc.strerror}; set $EDITOR") from None
        if code != 0:
            raise InputError(f"editor {shown!r} exited with status {code}; note unchanged")
        try:
            return path.read_text(encoding="utf-8").rstrip("\n")
        except FileNotFoundError:
            raise InputError(
                f"editor {shown!r} removed the file it was editing; note unchanged"
            ) from None
        except UnicodeDecodeError as exc:
            raise InputError(
                f"editor {shown!r} saved text that is not UTF-8 (bad byte at offset "
                f"{exc.start}); note unchanged; save the note as UTF-8"
            ) from None
