"""One line of a list, read into parts: plain text, **bold** words, `code`, and links.

markdown-it's inline parser is the reference. Most paper lines are plain words, a few
``**bold**`` words and ``[label](url)`` links; for exactly those :func:`fast_atoms` gives the
same atoms several times faster (tests compare the two on real lists and fuzzed text), which is
what lets a 50,000-paper list import in seconds. Everything else goes through markdown-it.

Work per line is bounded whatever the line holds: a line is read up to :data:`MAX_LINE` characters
(a paper line is a few hundred) and brackets nested deeper than :data:`MAX_NESTING` are read as
nothing, so a hostile line of 200,000 nested brackets costs what a normal line does.

On top of the atoms, :func:`read_bullet` splits a bullet the way the lists write one: a task
box, the title (with bold keywords), its links, and the tags written after the links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape

from .links import PAPER_LABELS
from .markdown import MD

TEXT, BOLD, CODE, LINK = 0, 1, 2, 3
Atom = tuple[int, str, str]
"""``(kind, text, url)``: ``url`` is only set for links, whose ``text`` is the label."""

#: An HTML ``<br>`` in a line: the lists' way to put a venue under a title (``Title <br> ICLR
#: 2024``). Text atoms carry it as a newline, which no other inline text holds.
BREAK = "\n"
MAX_LINE = 16_384
MAX_NESTING = 16

_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SUB_SUFFIX = re.compile(r"<sub>[^<]*</sub>(?=\s*$)")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
# One alternative per atom kind, tried in this order; every group is the whole match.
_FAST = re.compile(
    r"([^\[\]*`_]+)"  # plain text
    r"|(\[[^\[\]*`_]*\]\([^\s()<>`\[\]\x00-\x1f\x7f]*\))"  # [label](url), plain label
    r"|((?<!\*)\*\*[^\W_](?:[^*\[\]`_]*[^\W_])?\*\*(?!\*))"  # **bold**, no other delimiter
    r"|((?<!`)`[^`]+`(?!`))"  # `code`
    r"|([\[\]])"  # a bracket that starts no plain link
)
_UNSAFE_URL = re.compile(r"\s*(?:javascript|vbscript|file|data):", re.IGNORECASE)
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_LINK = re.compile(
    r"<a\s[^>]*?\bhref\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))", re.I
)
_HTML_LINK_END = re.compile(r"</a\s*>", re.IGNORECASE)
_BRACKET = re.compile(r"[\[\]]")
_ENCLOSED_LABEL = re.compile(r"\[\s*([^\[\]]*?)\s*\]")

_TASK_BOX = re.compile(r"\s*\[([ xX])\](?:\s+|$)")
_URLISH = re.compile(
    r"\((?P<label>[^()\[\]]{1,60})\)\[(?P<target>https?://[^\s\]]+)\]"
    r"|(?P<bare>https?://[^\s<>\[\]()|\"']+)"
)
_NESTED_TARGET = re.compile(r"\[(?P<label>[^\]]*)\]\((?P<url>.*)\)")
_PLACEHOLDER_URL = re.compile(r"[A-Za-z][\w+.-]*://")
_EMPHASIS_RESIDUE = re.compile(r"\*{2,}|_{2,}|`+")
_TITLE_EDGES = " |:;,-–—"
_TRAILING_TAGS = re.compile(r"\[(?P<tags>[^\[\]]*)\]\s*$")
_TAG_SPLIT = re.compile(r"[\[\]|]")
_TAG_EDGES = " \t*_`:;,."
_WORD = re.compile(r"[^\W_]")
_TLDR = re.compile(r"\s*TL;?\s*DR\s*[:：]?\s*", re.IGNORECASE)


def atoms(content: str) -> list[Atom]:
    """The inline parts of ``content``, from the fast scanner when it can, else markdown-it."""
    content = bounded(content)
    fast = fast_atoms(content)
    return fast if fast is not None else markdown_atoms(content)


def bounded(content: str) -> str:
    """``content`` cut at :data:`MAX_LINE` characters, without brackets nested too deep."""
    if len(content) > MAX_LINE:
        content = content[:MAX_LINE]
    if content.count("[") <= MAX_NESTING:
        return content
    out: list[str] = []
    depth = start = 0
    for match in _BRACKET.finditer(content):
        if match[0] == "[":
            depth += 1
            deep = depth > MAX_NESTING
        else:
            deep = depth > MAX_NESTING
            depth = max(depth - 1, 0)
        if deep:
            out.append(content[start : match.start()])
            start = match.end()
    out.append(content[start:])
    return "".join(out)


def markdown_atoms(content: str) -> list[Atom]:
    """The inline parts of ``content`` as markdown-it reads it: the reference behaviour.

    Emphasis and images disappear (their text stays, badges go), ``<sub>…</sub>`` annotations
    written by our own export are dropped whole, line breaks become spaces, ``<br>`` becomes
    :data:`BREAK` and ``<a href="url">label</a>`` a link.
    """
    tokens: list = []
    MD.inline.parse(content, MD, {}, tokens)
    out: list[Atom] = []
    strong = hidden = 0
    label: list[str] | None = None
    url = ""
    for token in tokens:
        kind = token.type
        if kind == "html_inline":
            tag = token.content.lower()
            if tag.startswith(("<sub>", "<sub ")):
                hidden += 1
            elif tag.startswith("</sub"):
                hidden = max(hidden - 1, 0)
            elif hidden:
                continue
            elif _HTML_BREAK.fullmatch(tag):
                if label is None:
                    out.append((TEXT, BREAK, ""))
            elif (anchor := _HTML_LINK.match(token.content)) is not None and label is None:
                href = unescape(anchor["dq"] or anchor["sq"] or anchor["bare"] or "")
                if not _UNSAFE_URL.match(href):  # markdown-it refuses these targets too
                    label, url = [], href
            elif _HTML_LINK_END.fullmatch(tag) and label is not None:
                out.append((LINK, "".join(label), url))
                label = None
            continue
        if hidden:
            continue
        if kind in ("text", "text_special", "softbreak", "hardbreak"):
            text = token.content if kind.startswith("text") else " "
            part = BOLD if strong else TEXT
        elif kind == "code_inline":
            text, part = token.content, CODE
        elif kind == "strong_open":
            strong += 1
            continue
        elif kind == "strong_close":
            strong = max(strong - 1, 0)
            continue
        elif kind == "link_open":
            label, url = [], str(token.attrs.get("href", ""))
            continue
        elif kind == "link_close":
            if label is not None:
                out.append((LINK, "".join(label), url))
            label = None
            continue
        else:
            continue
        if label is not None:
            label.append(text)
        elif text:
            out.append((part, text, ""))
    if label is not None:  # an <a> never closed: its text is text
        out.append((TEXT, "".join(label), ""))
    return _merged(out)


def fast_atoms(content: str) -> list[Atom] | None:
    """The same atoms as :func:`markdown_atoms` for plain lines, or ``None`` to defer to it.

    Only plain text, ``**bold**`` runs that start and end with a letter or digit, single
    backtick code, ``[label](url)`` links with plain labels and brackets that cannot form a
    link are accepted; escapes, HTML, images, entities, ``_`` and stray ``*`` are not.
    """
    if "\\" in content or "![" in content:
        return None
    if "<" in content:
        match = _SUB_SUFFIX.search(content)
        content = content[: match.start()] + content[match.end() :] if match else content
        if "<" in content:
            return None
    if "&" in content and _ENTITY.search(content):
        return None
    if "\n" in content:
        if "`" in content:
            return None
        content = _LINE_BREAK.sub(" ", content)
    out: list[Atom] = []
    size = links = 0
    for text, link, bold, code, bracket in _FAST.findall(content):
        if text or bracket:
            text = text or bracket
            out.append((TEXT, text, ""))
            size += len(text)
        elif link:
            middle = link.index("](")
            url = link[middle + 2 : -1]
            if ":" in url and _UNSAFE_URL.match(url):
                return None
            out.append((LINK, link[1:middle], url))
            size += len(link)
            links += 1
        elif bold:
            out.append((BOLD, bold[2:-2], ""))
            size += len(bold)
        else:
            body = code[1:-1]
            if body[0] == " " and body[-1] == " " and body.strip(" "):
                body = body[1:-1]
            out.append((CODE, body, ""))
            size += len(code)
    # Matches never overlap, so covering every character means nothing was skipped. A bracket
    # read as text could still belong to a link markdown-it would see (a nested label, an odd
    # target): each plain link holds exactly one "](", so any other one means "ask it".
    if size != len(content) or content.count("](") != links:
        return None
    return _merged(out)


def _merged(parts: list[Atom]) -> list[Atom]:
    """Neighbouring text (or bold) atoms as one, joined once: no quadratic concatenation."""
    out: list[Atom] = []
    run: list[str] = []
    run_kind = -1
    for part in parts:
        kind = part[0]
        if kind == run_kind:
            run.append(part[1])
            continue
        if run:
            out.append((run_kind, "".join(run), ""))
            run = []
        if kind in (TEXT, BOLD):
            run_kind, run = kind, [part[1]]
        else:
            run_kind = -1
            out.append(part)
    if run:
        out.append((run_kind, "".join(run), ""))
    return out


@dataclass(slots=True)
class Bullet:
    """A bullet split at its first link: what comes before is the title, after it the tags."""

    done: bool | None = None
    head: str = ""
    bold: list[tuple[int, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    tail: str = ""

    @property
    def has_links(self) -> bool:
        """True when a link position exists, even an empty ``[-]()`` one."""
        return bool(self.links)

    def real_links(self) -> list[tuple[str, str]]:
        """``(label, url)`` of the links with a target, first label kept per url."""
        seen: dict[str, str] = {}
        for label, url in self.links:
            if url and url not in seen:
                seen[url] = clean(label)
        return [(label, url) for url, label in seen.items()]

    def keywords(self, start: int, stop: int) -> list[str]:
        """Bold words of the head written between ``start`` and ``stop`` (title keywords)."""
        if not self.bold:
            return []
        words = (clean(text) for offset, text in self.bold if start <= offset < stop)
        return unique(word for word in words if word)


def read_bullet(parts: list[Atom], *, anchors_as_text: bool = False) -> Bullet:
    """Split a bullet's atoms into task box, head text, links and the text after the links.

    ``anchors_as_text``: links within the page (``[2.1](#21-dl-scheduling)``) are read as their
    text, as a cross-reference is part of what the line says rather than a link of the paper.
    """
    bullet = Bullet()
    head: list[str] = []
    tail: list[str] = []
    offset = 0
    for kind, text, url in _with_plain_urls(parts):
        if kind == LINK and anchors_as_text and url.startswith("#"):
            kind = TEXT
        if kind == LINK:
            bullet.links.append((link_label(text), link_target(url)))
        elif bullet.links:
            tail.append(text)
        else:
            if kind == BOLD:
                bullet.bold.append((offset, text))
            head.append(text)
            offset += len(text)
    text = "".join(head)
    box = _TASK_BOX.match(text)
    if box:
        bullet.done = box[1] in "xX"
        cut = box.end()
        text = text[cut:]
        bullet.bold = [(at - cut, word) for at, word in bullet.bold if at >= cut]
    bullet.head = text
    bullet.tail = "".join(tail)
    return bullet


def _with_plain_urls(parts: list[Atom]) -> list[Atom]:
    """Turn bare URLs and reversed ``(label)[url]`` links written in text into link atoms."""
    if not any(kind == TEXT and "http" in text for kind, text, _ in parts):
        return parts
    out: list[Atom] = []
    for kind, text, url in parts:
        if kind != TEXT or "http" not in text:
            out.append((kind, text, url))
            continue
        pos = 0
        for match in _URLISH.finditer(text):
            if match["bare"]:
                target = match["bare"].rstrip(".,;:!?")
                stop = match.start() + len(target)
                found = ("link", target)
            else:
                stop = match.end()
                found = (match["label"].strip(), match["target"])
            if match.start() > pos:
                out.append((TEXT, text[pos : match.start()], ""))
            out.append((LINK, found[0], found[1]))
            pos = stop
        if pos < len(text):
            out.append((TEXT, text[pos:], ""))
    return out


def link_label(label: str) -> str:
    """A link's label without the brackets some lists wrap it in (``[[Paper]](url)``)."""
    if label.startswith("[") and (enclosed := _ENCLOSED_LABEL.fullmatch(label)) is not None:
        return enclosed[1]
    return label


def link_target(url: str) -> str:
    """A link's usable target: the inner target of ``[a](b)`` written as a url, else as is.

    Placeholders (``()``, ``#``, ``https://``) give ``""``: the link is there, it goes nowhere.
    """
    url = url.strip()
    if url.startswith("[") and (nested := _NESTED_TARGET.fullmatch(url)):
        url = (nested["url"] or nested["label"]).strip()
    if url in ("", "#") or (url.endswith("://") and _PLACEHOLDER_URL.fullmatch(url)):
        return ""
    return url


def label_as_paper(links: list[tuple[str, str]], target: str) -> list[tuple[str, str]]:
    """A title written as a link (``[Title](url)``) is the paper link: label it so."""
    return [("paper", url) if url == target else (label, url) for label, url in links]


def primary_url(links: list[tuple[str, str]]) -> str | None:
    """The paper's own link: the first labelled paper/link/pdf/arxiv, else the first link."""
    for label, url in links:
        if label.lower() in PAPER_LABELS:
            return url
    return links[0][1] if links else None


def quote_summary(quotes: list[str]) -> str | None:
    """A bullet's ``> **TL;DR**: ...`` quote as plain text, without its label."""
    if not quotes:
        return None
    text = clean(" ".join("".join(part[1] for part in atoms(quote)) for quote in quotes))
    text = _TLDR.sub("", text, count=1) if _TLDR.match(text) else text
    return text or None


def clean(text: str) -> str:
    """Whitespace collapsed and trimmed."""
    return " ".join(text.split())


def clean_title(text: str) -> str:
    """A title with no markdown residue, collapsed whitespace and no dangling separators."""
    if "*" in text or "_" in text or "`" in text:
        text = _EMPHASIS_RESIDUE.sub("", text)
    text = " ".join(text.split()).strip(_TITLE_EDGES)
    while text.endswith(("[]", "()")):
        text = text[:-2].strip(_TITLE_EDGES)
    return text


def trailing_tags(text: str) -> tuple[str, list[str]]:
    """``Title [A | B]`` without links: the title and the tags of its final bracket group."""
    match = _TRAILING_TAGS.search(text)
    if match is None:
        return text, []
    return text[: match.start()], split_tags(match["tags"])


def split_tags(text: str) -> list[str]:
    """Tags from ``[A | **B** | C]``, ``**A** | B]``, ``[A|B]`` or ``A`` (no brackets)."""
    tags: list[str] = []
    for part in _TAG_SPLIT.split(text):
        tag = " ".join(part.split()).strip(_TAG_EDGES)
        if tag and tag not in tags and (tag.isalnum() or _WORD.search(tag)):
            tags.append(tag)
    return tags


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without repeats."""
    return list(dict.fromkeys(items))
