"""Hand-built paper lists for the desk's tests (no importer involved, every field chosen), and
the Markdown of a small awesome list for the tests that serve one to the importer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from paperdesk.catalog.identity import paper_id
from paperdesk.catalog.models import CatalogFile, TodoItem
from paperdesk.catalog.records import Link, Paper, Venue, Website

EVIL_TITLE = "[bold]Not bold[/bold] and [red]plain[/red] title"
ESCAPE_TITLE = "Bell \x1b]0;pwned\x07 and \x1b[31mescape\x1b[0m title"
SERVERLESS = "ServerlessLLM: Low-Latency Serverless Inference for Large Language Models"

VENUES = [
    ("NSDI 2025", 2025, ["Networking"]),
    ("OSDI 2024", 2024, ["LLM Serving", "Scheduling"]),
    ("SOSP 2024", 2024, ["Storage"]),
]


def _paper(title: str, venue: str, year: int, topic: str, line: int, **extra: object) -> Paper:
    return Paper(
        id=paper_id(title),
        title=title,
        venue=venue,
        year=year,
        topics=[topic],
        url=f"https://example.org/{line}",
        links=[Link(label="paper", url=f"https://example.org/{line}")],
        source="awesome-papers",
        line=line,
        **extra,
    )


def main_list(count_per_topic: int = 3) -> CatalogFile:
    """Three venues; OSDI 2024 holds ServerlessLLM and the two titles with hostile text."""
    papers: list[Paper] = []
    line = 10
    for venue, year, topics in VENUES:
        for topic in topics:
            for index in range(count_per_topic):
                line += 1
                title = f"{venue.split()[0]} {topic} paper {index + 1}"
                tags = ["serving"] if index == 0 else []
                papers.append(_paper(title, venue, year, topic, line, tags=tags))
        if venue == "OSDI 2024":
            papers.append(
                _paper(
                    SERVERLESS,
                    venue,
                    year,
                    "LLM Serving",
                    line + 1,
                    tags=["serving", "serverless"],
                    keywords=["cold start"],
                    arxiv_id="2401.14351",
                    summary="Loads checkpoints fast from local storage.",
                )
            )
            papers.append(_paper(EVIL_TITLE, venue, year, "Scheduling", line + 2))
            papers.append(_paper(ESCAPE_TITLE, venue, year, "Scheduling", line + 3))
            line += 3
    return CatalogFile(
        source="awesome-papers",
        title="awesome-papers",
        papers=papers,
        venues=[
            Venue(name=n, label=n, year=y, url=f"https://{n.split()[0].lower()}.example")
            for n, y, _ in VENUES
        ],
        websites=[
            Website(name="Arxiv-CS-RAG", url="https://huggingface.co/spaces/bishmoy/Arxiv-CS-RAG"),
            Website(
                name="https://papers.cool/arxiv/cs.LG",
                url="https://papers.cool/arxiv/cs.LG",
                description="Machine Learning",
                group="Papes.cool",
            ),
        ],
        todos=[
            TodoItem(name="NSDI'25", url="https://www.usenix.org/conference/nsdi25"),
            TodoItem(name="OSDI'25", url="https://osdi.example", date=dt.date(2025, 3, 25)),
        ],
    )


def daily_feed() -> CatalogFile:
    """A dated feed: two days, arXiv papers with tags."""
    papers = []
    for day, titles in [
        (dt.date(2026, 8, 17), ["AdaSprite: Resource-efficient Online Co-Adaptation"]),
        (dt.date(2026, 8, 18), ["Bounded-State Restoration", "Another Serving Trick"]),
    ]:
        for title in titles:
            papers.append(
                Paper(
                    id=paper_id(title),
                    title=title,
                    venue="arXiv",
                    date=day,
                    tags=["serving"],
                    url="http://arxiv.org/abs/2608.17826v1",
                    source="daily",
                )
            )
    return CatalogFile(source="daily", kind="daily", title="Daily arXiv", papers=papers)


def write_catalog(path: Path, catalog: CatalogFile | None = None) -> Path:
    path.write_text((catalog or main_list()).model_dump_json(), encoding="utf-8")
    return path


def write_home_sources(home: Path) -> None:
    """Install the main list (in place of the shipped one) and the daily feed into ``home``."""
    sources = home / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    write_catalog(sources / "awesome-papers.json", main_list())
    write_catalog(sources / "daily.json", daily_feed())


def awesome_list(*titles: str) -> str:
    """An awesome list's Markdown: one OSDI 2024 section holding these titles."""
    lines = "\n".join(f"* {title}" for title in titles)
    return f"# synced list\n\n## [OSDI 2024](https://osdi.example)\n\n### LLM Serving\n{lines}\n"


@dataclass
class ServedList:
    """An awesome list a test's HTTP server answers at ``url`` (the ``served_list`` fixture):
    the server reads ``titles`` on every request, so a test changes them before a sync."""

    url: str
    titles: tuple[str, ...]

    @property
    def text(self) -> str:
        return awesome_list(*self.titles)
