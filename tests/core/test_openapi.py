"""The refined OpenAPI document (core.openapi): bounds sit in the branch of the type they bound."""

from __future__ import annotations

from typing import Any

from litestar.openapi.spec import Components, Info, OpenAPI, OpenAPIType, Schema

from app import create_app
from core.openapi import refine
from settings import get_settings

STRING_BOUNDS = ("maxLength", "minLength")
NUMBER_BOUNDS = ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum")


def _unions(node: Any) -> list[dict[str, Any]]:
    """Every schema object of the document with a `oneOf` or `anyOf`."""
    found = []
    if isinstance(node, dict):
        if "oneOf" in node or "anyOf" in node:
            found.append(node)
        for value in node.values():
            found.extend(_unions(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_unions(value))
    return found


def test_an_optional_fields_bounds_are_inside_its_branch() -> None:
    document = create_app(get_settings()).openapi_schema.to_schema()
    notes = document["components"]["schemas"]["TouchIn"]["properties"]["notes"]
    assert notes == {
        "oneOf": [
            {"type": "string", "maxLength": 20000, "pattern": r"^[^\x00]*$"},
            {"type": "null"},
        ]
    }
    task = document["components"]["schemas"]["TouchIn"]["properties"]["task_id"]
    assert task["oneOf"][0] == {"type": "integer", "maximum": 2147483647, "minimum": 1}
    unions = _unions(document)
    assert len(unions) > 20
    for union in unions:
        beside = set(union) & {*STRING_BOUNDS, *NUMBER_BOUNDS, "maxItems", "minItems"}
        assert not beside, union


def test_a_bound_is_not_given_to_a_branch_of_another_type_nor_replaces_its_own() -> None:
    schema = Schema(
        one_of=[
            Schema(type=OpenAPIType.STRING, max_length=10),
            Schema(type=OpenAPIType.INTEGER),
            Schema(type=OpenAPIType.NULL),
        ],
        max_length=500,
        minimum=3,
    )

    document = OpenAPI(
        info=Info(title="t", version="1"),
        components=Components(schemas={"X": schema}),
        paths={},
        servers=[],
    )
    refine(document)
    text, number, null = schema.one_of or []
    assert isinstance(text, Schema) and isinstance(number, Schema) and isinstance(null, Schema)
    assert (text.max_length, text.minimum) == (10, None)  # its own bound stays
    assert (number.minimum, number.max_length) == (3, None)
    assert (null.max_length, null.minimum) == (None, None)
    assert schema.max_length is None and schema.minimum is None
