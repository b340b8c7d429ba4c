"""Safe parsing of uploaded XML: no DTDs, no entities, no network, bounded size and depth, any declared encoding."""

from __future__ import annotations

import codecs
import re
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from lxml import etree

from workflows.messages import CodedError

MAX_DIAGRAM_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 256  # libxml2's limit without XML_PARSE_HUGE (huge_tree), which stays off

# Byte order marks, longest first (UTF-32 LE begins like UTF-16 LE).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# `<?` without a mark: UTF-16 by the position of its zero bytes (XML 1.0, appendix F).
_UNMARKED = ((b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"))
_DECLARED = re.compile(r"""^(<\?xml[^>]*?\bencoding\s*=\s*)(["'])([A-Za-z][A-Za-z0-9._-]{0,39})\2""")
_WIDE = ("utf-16", "utf-32")  # declared so on bytes that read as ASCII: libxml2 reads them as UTF-8, and so do we

# libxml2's reasons that need saying plainly; any other is passed on as it is.
_TOO_DEEP = re.compile(r"Excessive depth in document")
_BAD_NAMESPACE = re.compile(r"xmlns(?::(\S+))?: '(.*)' is not a valid URI")


class UnsafeXmlError(CodedError, ValueError):
    """The document is too large, malformed, too deep, in an unknown encoding, or uses DTD features."""


def _encoding(data: bytes) -> tuple[str, bytes]:
    """The document's encoding (byte order mark, zero bytes, else its declaration, else UTF-8) and its bytes."""
    for mark, name in _BOMS:
        if data.startswith(mark):
            return name, data[len(mark):]
    for start, name in _UNMARKED:
        if data.startswith(start):
            return name, data
    declared = _DECLARED.match(data[:200].decode("latin-1"))
    name = declared.group(3).lower() if declared else "utf-8"
    return ("utf-8" if name.startswith(_WIDE) else name), data


def utf8_document(data: bytes) -> bytes:
    """The document re-encoded as UTF-8, its declaration saying so (UTF-8 documents come back unchanged).

    A diagram saved in UTF-16, Latin-1 or GB18030 reads as its author wrote it, and is stored and
    served as UTF-8 like every other.
    """
    name, body = _encoding(data)
    try:
        if not codecs.lookup(name)._is_text_encoding:
            raise LookupError(name)
        text = body.decode(name)
    except LookupError as err:
        raise UnsafeXmlError("xml_encoding_unknown", name=name) from err
    except UnicodeDecodeError as err:
        raise UnsafeXmlError("xml_encoding_invalid", encoding=name, byte=f"{err.object[err.start]:#04x}",
                             position=err.start) from err
    declared = _DECLARED.match(text)
    if body is data and (declared is None or declared.group(3).lower() in ("utf-8", "utf8")):
        return data  # UTF-8 and saying so (or saying nothing): stored exactly as uploaded
    return _DECLARED.sub(r'\1"UTF-8"', text, count=1).encode("utf-8")


def _syntax_error(err: etree.XMLSyntaxError) -> UnsafeXmlError:
    """libxml2's complaint in words an author can act on."""
    text = str(err)
    if _TOO_DEEP.search(text):
        return UnsafeXmlError("xml_too_deep", limit=MAX_DEPTH)
    bad = _BAD_NAMESPACE.search(text)
    if bad:
        prefix = f"xmlns:{bad.group(1)}" if bad.group(1) else "xmlns"
        return UnsafeXmlError("xml_namespace_invalid", uri=bad.group(2), prefix=prefix)
    return UnsafeXmlError("xml_malformed", detail=text)


def parse_xml(data: bytes, max_bytes: int = MAX_DIAGRAM_BYTES) -> etree._Element:
    """Return the root element of a document that passed the safety checks (any encoding it declares)."""
    if len(data) > max_bytes:
        raise UnsafeXmlError("xml_too_large", size=len(data), limit=max_bytes)
    data = utf8_document(data)
    try:
        # defusedxml is the well-kept gatekeeper: it refuses DTDs, entity and external references.
        SafeElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise UnsafeXmlError("xml_dtd", detail=str(err)) from err
    except ParseError as err:
        raise UnsafeXmlError("xml_malformed", detail=str(err)) from err
    # lxml builds the tree the engine needs; with entities and network off as a second guard.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise _syntax_error(err) from err
