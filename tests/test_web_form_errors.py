"""Every JSON Schema keyword a form may use yields a field error in Chinese, from jsonschema's own message."""

from __future__ import annotations

import pytest
from flask import Flask
from jsonschema import Draft202012Validator, FormatChecker

from app.web.form_errors import field_errors, translate
from tests.test_web_domain_messages import HAN

# (keyword, schema, a value it refuses): the messages come from the installed jsonschema, so an
# upgrade that rewords one fails here instead of showing English on a Chinese page.
REFUSALS = [
    ("type string", {"type": "string"}, 5),
    ("type integer", {"type": "integer"}, "x"),
    ("type number", {"type": "number"}, "x"),
    ("type boolean", {"type": "boolean"}, "x"),
    ("type array", {"type": "array"}, "x"),
    ("type object", {"type": "object"}, "x"),
    ("enum", {"enum": ["a", "b"]}, "c"),
    ("const", {"const": "a"}, "b"),
    ("minLength", {"minLength": 2}, "a"),
    ("minLength 1", {"minLength": 1}, ""),
    ("maxLength", {"maxLength": 1}, "ab"),
    ("pattern", {"pattern": "^[0-9]+$"}, "ab"),
    ("format date", {"format": "date"}, "2026-13-01"),
    ("format email", {"format": "email"}, "x"),
    ("format time", {"format": "time"}, "x"),
    ("format ipv4", {"format": "ipv4"}, "x"),
    ("minimum", {"minimum": 1}, 0),
    ("maximum", {"maximum": 1}, 2),
    ("exclusiveMinimum", {"exclusiveMinimum": 1}, 1),
    ("exclusiveMaximum", {"exclusiveMaximum": 1}, 1),
    ("multipleOf", {"multipleOf": 5}, 3),
    ("minItems", {"minItems": 2}, [1]),
    ("minItems 1", {"minItems": 1}, []),
    ("maxItems", {"maxItems": 1}, [1, 2]),
    ("uniqueItems", {"uniqueItems": True}, [1, 1]),
    ("contains", {"contains": {"const": 1}}, [2]),
    ("required", {"required": ["a"]}, {}),
    ("additionalProperties", {"additionalProperties": False}, {"x": 1, "y": 2}),
    ("minProperties", {"minProperties": 1}, {}),
    ("maxProperties", {"maxProperties": 0}, {"a": 1}),
    ("oneOf", {"oneOf": [{"type": "string"}, {"type": "integer"}]}, 1.5),
    ("anyOf", {"anyOf": [{"type": "string"}]}, 1),
    ("not required", {"not": {"required": ["a"]}}, {"a": 1}),
    ("not", {"not": {"type": "string"}}, "x"),
    ("dependentRequired", {"dependentRequired": {"a": ["b"]}}, {"a": 1}),
]


@pytest.mark.parametrize(("keyword", "schema", "value"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_keyword_is_explained_in_chinese(app: Flask, keyword: str, schema: dict, value: object) -> None:
    (error,) = Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(value)
    with app.test_request_context("/"):
        shown = translate(error.message)
    assert shown != error.message and HAN.search(shown), f"{keyword}: no Chinese for {error.message!r}"


def test_values_that_help_are_kept(app: Flask) -> None:
    with app.test_request_context("/"):
        assert translate("3 is not a multiple of 5") == "必须是 5 的倍数。"
        assert translate("Additional properties are not allowed ('x', 'y' were unexpected)") == \
            "不是本表单的字段：x, y"
        assert translate("'b' is a dependency of 'a'") == "填写 a 时，也须填写 b。"
        assert field_errors({"amount": ["1 is less than or equal to the minimum of 1"]}) == \
            {"amount": ["必须大于 1。"]}
        assert translate("a message nobody foresaw") == "a message nobody foresaw"
    with app.test_request_context("/?lang=en"):
        assert translate("1 is greater than or equal to the maximum of 1") == "Must be less than 1."
