"""Property tests of the importers: no input makes them fail, and the fast lanes change nothing.

The fast lanes (plain bullet lines, plain inline text) exist only for speed; here they are
compared with markdown-it's own reading on fuzzed text and on mutated real lists.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import paperdesk.catalog.importers as importers
from paperdesk.catalog.importers import inline, parse_text
from paperdesk.catalog.importers.blocks import Item, Table, read_blocks
from paperdesk.catalog.models import CatalogFile

SHARED = Path(__file__).resolve().parents[2] / "shared"
REAL_LISTS = ("seed/awesome-papers.md", "data/upstream-README.md")
# PAPERDESK_FUZZ_SCALE=50 runs fifty times the examples, for a long hunt before a release.
SCALE = int(os.environ.get("PAPERDESK_FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=40 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
FEW = settings(FUZZ, max_examples=15 * SCALE)

# Characters and fragments that mean something to markdown or to the importer.
MARKDOWN_BITS = st.sampled_from(
    [
        "*", "**", "_", "__", "`", "``", "[", "]", "(", ")", "!", "<", ">", "&", ";", "\\", "|",
        "#", "-", "+", "~", ":", "'", "’", " ", "  ", "\t", "\n", "\n\n", "a", "B", "7", "é",
        "http://x.y/z", "https://arxiv.org/abs/2401.01234v2", "[link](", "](", "<sub>", "</sub>",
        "<!--", "-->", "<details>", "<summary>", "```", "> ", "* ", "  * ", "1. ", "## ", "### ",
        "(NSDI'24) ", "[x] ", "[ ] ", "&amp;", "javascript:", "2025-01-09", "**TL;DR**: ",
        "\u00a0", "\x01", "\u2028",
    ]
)  # fmt: skip
MARKDOWNISH = st.lists(MARKDOWN_BITS, max_size=40).map("".join)
INLINE_BITS = st.sampled_from(
    [
        "a", "Bc", "1", " ", "  ", "\t", "é", "*", "**", "***", "_", "__", "`", "``", "[", "]",
        "(", ")", "[a](b)", "[x](http://a_b*c)", "](", "!", "![", "<", "&", "&amp;", "&x", "|",
        "\\", ":", "\n", "<sub>q</sub>", "javascript:x", "\x01", "\u00a0", "'", "\"",
    ]
)  # fmt: skip
INLINE = st.lists(INLINE_BITS, max_size=25).map("".join)


def _real(relative: str) -> str:
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path.read_text(encoding="utf-8")


def _check(catalog: CatalogFile, text: str) -> None:
    assert isinstance(catalog, CatalogFile)
    assert not any(w.message.startswith("internal error") for w in catalog.warnings)
    lines = text.count("\n") + text.count("\r") + 1
    assert all(1 <= w.line <= lines for w in catalog.warnings)
    assert all(1 <= p.line <= lines for p in catalog.papers)
    assert all("**" not in p.title and p.title == p.title.strip() for p in catalog.papers)
    assert len({p.id for p in catalog.papers}) == len(catalog.papers)


def _normalised(parts: list[inline.Atom]) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []
    for kind, text, url in parts:
        text = re.sub(r"\s+", " ", text) if kind != inline.CODE else text
        if kind == inline.TEXT and out and out[-1][0] == inline.TEXT:
            out[-1] = (inline.TEXT, out[-1][1] + text, "")
        else:
            out.append((kind, text, url))
    return [atom for atom in out if atom[0] != inline.TEXT or atom[1].strip()]


def _shape(text: str, *, fast: bool) -> list[tuple[object, ...]]:
    return [
        (
            type(block).__name__,
            block.line,
            getattr(block, "depth", None),
            (block.header, block.rows) if isinstance(block, Table) else block.content,
            block.parent.line if isinstance(block, Item) and block.parent else None,
            (tuple(block.quotes), tuple(block.more)) if isinstance(block, Item) else (),
        )
        for block in read_blocks(text, fast=fast)
    ]


def _parse_without_fast_lanes(text: str) -> CatalogFile:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(importers, "read_blocks", lambda text: read_blocks(text, fast=False))
        patch.setattr(inline, "fast_atoms", lambda content: None)
        return parse_text(text, "fuzz")


@FUZZ
@given(st.text(max_size=300))
def test_any_text_imports_without_an_exception(text: str) -> None:
    _check(parse_text(text, "fuzz"), text)


@FUZZ
@given(MARKDOWNISH, st.sampled_from(["auto", "list", "daily"]))
def test_markdown_like_text_imports_without_an_exception(text: str, kind: str) -> None:
    _check(parse_text(text, "fuzz", kind=kind), text)  # type: ignore[arg-type]


@FUZZ
@given(st.data())
def test_mutated_real_lists_import_without_an_exception(data: st.DataObject) -> None:
    lines = _real(data.draw(st.sampled_from(REAL_LISTS))).split("\n")
    for _ in range(data.draw(st.integers(1, 6))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "swap", "insert"]))
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            at = data.draw(st.integers(0, len(lines[index])))
            bit = data.draw(MARKDOWN_BITS | st.text(max_size=3))
            lines[index] = lines[index][:at] + bit + lines[index][at:]
    text = "\n".join(lines)
    _check(parse_text(text, "fuzz"), text)


@settings(FUZZ, max_examples=200 * SCALE)
@given(INLINE)
def test_fast_inline_reading_agrees_with_markdown_it(content: str) -> None:
    fast = inline.fast_atoms(content)
    if fast is not None:
        assert _normalised(fast) == _normalised(inline.markdown_atoms(content))


@pytest.mark.parametrize(
    "content",
    [
        "(MLSys'24) HeteGen: Fast [paper](https://arxiv.org/abs/2403.01164) **Inference** | NUS]",
        "Smart-Infinity: Fast **Large Language Model Training** using Near-Storage Processing",
        "`serving` `offloading` [Bounded-State Restoration](http://arxiv.org/abs/2608.17826v1)",
        "[ ] Title [paper](https://a.b) [**Serving** | Lab] <sub>queued · note: first</sub>",
    ],
)
def test_the_fast_inline_reading_takes_the_common_lines(content: str) -> None:
    fast = inline.fast_atoms(content)
    assert fast is not None
    assert _normalised(fast) == _normalised(inline.markdown_atoms(content))


@settings(FUZZ, max_examples=200 * SCALE)
@given(MARKDOWNISH)
def test_fast_block_reading_agrees_with_markdown_it(text: str) -> None:
    assert _shape(text, fast=True) == _shape(text, fast=False)


@pytest.mark.parametrize(
    "text",
    [
        "```\n\n* a\n\n```\n* b",
        "<!--\n\n* a\n\n-->\n* b",
        "    <!--\n\n* a\n-->\n",
        "<script>\n\n* a\n</script>\n* b",
        "<div>\n* a\n\n* b",
        "* a\n\n  * nested\n* b",
        "* a\n  > quote\n\n* b\n> top quote",
        "> q\n\n* a\n* b",
        "* a\n---\n* b\n* * *\n* ---",
        "   ```\n* a\n   ```\n* b",
        "* a\n\n    more of a\n* b",
        "- a\n+ b\n* c\n1. d",
        "* a\nlazy continuation\n* b",
        "# h\n* a\n## h2\n* b\n\n\n* c\n",
        "* [x] done\n* <sub>x</sub>\n* `code`\n* ~~~\n* #not heading",
    ],
)
def test_tricky_blocks_read_the_same_with_and_without_the_fast_lane(text: str) -> None:
    assert _shape(text, fast=True) == _shape(text, fast=False)


@pytest.mark.parametrize("relative", [*REAL_LISTS, "data/daily-arxiv-llm.md"])
def test_real_lists_read_the_same_with_and_without_the_fast_lanes(relative: str) -> None:
    text = _real(relative)
    assert _shape(text, fast=True) == _shape(text, fast=False)
    assert parse_text(text, "fuzz") == _parse_without_fast_lanes(text)


@FEW
@given(st.data())
def test_mutated_lists_read_the_same_with_and_without_the_fast_lanes(
    data: st.DataObject,
) -> None:
    lines = _real(data.draw(st.sampled_from(REAL_LISTS))).split("\n")
    for _ in range(data.draw(st.integers(1, 8))):
        index = data.draw(st.integers(0, len(lines) - 1))
        at = data.draw(st.integers(0, len(lines[index])))
        lines[index] = lines[index][:at] + data.draw(MARKDOWN_BITS) + lines[index][at:]
    text = "\n".join(lines)
    assert _shape(text, fast=True) == _shape(text, fast=False)
    assert parse_text(text, "fuzz") == _parse_without_fast_lanes(text)


# --- a grammar of paper lists: every generated line is paper-shaped ------------------------
#
# Fuzzing with arbitrary characters rarely reaches the reading of a paper (a heading, then a
# bullet with a title and a link is unlikely by chance). This grammar writes whole lists in
# the forms the public lists use (prefix groups, link titles with a subtitle or a "| venue",
# tables, <a href>, <br>, reference paragraphs, annotation bullets) and knows what each of
# its papers must read as.

TITLE_WORDS = st.sampled_from(
    ["Serving", "Large", "Models", "Fast", "Sparse", "Kernels", "Memory", "Graph", "Cache",
     "Scheduling", "Elastic", "Pipeline", "Secure", "Tensor", "Quantized", "Mixture", "Agents",
     "Retrieval", "Training", "Clusters", "Efficient", "Long", "Context", "Offloading"]
)  # fmt: skip
VENUE_SPELLINGS = st.sampled_from(
    [("OSDI'24", "OSDI 2024"), ("NSDI 2023", "NSDI 2023"), ("arxiv'24", "arXiv"),
     ("MLSys'25", "MLSys 2025"), ("EuroMLSys@EuroSys'24", "EuroMLSys @ EuroSys 2024"),
     ("ICML 2022", "ICML 2022"), ("Sigcomm'21", "SIGCOMM 2021")]
)  # fmt: skip
AFFILIATIONS = st.sampled_from(["NVIDIA", "Google", "MIT", "Tsinghua", "UC Berkeley"])
HEADINGS = st.sampled_from(
    ["## [OSDI 2024](https://www.usenix.org/conference/osdi24)", "## Serving Systems",
     "### LLM Training", "### 2023", "#### Before 2024", "## [EuroSys 2025 Spring](https://e)"]
)  # fmt: skip


@dataclass
class Expected:
    """What the grammar wrote for one paper: the importer must read exactly this."""

    arxiv: str
    title: str
    venue: str | None = None
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


@st.composite
def titles(draw: st.DrawFn, subtitle: bool = True) -> str:
    words = draw(st.lists(TITLE_WORDS, min_size=1, max_size=6))
    title = " ".join(words)
    if subtitle and draw(st.booleans()):
        title += ": " + " ".join(draw(st.lists(TITLE_WORDS, min_size=1, max_size=4)))
    return title


@st.composite
def entries(draw: st.DrawFn, arxiv: str) -> tuple[list[str], Expected]:
    """One bullet in one of the forms lists write, with what it must read as."""
    url = f"https://arxiv.org/abs/{arxiv}"
    form = draw(st.sampled_from(["text", "label", "subtitle", "pipe", "groups", "html", "br"]))
    box = draw(st.sampled_from(["", "[ ] ", "[x] "]))
    marker = draw(st.sampled_from(["*", "-"]))
    spelled, venue = draw(VENUE_SPELLINGS)
    if form == "text":
        title = draw(titles())
        own = draw(st.booleans())
        prefix = f"({spelled}) " if own else ""
        line = f"{marker} {box}{prefix}{title} [paper]({url}) [Tag | Lab]"
        expected = Expected(arxiv, title, venue if own else None, ("Tag", "Lab"))
    elif form == "label":
        title = draw(titles())
        line = f"{marker} {box}[{title}]({url})"
        expected = Expected(arxiv, title)
    elif form == "subtitle":
        name, rest = draw(titles(subtitle=False)), draw(titles(subtitle=False))
        affiliation = draw(AFFILIATIONS)
        line = f"{marker} [{name}]({url}): {rest} | {affiliation}"
        expected = Expected(arxiv, f"{name}: {rest}", tags=(affiliation,))
    elif form == "pipe":
        title = draw(titles())
        line = f"{marker} [{title}]({url}) | {spelled}"
        expected = Expected(arxiv, title, venue)
    elif form == "groups":
        title = draw(titles())
        line = f"{marker} [Survey :mag:] [{spelled}] [{title}]({url})"
        expected = Expected(arxiv, title, venue, ("Survey",))
    elif form == "html":
        title = draw(titles())
        line = f'{marker} <a href="{url}">{title}</a>'
        expected = Expected(arxiv, title)
    else:
        title = draw(titles())
        line = f"{marker} {title} <br> {spelled} [[Paper]]({url})"
        expected = Expected(arxiv, title, venue)
    lines = [line]
    if draw(st.booleans()):
        slides = f"https://example.org/{arxiv}.pdf"
        lines.append(f"  {marker} {draw(st.sampled_from(['slides', 'arxiv version (2023)']))}"
                     f" [link]({slides})")  # fmt: skip
        expected.links = (url, slides)
    return lines, expected


@st.composite
def paper_lists(draw: st.DrawFn) -> tuple[str, list[Expected]]:
    """A list of sections; each a heading, then bullets, a table or reference lines."""
    out = ["# A generated list", ""]
    expected: list[Expected] = []
    seen: set[str] = set()
    for _ in range(draw(st.integers(1, 5))):
        out += [draw(HEADINGS), ""]
        block = draw(st.sampled_from(["bullets", "bullets", "table", "references", "noise"]))
        count = draw(st.integers(1, 5))
        arxivs = [f"24{len(expected) + n + 1:02d}.{draw(st.integers(10000, 99999))}"
                  for n in range(count)]  # fmt: skip
        if block == "bullets":
            for arxiv in arxivs:
                lines, wanted = draw(entries(arxiv))
                out += lines
                expected.append(wanted)
        elif block == "table":
            out += ["| Title | Venue | Paper | Code |", "|---|---|---|---|"]
            for arxiv in arxivs:
                title = draw(titles())
                spelled, venue = draw(VENUE_SPELLINGS)
                out.append(f"| {title} | {spelled} | [pdf](https://arxiv.org/abs/{arxiv}) | |")
                expected.append(Expected(arxiv, title, venue))
        elif block == "references":
            for number, arxiv in enumerate(arxivs, 1):
                title = draw(titles())
                out.append(f"[{number}] [{title}](https://arxiv.org/pdf/{arxiv}.pdf)<br>")
                expected.append(Expected(arxiv, title))
        else:
            out += [
                "Some prose about [a site](https://example.org) and **words**.",
                "",
                "- [Contents](#contents)",
                "- ![](https://img.shields.io/badge/x-red) Key",
            ]
        out.append("")
    # Titles that normalise alike with different arXiv ids are two papers; keep one per title
    # here, so that each expectation names its paper by arXiv id alone.
    unique = []
    for wanted in expected:
        if wanted.title.casefold() not in seen:
            seen.add(wanted.title.casefold())
            unique.append(wanted)
    return "\n".join(out) + "\n", unique


def _drop_repeats(text: str, expected: list[Expected]) -> str:
    """The list without the lines of titles written twice (their papers would merge)."""
    keep = {wanted.arxiv for wanted in expected}
    lines: list[str] = []
    dropped = False
    for line in text.split("\n"):
        if dropped and line.startswith("  "):
            continue  # the dropped entry's annotation
        found = re.search(r"(\d{4}\.\d{5})", line)
        dropped = bool(found and found[1] not in keep)
        if not dropped:
            lines.append(line)
    return "\n".join(lines)


@settings(FUZZ, max_examples=60 * SCALE)
@given(paper_lists())
def test_generated_lists_read_every_paper_as_written(generated: tuple[str, list]) -> None:
    text, expected = generated
    text = _drop_repeats(text, expected)
    catalog = parse_text(text, "grammar")
    _check(catalog, text)
    by_arxiv = {paper.arxiv_id: paper for paper in catalog.papers}
    assert len(catalog.papers) == len(expected), text
    for wanted in expected:
        paper = by_arxiv[wanted.arxiv]
        assert paper.title == wanted.title, text
        if wanted.venue is not None:
            assert paper.venue == wanted.venue, text
        assert set(wanted.tags) <= set(paper.tags), text
        assert set(wanted.links) <= {link.url for link in paper.links}, text
    assert not [w for w in catalog.warnings if w.kind == "skipped"], text


@settings(FEW, max_examples=25 * SCALE)
@given(paper_lists(), st.data())
def test_mutated_generated_lists_import_and_read_the_same_without_fast_lanes(
    generated: tuple[str, list], data: st.DataObject
) -> None:
    lines = generated[0].split("\n")
    for _ in range(data.draw(st.integers(0, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        at = data.draw(st.integers(0, len(lines[index])))
        lines[index] = lines[index][:at] + data.draw(MARKDOWN_BITS) + lines[index][at:]
    text = "\n".join(lines)
    _check(parse_text(text, "fuzz"), text)
    assert _shape(text, fast=True) == _shape(text, fast=False)
    assert parse_text(text, "fuzz") == _parse_without_fast_lanes(text)
