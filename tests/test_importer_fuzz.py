"""Property tests of the importers: no input makes them fail, and the fast lanes change nothing.

The fast lanes (plain bullet lines, plain inline text) exist only for speed; here they are
compared with markdown-it's own reading on fuzzed text and on mutated real lists.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import paperdesk.catalog.importers as importers
from paperdesk.catalog.importers import inline, parse_text
from paperdesk.catalog.importers.blocks import Item, read_blocks
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
            block.content,
            block.parent.line if isinstance(block, Item) and block.parent else None,
            tuple(block.quotes) if isinstance(block, Item) else (),
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
