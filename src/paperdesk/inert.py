"""Text that leaves paperdesk is inert: it can be read, never act on what shows it.

Titles, notes, tags and URLs come from lists and files anyone can edit. Printed to a terminal, a
control character can clear the screen, retitle the window or write the clipboard (OSC 52); a
bidi override makes a line read differently from what it holds (CVE-2021-42574, "Trojan
Source"); a CSV cell that starts with ``=`` is run as a formula by a spreadsheet. One rule for
every text output -- the CLI's lines, exports to stdout or to a file, the desk, the clipboard:
:func:`inert` drops the C0 and C1 control characters but newline and tab, and the bidi
embedding, override and isolate controls.

The rule drops single characters and never looks at their neighbours, so it can be applied to a
whole export as well as to each field of it (``inert(a + b) == inert(a) + inert(b)``), and what is
printable in an escape sequence stays readable (``ESC [2J`` shows as ``[2J``) rather than text
being guessed away. The importers apply the same idea to control characters on the way in
(:func:`without_controls`: the lists' and DBLP's text is stored without them), keeping the
carriage return a list's line ends may have.

JSON keeps the exact text: :func:`json_escaped` writes the same characters as ``\\u`` escapes,
which a JSON reader turns back into them. CSV cells go through :func:`csv_cell`.
"""

from __future__ import annotations

import re

#: C0 but tab (09) and newline (0A); DEL and C1; LRE RLE PDF LRO RLO; LRI RLI FSI PDI.
_ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: C0 but tab, newline and carriage return; DEL and C1: what no imported text keeps.
INCOMING_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: What JSON leaves raw of those (it escapes C0 itself).
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: OWASP's "CSV injection": cells a spreadsheet may read as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """``text`` without control characters (but newline and tab) and bidi controls."""
    return _ACTIVE.sub("", text)


def without_controls(text: str) -> str:
    """Imported ``text`` without :data:`INCOMING_CONTROLS`: in a title, a tag or an author they
    would reach the terminal that shows it (screen clears, OSC 52 clipboard writes), and no
    list or DBLP record needs them."""
    return INCOMING_CONTROLS.sub("", text)


def json_escaped(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with DEL, C1 and bidi controls written
    as ``\\u`` escapes: the same data, but nothing a terminal acts on. They can only occur
    inside strings, so the whole document can be passed."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def csv_cell(text: str) -> str:
    """An inert CSV cell that a spreadsheet shows as text: a cell that would start a formula is
    prefixed with ``'`` (OWASP's rule)."""
    text = inert(text)
    return "'" + text if text.startswith(_FORMULA_START) else text
