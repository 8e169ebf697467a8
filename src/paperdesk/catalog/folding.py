"""Case- and accent-folding: the form in which search compares text.

``Müller`` and ``muller``, ``Straße`` and ``strasse``, ``ﬁle`` and ``file`` fold to the same
text, so a search finds a title whatever way it is typed. Almost every title is ASCII, for
which folding is one ``casefold``: the Unicode work is paid only by text that needs it.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """``text`` lower-cased (``casefold``), compatibility-decomposed, without accents."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded).casefold()
    return "".join(char for char in decomposed if not unicodedata.combining(char))
