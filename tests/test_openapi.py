"""The served OpenAPI document tells the truth: it is valid OpenAPI 3.1, and what clients rely on holds.

Every operation declares its security, and those that need a caller refuse one without credentials (401);
the uploads are multipart with a binary file; the diagram is XML; every status the API answers is listed,
with the one error body; and real answers, with their None fields, meet the schemas the document gives them.
`python -m tests.fuzz_api` (make test-api-fuzz) checks the same against generated requests.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from tests.helpers import start_case

DOCUMENT = "/api/v1/openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC = {("post", "/api/v1/auth/token")}


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    """The document as served."""
    response = client.get(DOCUMENT)
    assert response.status_code == 200
    return response.get_json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) for every operation of the document."""
    return [(method, path, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS]


def conforms(document: dict[str, Any], response: Any, method: str, path: str) -> None:
    """The response's status, content type and JSON body are those the document declares for the operation."""
    declared = document["paths"][path][method]["responses"]
    assert str(response.status_code) in declared, (method, path, response.status_code, sorted(declared))
    answer = declared[str(response.status_code)]
    if "$ref" in answer:
        answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
    if not answer.get("content"):
        assert not response.data, "the document declares no body"
        return
    content_type = response.mimetype
    assert content_type in answer["content"], (content_type, list(answer["content"]))
    if content_type == "application/json":
        schema = {**answer["content"][content_type]["schema"], "components": document["components"]}
        try:
            OAS31Validator(schema).validate(response.get_json())
        except ValidationError as err:
            raise AssertionError(f"{method.upper()} {path}: {err.message} at {list(err.absolute_path)}") from err


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_operation_declares_its_security(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["session"] == {**schemes["session"], "type": "apiKey", "in": "cookie", "name": "session"}
    for method, path, operation in operations(document):
        assert "security" in operation, (method, path)
        if (method, path) in PUBLIC:
            assert operation["security"] == [], (method, path)
        else:
            assert operation["security"] == [{"bearer": []}, {"session": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
    assert "default" not in str([op["responses"].keys() for _, _, op in operations(document)])


def _concrete(path: str) -> str:
    """The path with every parameter filled (an id or a key); the check happens before the lookup."""
    return re.sub(r"\{[^}]+\}", "1", path)


def test_operations_that_need_a_caller_refuse_an_anonymous_one(client: FlaskClient, document: dict[str, Any],
                                                               shipped: dict[str, int]) -> None:
    for method, path, operation in operations(document):
        response = client.open(_concrete(path), method=method.upper(), json={})
        if operation["security"]:
            assert response.status_code == 401, (method, path, response.status_code)
            conforms(document, response, method, path)
        else:
            assert response.status_code != 401, (method, path)


def test_the_uploads_are_multipart_with_a_binary_file(document: dict[str, Any]) -> None:
    for path in ("/api/v1/work-items/{item_id}/attachments", "/api/v1/process-definitions/{key}/start-attachments"):
        body = document["paths"][path]["post"]["requestBody"]["content"]
        assert list(body) == ["multipart/form-data"], path
        schema = document["components"]["schemas"][body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]]
        assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
        assert schema["required"] == ["file"]
    deploy = document["paths"]["/api/v1/process-definitions"]["post"]
    form = deploy["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["diagram"]
    assert form["properties"]["diagram"]["format"] == "binary"
    assert form["properties"]["forms"]["items"]["format"] == "binary"
    assert {"200", "201", "403", "413", "422"} <= set(deploy["responses"])


def test_the_diagram_is_described_and_served_as_xml(client: FlaskClient, auth: Any, document: dict[str, Any],
                                                     shipped: dict[str, int]) -> None:
    path = "/api/v1/process-definitions/{key}/diagram"
    operation = document["paths"][path]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["application/xml"]
    assert [p["name"] for p in operation["parameters"]] == ["version"]
    headers = auth.headers("jd_msa_liaison")
    response = client.get("/api/v1/process-definitions/case_transfer/diagram", headers=headers)
    conforms(document, response, "get", path)
    assert response.data.lstrip().startswith(b"<?xml") or b"<bpmn" in response.data[:500]
    for query, status in (("?version=1", 200), ("?version=99", 404), ("?version=0", 422), ("?version=x", 422)):
        answer = client.get(f"/api/v1/process-definitions/case_transfer/diagram{query}", headers=headers)
        assert answer.status_code == status, query
        conforms(document, answer, "get", path)


def test_fields_none_in_real_data_are_nullable_and_real_answers_conform(
        client: FlaskClient, auth: Any, document: dict[str, Any], shipped: dict[str, int]) -> None:
    headers = auth.headers("jd_msa_liaison")
    started = client.post("/api/v1/process-instances", json={"process_key": "case_transfer"}, headers=headers)
    conforms(document, started, "post", "/api/v1/process-instances")
    case = started.get_json()
    assert case["business_key"] is None and case["completed_at"] is None and case["error_reason"] is None
    item = case["work_items"][0]
    assert item["assignee"] is None and item["claimed_at"] is None and item["completed_by"] is None
    work_item = document["components"]["schemas"]["WorkItem"]["properties"]
    for field in ("assignee", "claimed_at", "completed_at", "completed_by", "due_at", "deadline", "lane"):
        assert "null" in work_item[field]["type"], field
    start_case(client, headers, "JD-2026-OPENAPI")
    events = f"/api/v1/process-instances/{case['id']}/events"
    reads = [("get", "/api/v1/work-items", "/api/v1/work-items?view=queue"),
             ("get", "/api/v1/work-items/{item_id}", f"/api/v1/work-items/{item['id']}"),
             ("get", "/api/v1/process-instances", "/api/v1/process-instances?limit=1"),
             ("get", "/api/v1/process-instances/{instance_id}", f"/api/v1/process-instances/{case['id']}"),
             ("get", "/api/v1/process-instances/{instance_id}/events", events),
             ("get", "/api/v1/process-definitions", "/api/v1/process-definitions"),
             ("get", "/api/v1/agencies", "/api/v1/agencies"),
             ("get", "/api/v1/users", "/api/v1/users"),
             ("get", "/api/v1/me", "/api/v1/me"),
             ("get", "/api/v1/notices", "/api/v1/notices"),
             ("post", "/api/v1/work-items/{item_id}/claim", f"/api/v1/work-items/{item['id']}/claim"),
             ("post", "/api/v1/work-items/{item_id}/claim", f"/api/v1/work-items/{item['id']}/claim"),  # 409
             ("get", "/api/v1/work-items/{item_id}", "/api/v1/work-items/999999"),  # 404
             ("post", "/api/v1/work-items/{item_id}/complete", f"/api/v1/work-items/{item['id']}/complete")]  # 422
    for method, path, url in reads:
        conforms(document, client.open(url, method=method.upper(), headers=headers, json={}), method, path)
    paged = client.get("/api/v1/process-instances?limit=1", headers=headers)
    assert set(document["paths"]["/api/v1/process-instances"]["get"]["responses"]["200"]["headers"]) \
        <= set(paged.headers.keys()), "the paging headers the document names are sent when more rows follow"


def test_an_error_body_of_either_shape_meets_the_error_schema(client: FlaskClient, auth: Any,
                                                                document: dict[str, Any],
                                                                shipped: dict[str, int]) -> None:
    admin = auth.headers("admin")
    malformed = client.post("/api/v1/agencies", data="{", headers={**admin, "Content-Type": "application/json"})
    assert malformed.status_code == 400 and isinstance(malformed.get_json()["errors"], list)
    conforms(document, malformed, "post", "/api/v1/agencies")
    no_diagram = client.post("/api/v1/process-definitions", data={}, headers=admin,
                             content_type="multipart/form-data")
    assert no_diagram.status_code == 422 and isinstance(no_diagram.get_json()["errors"], list)
    conforms(document, no_diagram, "post", "/api/v1/process-definitions")
    fields = client.post("/api/v1/agencies", json={}, headers=admin)
    assert fields.status_code == 422 and isinstance(fields.get_json()["errors"], dict)
    conforms(document, fields, "post", "/api/v1/agencies")
