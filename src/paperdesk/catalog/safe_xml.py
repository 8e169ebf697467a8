"""XML from outside (DBLP's tables of contents, arXiv's Atom answers, venue files), parsed with
no document type declaration at all.

A DTD is what entity-expansion attacks (billion laughs, external entities) need, and no answer
paperdesk reads has one. Looking for ``<!DOCTYPE`` in the bytes misses a document in UTF-16
or another encoding expat reads, so the refusal is made by the parser itself, on the
declaration event, whatever the encoding: expat drives an ElementTree ``TreeBuilder`` directly,
with handlers that raise on a doctype or an entity declaration before anything is expanded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperdesk.errors import InputError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element


class _Declared(Exception):
    """The document declares a DOCTYPE or an entity: parsing stops there."""


def _refuse(*_args: object) -> None:
    raise _Declared


def _name(name: str) -> str:
    """expat's ``uri}local`` as ElementTree writes it, ``{uri}local``."""
    return "{" + name if "}" in name else name


def parse_xml(data: bytes, where: str) -> Element:
    """The root element of ``data``; one-line :class:`InputError` naming ``where`` for a
    document that declares a DOCTYPE or entities, or is malformed."""
    from xml.etree.ElementTree import TreeBuilder
    from xml.parsers import expat

    builder = TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.StartElementHandler = lambda tag, attrs: builder.start(
        _name(tag), {_name(key): value for key, value in attrs.items()}
    )
    parser.EndElementHandler = lambda tag: builder.end(_name(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except _Declared:
        raise InputError(f"{where} declares a DOCTYPE or entities; refusing to parse it") from None
    except expat.ExpatError as exc:
        raise InputError(f"{where} is malformed XML ({exc})") from None
    return builder.close()
