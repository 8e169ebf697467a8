"""DBLP answers in the shapes DBLP documents, for the venue tests: the publication search API in
JSON (``result.hits.hit[].info``, paged by ``h``/``f`` up to ``@total``) and a table of contents
in XML (``<bht>`` with ``<h2>`` sessions over ``<dblpcites><r><inproceedings>`` records)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

SESSIONS = {
    "LLM Serving": [
        "Tiered KV Cache Offloading for Multi-Tenant LLM Serving",
        "RAGCache: Efficient Knowledge Caching for Retrieval-Augmented Generation",
    ],
    "Networking": [
        "Programmable Congestion Control with eBPF at Line Rate",
        "Traffic Engineering for LLM Training Clusters",
    ],
    "Storage": ["Erasure Coding at Exabyte Scale"],
}


def paper(i: int, title: str) -> dict[str, str | list[str]]:
    return {
        "title": title,
        "authors": [f"Author {i} One", f"Author {i} Two 0001"],
        "pages": f"{100 + 16 * i}-{115 + 16 * i}",
        "doi": f"10.5555/nsdi25.{i}",
        "key": f"conf/nsdi/Probe{i}25",
    }


def records() -> list[tuple[str, dict[str, str | list[str]]]]:
    out = []
    for session, titles in SESSIONS.items():
        for title in titles:
            out.append((session, paper(len(out), title)))
    return out


def toc_xml() -> str:
    """The table of contents of NSDI 2025 in DBLP's XML export (with the volume's own record)."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>']
    parts.append('<bht key="db/conf/nsdi/nsdi2025.bht" title="NSDI 2025">')
    parts.append("<h1>22nd NSDI 2025: Philadelphia, PA, USA</h1>")
    parts.append('<dblpcites><r><proceedings key="conf/nsdi/2025"><title>NSDI 2025</title>')
    parts.append("<year>2025</year></proceedings></r></dblpcites>")
    current = None
    for session, rec in records():
        if session != current:
            if current is not None:
                parts.append("</dblpcites>")
            parts.append(f"<h2>{escape(session)}</h2><dblpcites>")
            current = session
        authors = "".join(f'<author pid="00/1">{escape(a)}</author>' for a in rec["authors"])
        parts.append(
            f'<r style="ee"><inproceedings key="{rec["key"]}" mdate="2025-05-01">{authors}'
            f"<title>{escape(str(rec['title']))}.</title><pages>{rec['pages']}</pages>"
            f"<year>2025</year><booktitle>NSDI</booktitle>"
            f"<ee>https://doi.org/{rec['doi']}</ee><crossref>conf/nsdi/2025</crossref>"
            f"<url>db/conf/nsdi/nsdi2025.html#{rec['key'].rsplit('/', 1)[1]}</url>"
            "</inproceedings></r>"
        )
    parts.append("</dblpcites></bht>")
    return "\n".join(parts)


def hit(i: int, rec: dict[str, str | list[str]]) -> dict[str, object]:
    return {
        "info": {
            "authors": {"author": [{"@pid": "00/1", "text": a} for a in rec["authors"]]},
            "title": f"{rec['title']}.",
            "venue": "NSDI",
            "pages": rec["pages"],
            "year": "2025",
            "type": "Conference and Workshop Papers",
            "key": rec["key"],
            "doi": rec["doi"],
            "ee": f"https://doi.org/{rec['doi']}",
            "url": f"https://dblp.org/rec/{rec['key']}",
        },
        "@score": "1",
        "@id": str(1000 + i),
    }


def search_page(query_string: bytes | str, hits: list[dict[str, object]]) -> str:
    """One page of the JSON search answer for ``?q=...&h=...&f=...``."""
    if isinstance(query_string, bytes):
        query_string = query_string.decode()
    args = parse_qs(query_string)
    h, f = int(args.get("h", ["30"])[0]), int(args.get("f", ["0"])[0])
    page = hits[f : f + h]
    body: dict[str, object] = {
        "result": {
            "query": args.get("q", [""])[0],
            "status": {"@code": "200", "text": "OK"},
            "hits": {
                "@total": str(len(hits)),
                "@computed": str(len(hits)),
                "@sent": str(len(page)),
                "@first": str(f),
            },
        }
    }
    if page:
        body["result"]["hits"]["hit"] = page  # type: ignore[index]
    return json.dumps(body)


def all_hits() -> list[dict[str, object]]:
    return [hit(i, rec) for i, (_, rec) in enumerate(records())]
