"""Safe parsing of uploaded XML: no DTDs, no entities, no network, bounded size."""

from __future__ import annotations

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from lxml import etree

MAX_DIAGRAM_BYTES = 2 * 1024 * 1024


class UnsafeXmlError(ValueError):
    """The document is too large, malformed, or uses DTD features."""


def parse_xml(data: bytes, max_bytes: int = MAX_DIAGRAM_BYTES) -> etree._Element:
    """Return the root element of a document that passed the safety checks."""
    if len(data) > max_bytes:
        raise UnsafeXmlError(f"the document is {len(data)} bytes; the limit is {max_bytes}")
    try:
        # defusedxml is the well-kept gatekeeper: it refuses DTDs, entity and external references.
        SafeElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise UnsafeXmlError(f"DTDs and entities are not allowed: {err}") from err
    except ParseError as err:
        raise UnsafeXmlError(f"not well-formed XML: {err}") from err
    # lxml builds the tree the engine needs; with entities and network off as a second guard.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(data, parser)
