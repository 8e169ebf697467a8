"""What a link points at: a paper, a table-of-contents anchor, code, or some other site.

Lists link papers to where papers live, so a link's target says more about an entry than its
shape does: ``[Reducing Activation Recomputation in Large Transformer Models](https://arxiv.org/
pdf/2205.05198.pdf)`` is a paper, ``[Accepted Papers](https://mlsys.org/Conferences/2024/...)``
and ``[Apache Mesos](https://github.com/apache/mesos)`` are not, ``[Mesos](#mesos)`` is a table
of contents. :mod:`.entries` decides what is a paper from these kinds.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

LinkKind = Literal["paper", "anchor", "code", "site"]

# Labels that name the paper's own page rather than code, slides or a project site.
PAPER_LABELS = frozenset({"paper", "link", "pdf", "arxiv", "url", "abs", "openreview"})

# Hosts (a suffix of the link's host) whose pages are papers, whatever the path.
_PAPER_HOSTS = (
    "arxiv.org", "openreview.net", "aclanthology.org", "aclweb.org", "doi.org",
    "proceedings.mlr.press", "proceedings.neurips.cc", "papers.nips.cc", "papers.neurips.cc",
    "proceedings.mlsys.org", "openaccess.thecvf.com", "ojs.aaai.org", "ijcai.org",
    "link.springer.com", "sciencedirect.com", "jmlr.org", "vldb.org", "semanticscholar.org",
    "researchgate.net", "biorxiv.org", "medrxiv.org", "ssrn.com", "eprint.iacr.org",
    "computer.org",
)  # fmt: skip
# Hosts whose papers sit under known paths (the rest of the site is programmes and calls).
_PAPER_PATHS = {
    "usenix.org": re.compile(r"/(?:conference/[^/]+/presentation|system/files)/"),
    "dl.acm.org": re.compile(r"/(?:doi|citation)"),
    "ieeexplore.ieee.org": re.compile(r"/(?:abstract/|document/|stamp/)"),
    "huggingface.co": re.compile(r"/papers/"),
    "mlsys.org": re.compile(r"/virtual/\d{4}/poster/|[?&]showEvent="),
    "icml.cc": re.compile(r"/virtual/\d{4}/poster/"),
    "nips.cc": re.compile(r"/virtual/\d{4}/poster/"),
    "neurips.cc": re.compile(r"/virtual/\d{4}/poster/"),
    "iclr.cc": re.compile(r"/virtual/\d{4}/poster/"),
}
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "pypi.org", "npmjs.com", "gitee.com")
_PDF = re.compile(r"\.pdf(?:$|[?#])", re.IGNORECASE)
_DOI = re.compile(
    r"(?:doi\.org/|/doi/(?:abs/|pdf/|full/|epdf/)?)(?P<doi>10\.\d{4,9}/[^\s?#]+)", re.IGNORECASE
)
_SHIELD_HOSTS = ("img.shields.io", "badgen.net", "badge.fury.io")


def link_kind(url: str, label: str = "") -> LinkKind:
    """The kind of a link target; a ``paper``/``pdf``/``arXiv`` label makes any target a paper."""
    if not url:
        return "site"
    if url.startswith("#"):
        return "anchor"
    if label.lower() in PAPER_LABELS or _PDF.search(url):
        return "paper"
    host, path = _host_and_path(url)
    if not host:
        return "site"
    if _on(host, _PAPER_HOSTS):
        return "paper"
    for suffix, paths in _PAPER_PATHS.items():
        if _on(host, (suffix,)) and paths.search(path):
            return "paper"
    if _on(host, _CODE_HOSTS):
        return "code"
    return "site"


def is_paper_link(url: str, label: str = "") -> bool:
    return link_kind(url, label) == "paper"


def is_badge(url: str) -> bool:
    """A status badge (shields.io and the like): decoration, never an entry's link."""
    host, _ = _host_and_path(url)
    return _on(host, _SHIELD_HOSTS)


def doi_in_url(url: str | None) -> str | None:
    """The DOI in a ``doi.org/10.…`` or ``…/doi/10.…`` URL, lower-cased (DOIs ignore case)."""
    if not url or "10." not in url:
        return None
    match = _DOI.search(url)
    return match["doi"].rstrip(".").lower() if match else None


def _host_and_path(url: str) -> tuple[str, str]:
    if "://" not in url[:12]:
        url = "//" + url if url[:1].isalnum() and "." in url.split("/", 1)[0] else url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "", ""
    query = f"?{parts.query}" if parts.query else ""
    return host, parts.path + query


def _on(host: str, suffixes: tuple[str, ...]) -> bool:
    return any(host == suffix or host.endswith("." + suffix) for suffix in suffixes)
