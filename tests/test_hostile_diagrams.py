"""Diagram uploads in other encodings are read as written; hostile ones answer 422 saying why, never 5xx.

UTF-16 (with or without a byte order mark), Latin-1 and GB18030 diagrams deploy with their text
intact and are served as UTF-8; unknown encodings, invalid bytes, nesting past libxml2's limit,
namespace URIs with spaces, documents that are not XML, DTDs and entities (billion laughs, external
entities) and form files with NaN are refused before anything is stored.
"""

from __future__ import annotations

import gc
import io

import pytest
from flask.testing import FlaskClient

XML_DECLARATION = '<?xml version="1.0" encoding="{encoding}"?>\n'
DIAGRAM = """<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" \
targetNamespace="urn:hostile"{extra}>
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:startEvent id="start"/><bpmn:sequenceFlow id="flow" sourceRef="start" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def diagram(key: str, name: str, encoding: str | None = "UTF-8", extra: str = "") -> str:
    """A deployable one-step process, with an XML declaration naming the encoding (none: no declaration)."""
    prolog = XML_DECLARATION.format(encoding=encoding) if encoding else ""
    return prolog + DIAGRAM.format(key=key, name=name, extra=extra)


def _upload(client: FlaskClient, headers: dict[str, str], raw: bytes, forms: dict[str, bytes] | None = None):  # noqa: ANN202
    data = {"diagram": (io.BytesIO(raw), "d.bpmn"),
            "forms": [(io.BytesIO(body), name) for name, body in (forms or {}).items()]}
    return client.post("/api/v1/process-definitions", data=data, headers=headers, content_type="multipart/form-data")


def _refusal(response) -> str:  # noqa: ANN001
    """The single error message of a 422."""
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]["message"]


@pytest.fixture
def admin(auth) -> dict[str, str]:  # noqa: ANN001
    return auth.headers("admin")


def _deployed(client: FlaskClient, admin: dict[str, str]) -> list[str]:
    return [d["key"] for d in client.get("/api/v1/process-definitions", headers=admin).get_json()]


@pytest.mark.parametrize("declared,codec,name", [
    ("UTF-16", "utf-16", "审查 Prüfung"),  # Python writes a byte order mark
    ("UTF-16", "utf-16-be", "审查 Prüfung"),  # no mark: found by its zero bytes
    ("UTF-16LE", "utf-16-le", "审查 Prüfung"),
    ("ISO-8859-1", "latin-1", "Prüfung für Zollämter"),
    ("windows-1252", "cp1252", "Prüfung – €"),
    ("GB18030", "gb18030", "知识产权协作审查"),
    ("GBK", "gbk", "知识产权协作审查"),
    ("UTF-8", "utf-8-sig", "审查 Prüfung"),  # UTF-8 with a byte order mark
])
def test_a_diagram_in_another_encoding_deploys_with_its_text_intact(client, admin, declared, codec, name) -> None:  # noqa: ANN001
    key = f"enc_{codec.replace('-', '_')}"
    response = _upload(client, admin, diagram(key, name, declared).encode(codec))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["definition"]["name"] == name
    served = client.get(f"/api/v1/process-definitions/{key}/diagram", headers=admin)
    assert served.mimetype == "application/xml"
    text = served.get_data().decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert f'name="{name}"' in text and "\ufeff" not in text
    again = _upload(client, admin, diagram(key, name, declared).encode(codec))
    assert (again.status_code, again.get_json()["created"]) == (200, False)  # the same bytes: the same version


def test_a_utf16_declaration_on_utf8_bytes_is_read_as_utf8(client, admin) -> None:  # noqa: ANN001
    # What a text pasted into the modeler becomes: libxml2 reads such a document as UTF-8, and so do we.
    response = _upload(client, admin, diagram("mislabelled", "审查", "UTF-16").encode("utf-8"))
    assert response.status_code == 201
    assert response.get_json()["definition"]["name"] == "审查"


@pytest.mark.parametrize("raw,message", [
    (diagram("x", "x", "x-no-such-encoding").encode(), "the declared encoding 'x-no-such-encoding' is not one we "
                                                       "can read; save the diagram as UTF-8"),
    (diagram("x", "x", "rot13").encode(), "the declared encoding 'rot13' is not one we can read"),
    (diagram("x", "x", "hex").encode(), "the declared encoding 'hex' is not one we can read"),
    (diagram("x", "Pr\udcfcfung", "UTF-8").encode("utf-8", "surrogateescape"),
     "the document is not valid utf-8: byte 0xfc at "),
    (diagram("x", "x", None).encode() + b"\xff", "the document is not valid utf-8: byte 0xff at "),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "the document is not valid utf-8: byte 0x89 at 0"),
    (b"\xff\xfe" + b"\x00\xd8" * 3, "the document is not valid utf-16-le"),  # a lone surrogate
])
def test_unreadable_encodings_are_422_saying_so(client, admin, raw, message) -> None:  # noqa: ANN001
    assert _refusal(_upload(client, admin, raw)).startswith(message)
    assert _deployed(client, admin) == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("depth", [254, 5_000, 250_000])  # 254 inside the 3 levels around them: 257
def test_xml_nested_past_the_parsers_limit_is_422(client, admin, depth) -> None:  # noqa: ANN001
    inner = "<a>" * depth + "</a>" * depth
    raw = diagram("deep", "deep").replace('<bpmn:startEvent id="start"/>', f'<bpmn:startEvent id="start">{inner}'
                                          "</bpmn:startEvent>").encode()
    assert _refusal(_upload(client, admin, raw)) == "elements are nested too deeply: more than 256 levels"
    # The test client spools a large body to a temporary file it never closes; collect it here.
    gc.collect()


def test_xml_nested_to_the_limit_is_read(client, admin) -> None:  # noqa: ANN001
    inner = "<bpmn:extensionElements>" + "<x:a xmlns:x='urn:x'>" * 252 + "</x:a>" * 252 + "</bpmn:extensionElements>"
    raw = diagram("deep_ok", "deep").replace('<bpmn:endEvent id="end"/>', f'<bpmn:endEvent id="end">{inner}'
                                             "</bpmn:endEvent>").encode()
    assert _upload(client, admin, raw).status_code == 201


@pytest.mark.parametrize("extra,uri,prefix", [
    (' xmlns:x="urn:a b"', "urn:a b", "xmlns:x"),
    (' xmlns="http://example.org/ns with space"', "http://example.org/ns with space", "xmlns"),
    (' xmlns:x="http://example.org/\tx"', "http://example.org/ x", "xmlns:x"),  # a tab is read as a space
])
def test_a_namespace_uri_with_spaces_is_422_naming_it(client, admin, extra, uri, prefix) -> None:  # noqa: ANN001
    message = _refusal(_upload(client, admin, diagram("ns", "ns", extra=extra).encode()))
    assert message.startswith(f"the namespace URI '{uri}' ({prefix}) is not a valid URI")


def test_the_bpmn_namespace_with_a_space_is_422(client, admin) -> None:  # noqa: ANN001
    raw = diagram("ns", "ns").replace("20100524/MODEL", "20100524/ MODEL").encode()
    assert "is not a valid URI" in _refusal(_upload(client, admin, raw))


BILLION_LAUGHS = """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>"""


@pytest.mark.parametrize("raw,fragment", [
    (BILLION_LAUGHS.encode(), "DTDs and entities are not allowed"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>', "DTDs"),
    (b'<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://evil.example/d.dtd"><d/>', "DTDs"),
    (BILLION_LAUGHS.encode("utf-16"), "DTDs and entities are not allowed"),  # no way around the gate by encoding
    (b"", "not well-formed XML: no element found"),
    (b"   \n", "not well-formed XML: no element found"),
    (b"just text", "not well-formed XML: syntax error"),
    (b"PK\x03\x04" + b"\x00" * 26, "not well-formed XML"),  # a zip archive: nothing here unpacks archives
    (b"<a><b></a>", "not well-formed XML: mismatched tag"),
])
def test_unsafe_or_non_xml_documents_are_422(client, admin, raw, fragment) -> None:  # noqa: ANN001
    assert fragment in _refusal(_upload(client, admin, raw))
    assert _deployed(client, admin) == []


@pytest.mark.parametrize("form,reason", [
    (b'{"type": "object", "maximum": NaN}', "NaN is not a JSON number"),
    (b'{"type": "object", "maximum": -Infinity}', "-Infinity is not a JSON number"),
    (b'{"type": "object", "maximum": 1e999}', "too large for a JSON number"),
    (b'{"type": "object", "title": "a\\u0000b"}', "NUL character"),
    (b'{"type": "object", "title": "\xff"}', "not UTF-8"),
    (b'{"a":' * 70 + b"1" + b"}" * 70, "nested deeper than the limit of 64"),
])
def test_a_form_file_that_is_not_json_we_store_is_422_and_nothing_deploys(client, admin, form, reason) -> None:  # noqa: ANN001
    message = _refusal(_upload(client, admin, diagram("with_form", "f").encode(), {"f.json": form}))
    assert message.startswith("not a valid JSON Schema: ") and reason in message
    assert _deployed(client, admin) == []


def test_a_form_field_whose_name_never_ends_is_refused_with_400(client: FlaskClient, auth,  # noqa: ANN001
                                                                 demo) -> None:  # noqa: ANN001
    # Found by the API fuzzing: `name="...\\"` escapes its own closing quote, so the field has no name;
    # the server answered 500 (a TypeError escaped the error handlers) instead of refusing the request.
    boundary = "b0undary"
    part = (f'--{boundary}\r\nContent-Disposition: form-data; name="IIZ\\"\r\n\r\n149\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="diagram"; filename="d.bpmn"\r\n\r\n<x/>\r\n'
            f"--{boundary}--\r\n")
    refused = client.post("/api/v1/process-definitions", data=part.encode(), headers=auth.headers("admin"),
                          content_type=f"multipart/form-data; boundary={boundary}")
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert refused.get_json()["code"] == "field_without_name"
