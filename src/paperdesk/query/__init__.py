"""The query language of ``/`` in the desk, ``list --query``, ``mark --query`` and
``export --query``: parsed into a tree (:mod:`.syntax`), evaluated over the catalog's prepared
columns and the reading state (:mod:`.evaluate`, :mod:`.index`)."""

from __future__ import annotations

from paperdesk.errors import QueryError
from paperdesk.query.evaluate import Facts, StateFacts, evaluate
from paperdesk.query.syntax import Node, parse

__all__ = ["Facts", "Node", "QueryError", "StateFacts", "evaluate", "parse"]
