"""Deterministic benchmark inputs: a big paper list in the seed's format, and reading state.

The list looks like a conference list grown large (``## [OSDI 2024](url)`` venues of about a
hundred papers, ``### topic`` sections, ``* (OSDI'24) Title [paper](arXiv url) [Tag | Lab]``
lines, some ``**bold**`` keywords). Every title starts with a unique ``P<number>:`` marker, so the
benchmark can tell from the screen alone which papers the desk shows. Marker numbers are a
random permutation, not list order: typing ``p4``, ``p42``... in the search then narrows the
list on every keystroke, whatever order the desk sorts papers in. No word of the vocabulary is a
``p`` followed by a digit, so such a query matches markers and nothing else.

Run it on its own to get a big list to try by hand::

    python benchmarks/generate.py big.md --papers 50000
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperdesk.catalog.records import Paper

SEED = 20240824
PAPERS_PER_VENUE = (60, 140)
TOPICS_PER_VENUE = (2, 5)
CONFERENCES = (
    "OSDI", "SOSP", "NSDI", "EuroSys", "ATC", "ASPLOS", "ISCA", "MICRO", "HPCA", "MLSys",
    "SIGCOMM", "SC", "PPoPP", "VLDB", "SIGMOD", "NeurIPS", "ICML", "ICLR", "FAST", "SoCC",
)  # fmt: skip
YEARS = tuple(range(2025, 1999, -1))
TOPICS = (
    "LLM Serving", "LLM Training", "ML Scheduling", "Storage Systems", "Networking", "Compilers",
    "Sparse Models", "Quantization", "Memory Management", "Retrieval-Augmented Generation",
    "Security", "Edge Inference", "Diffusion Models", "Data Processing", "Fault Tolerance",
)  # fmt: skip
WORDS = (
    "adaptive", "scalable", "efficient", "serving", "training", "inference", "cache", "memory",
    "kernel", "pipeline", "parallel", "sparse", "quantized", "distributed", "elastic", "secure",
    "fast", "low-latency", "GPU", "cluster", "LLM", "MoE", "attention", "scheduling", "offloading",
    "speculative", "decoding", "prefix", "sharing", "disaggregated", "heterogeneous", "serverless",
    "streaming", "compression", "expert", "routing", "tensor", "collective", "fine-tuning",
    "long-context", "retrieval", "agents", "multi-tenant", "preemptive", "fair", "throughput",
    "accelerator", "near-storage", "checkpointing", "recovery", "graph", "compiler", "fusion",
)  # fmt: skip
TAGS = (
    "Serving", "Training", "Inference", "Scheduling", "KV Cache", "MoE", "Offloading",
    "Compression", "Attention", "Communication", "Storage", "Kernels",
)  # fmt: skip
LABS = (
    "Google", "Microsoft", "Meta", "Alibaba", "Bytedance", "Tsinghua", "CMU", "MIT",
    "Berkeley", "Stanford", "SJTU", "PKU", "NUS", "ETH", "Amazon", "NVIDIA",
)  # fmt: skip
STATUS_WEIGHTS = {"read": 50, "queued": 25, "reading": 10, "skipped": 15}


def venue_names(count: int) -> list[tuple[str, int]]:
    """``count`` distinct (conference, year) pairs, newest years first."""
    pairs = [(conf, year) for year in YEARS for conf in CONFERENCES]
    names = []
    for index in range(count):
        conf, year = pairs[index % len(pairs)]
        edition = index // len(pairs)
        names.append((f"{conf}-W{edition}" if edition else conf, year))
    return names


def paper_line(rng: random.Random, marker: int, conf: str, year: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 11))]
    if rng.random() < 0.15:
        start = rng.randrange(len(words) - 1)
        words[start] = f"**{words[start]}"
        words[start + 1] = f"{words[start + 1]}**"
    text = " ".join(words)
    title = f"P{marker}: {text[0].upper()}{text[1:]}"
    arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{marker % 100000:05d}"
    tags = " | ".join([*rng.sample(TAGS, rng.randint(1, 2)), rng.choice(LABS)])
    return f"* ({conf}'{year % 100:02d}) {title} [paper](https://arxiv.org/abs/{arxiv}) [{tags}]"


def list_text(papers: int, seed: int = SEED) -> str:
    """A markdown list of exactly ``papers`` papers, the same for the same arguments."""
    rng = random.Random(seed)
    markers = list(range(1, papers + 1))
    rng.shuffle(markers)
    sizes = []
    while sum(sizes) < papers:
        sizes.append(min(rng.randint(*PAPERS_PER_VENUE), papers - sum(sizes)))
    out = [f"# benchmark list: {papers} papers", ""]
    done = 0
    for (conf, year), size in zip(venue_names(len(sizes)), sizes, strict=True):
        slug = f"{conf.lower()}{year % 100:02d}"
        out += ["---", f"## [{conf} {year}](https://conferences.example.org/{slug}/accepted)"]
        topics = rng.sample(TOPICS, rng.randint(*TOPICS_PER_VENUE))
        for index, topic in enumerate(topics):
            share = size * (index + 1) // len(topics) - size * index // len(topics)
            out.append(f"### {topic}")
            for _ in range(share):
                out.append(paper_line(rng, markers[done], conf, year))
                done += 1
        out.append("")
    return "\n".join(out) + "\n"


def relink_titles(
    vanished: int, appeared: int, seed: int = SEED
) -> tuple[dict[str, str], dict[str, str]]:
    """A re-import's relinking input: ``appeared`` new titles (id -> title) and ``vanished``
    old ones, four in five of them a new title before a small edit (a word changed, one
    dropped, a letter's case), the rest titles the new list no longer has."""
    from paperdesk.catalog.identity import paper_id

    rng = random.Random(seed)
    markers = list(range(1, appeared + vanished + 1))
    rng.shuffle(markers)
    titles = [_title(rng, markers[index]) for index in range(appeared)]
    new = {paper_id(title): title for title in titles}
    old: dict[str, str] = {}
    for index, title in enumerate(rng.sample(titles, min(vanished, len(titles)))):
        if index % 5 == 4:
            title = _title(rng, markers[appeared + index])
        else:
            words = title.split()
            at = rng.randrange(1, len(words))
            edit = rng.choice(("word", "drop", "case"))
            if edit == "word":
                words[at] = rng.choice(WORDS)
            elif edit == "drop" and len(words) > 3:
                del words[at]
            else:
                words[at] = words[at].capitalize() if words[at].islower() else words[at].lower()
            title = " ".join(words)
        old[paper_id(title)] = title
    return old, new


def _title(rng: random.Random, marker: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 11)))
    return f"P{marker}: {text[0].upper()}{text[1:]}"


def write_list(path: Path, papers: int, seed: int = SEED) -> None:
    path.write_text(list_text(papers, seed), encoding="utf-8")


def write_venue_toc(path: Path, papers: int, seed: int = SEED) -> None:
    """A DBLP table of contents (XML export) of one venue with ``papers`` papers in sessions of
    50, as ``venue fetch --file`` reads it."""
    from xml.sax.saxutils import escape

    rng = random.Random(seed + 13)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>']
    parts.append('<bht key="db/conf/nsdi/nsdi2025.bht" title="NSDI 2025">')
    for first in range(0, papers, 50):
        parts.append(f"<h2>Session {first // 50 + 1}</h2><dblpcites>")
        for n in range(first, min(first + 50, papers)):
            parts.append(
                f'<r><inproceedings key="conf/nsdi/P{n}"><author>Ada Lovelace</author>'
                f"<title>{escape(_title(rng, n))}.</title><pages>{n}-{n + 12}</pages>"
                f"<year>2025</year><ee>https://doi.org/10.5555/bench.{n}</ee></inproceedings></r>"
            )
        parts.append("</dblpcites>")
    parts.append("</bht>")
    path.write_text("\n".join(parts), encoding="utf-8")


def note_text(rng: random.Random) -> str:
    """A note like a reader writes: a line or three of plain words (never a marker)."""
    lines = []
    for _ in range(rng.randint(1, 3)):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 20)))
        lines.append(f"{rng.choice(('Idea', 'Compare', 'Question', 'TODO'))}: {words}.")
    return "\n".join(lines)


def plan_states(
    papers: Sequence[Paper], count: int, seed: int = SEED
) -> tuple[dict[str, list[Paper]], dict[str, str]]:
    """Which ``count`` papers get which status, and a note for each of them."""
    rng = random.Random(seed)
    chosen = rng.sample(list(papers), min(count, len(papers)))
    by_status: dict[str, list[Paper]] = {status: [] for status in STATUS_WEIGHTS}
    notes = {}
    for paper in chosen:
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        by_status[status].append(paper)
        notes[paper.id] = note_text(rng)
    return by_status, notes


def write_states(home: Path, count: int, seed: int = SEED) -> int:
    """Give ``count`` papers of the home's catalog a status and a note, in one store write.

    Statuses go in one ``set_status`` call per status and the notes one by one, all inside a
    single ``Store.transaction()``: one lock and one atomic write, as a bulk import would do.
    Returns the number of states written.
    """
    from paperdesk.workspace import Workspace

    workspace = Workspace.open(home=home)
    by_status, notes = plan_states(workspace.catalog.papers, count, seed)
    store = workspace.store
    with store.transaction():
        for status, papers in by_status.items():
            store.set_status(papers, status)
        for papers in by_status.values():
            for paper in papers:
                store.set_note(paper, notes[paper.id])
    return len(notes)


def write_view(home: Path) -> str:
    """Leave the desk of ``home`` in a view it restores at start, as a user leaves it: a venue
    in the middle of the list, sorted by title, searched for a word of one of its papers, the
    cursor on that paper and the Library focused. Returns what the view is, for the report."""
    from paperdesk.tui.opening import VIEW_SETTING, DeskView
    from paperdesk.tui.selection import Selection
    from paperdesk.workspace import Workspace

    workspace = Workspace.open(home=home)
    catalog = workspace.catalog
    venue = catalog.venues[len(catalog.venues) // 2]
    paper = catalog.paper(venue.rows[len(venue.rows) // 2])
    word = max(paper.title.split(":", 1)[-1].split(), key=len).strip("*").lower()
    view = DeskView(
        selection=Selection("venue", venue.name, venue.name),
        sort="title",
        search=word,
        paper=paper.id,
        focus="nav",
    )
    workspace.store.set_setting(VIEW_SETTING, view.dumps())
    return f"{venue.name}, sorted by title, search {word!r}, on {paper.title.split(':')[0]}"


#: The fetched venue the triage benchmark goes through (a source name takes no spaces).
TRIAGE_VENUE = "BENCH 2025"
TRIAGE_SOURCE = "BENCH-2025"


def write_venue(home: Path, papers: int, seed: int = SEED) -> str:
    """Install a fetched venue of ``papers`` accepted papers into ``home``, as ``venue fetch``
    does: a source of kind ``venue``, sessions as topics, ``T<number>:`` title markers in
    venue order (so the screen says which paper triage shows). Returns the venue's name."""
    from paperdesk.catalog.identity import paper_id
    from paperdesk.catalog.models import CatalogFile
    from paperdesk.catalog.records import Paper
    from paperdesk.workspace import Workspace

    rng = random.Random(seed)
    accepted = []
    for index in range(1, papers + 1):
        title = "T" + _title(rng, index)[1:]
        accepted.append(
            Paper(
                id=paper_id(title),
                title=title,
                venue=TRIAGE_VENUE,
                year=2025,
                topics=[TOPICS[(index * len(TOPICS)) // (papers + 1)]],
                url=f"https://dblp.example/{index}",
                source=TRIAGE_SOURCE,
                line=index,
            )
        )
    venue = CatalogFile(source=TRIAGE_SOURCE, kind="venue", title=TRIAGE_VENUE, papers=accepted)
    Workspace.open(home=home).install(venue)
    return TRIAGE_VENUE


def clear_view(home: Path) -> None:
    """Let the desk of ``home`` open on All again."""
    from paperdesk.tui.opening import VIEW_SETTING
    from paperdesk.workspace import Workspace

    Workspace.open(home=home).store.set_setting(VIEW_SETTING, "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write a big paper list in the seed's format")
    parser.add_argument("output", type=Path)
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    write_list(args.output, args.papers, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
