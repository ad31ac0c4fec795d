"""Parse XML from the network with expat, refusing any DOCTYPE: no entity can be declared, so
none can expand (no billion laughs, no external entities)."""

from __future__ import annotations

from typing import NoReturn
from xml.etree import ElementTree as ET
from xml.parsers import expat


class XmlError(ValueError):
    """Not well-formed, or declares a DOCTYPE; the message says which."""


def parse_xml(body: bytes) -> ET.Element:
    """The document's root element, namespaces written `{uri}name` as ElementTree does."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")

    def refuse(*_: object) -> NoReturn:
        raise XmlError("document declares a DOCTYPE")

    def start(name: str, attrs: dict[str, str]) -> None:
        builder.start(_qualify(name), {_qualify(k): v for k, v in attrs.items()})

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: builder.end(_qualify(name))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(body, True)
        return builder.close()
    except (expat.ExpatError, AssertionError) as err:
        # TreeBuilder asserts on mismatched ends; expat reports most damage itself.
        raise XmlError("not well-formed XML") from err


def _qualify(name: str) -> str:
    return "{" + name if "}" in name else name
