"""Big lists stay fast: the common lines take the fast lanes (timings are in benchmarks/)."""

from __future__ import annotations

import pytest

from paperdesk.catalog.importers import blocks, inline, parse_text


def generated_list(venues: int, topics: int = 4, per_topic: int = 50) -> str:
    """A list in the seed's format: ``## [CONFn 20xx](url)`` / ``### Topic`` / paper lines."""
    lines = ["# generated", ""]
    number = 0
    for venue in range(venues):
        lines.append(f"## [CONF{venue} {2000 + venue % 25}](https://conf{venue}.org/)")
        for topic in range(topics):
            lines.append(f"### Topic {topic}")
            for _ in range(per_topic):
                number += 1
                lines.append(
                    f"* Paper {number}: A **Fast** System for Things "
                    f"[paper](https://arxiv.org/abs/24{number % 12 + 1:02d}.{number:05d}) "
                    f"[Tag{number % 7} | Lab{number % 3}]"
                )
        lines.append("")
    return "\n".join(lines) + "\n"


def test_plain_paper_lines_take_the_fast_lanes(monkeypatch: pytest.MonkeyPatch) -> None:
    text = generated_list(5)
    slow_lines = 0
    slow_inline = 0
    parse_chunk, markdown_atoms = blocks._parse_chunk, inline.markdown_atoms

    def counting_chunk(lines: list[str], start: int, stop: int, out: list[blocks.Block]) -> None:
        nonlocal slow_lines
        slow_lines += stop - start
        parse_chunk(lines, start, stop, out)

    def counting_atoms(content: str) -> list[inline.Atom]:
        nonlocal slow_inline
        slow_inline += 1
        return markdown_atoms(content)

    monkeypatch.setattr(blocks, "_parse_chunk", counting_chunk)
    monkeypatch.setattr(inline, "markdown_atoms", counting_atoms)
    catalog = parse_text(text, "big")
    assert len(catalog.papers) == 1000
    assert slow_lines <= 5 * 7  # the headings and blank lines around them
    assert slow_inline == 0
