"""What the OpenAPI document must say that Litestar's generator does not (issue 12, item 22).

A client generated from the schema must work, and a fuzzer reading it must find no request it
allows that the API refuses. So, after Litestar builds the document:

- every free-text string (no enum, format or pattern of its own) is NUL-free
  (`pattern: ^[^\\x00]*$`): the app refuses NUL everywhere (core.nul);
- a 401 declares `WWW-Authenticate` and a 429 `Retry-After` and the `RateLimit-*` headers;
- a model that refuses unknown fields says `additionalProperties: false`;
- a bound of 0 (`Field(ge=0)`) that Litestar's generator drops from an optional field (it
  tests the bound's truth) is restored from the pydantic model;
- the bounds of a list's items (`list[RowId]`: ids from 1), which Litestar's generator drops,
  are restored from the pydantic model;
- an optional field's bounds (`str | None = Field(max_length=…)`) sit in the branch they bound,
  not beside the `oneOf` Litestar writes: the same meaning (a bound applies to its own type
  only), but a reader — a client generator, the fuzzer — sees a bounded string. Beside the
  `oneOf`, schemathesis's coverage phase built a 20,001-character NUL-free string through
  Hypothesis one character at a time, for minutes per field.

`install(app)` makes Litestar apply it whenever it provides the document.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi.spec import OpenAPI, OpenAPIHeader, OpenAPIType, Reference, Schema
from pydantic import BaseModel

NUL_FREE = r"^[^\x00]*$"
_INTEGER = Schema(type=OpenAPIType.INTEGER, minimum=0)
HEADERS: dict[str, dict[str, OpenAPIHeader]] = {
    "401": {
        "WWW-Authenticate": OpenAPIHeader(
            schema=Schema(type=OpenAPIType.STRING),
            description="The scheme to authenticate with (RFC 9110): Bearer.",
        )
    },
    "429": {
        "Retry-After": OpenAPIHeader(
            schema=_INTEGER, description="Seconds until the limit's window resets."
        ),
        "RateLimit-Limit": OpenAPIHeader(schema=_INTEGER, description="Requests per window."),
        "RateLimit-Remaining": OpenAPIHeader(
            schema=_INTEGER, description="Requests left in this window."
        ),
        "RateLimit-Reset": OpenAPIHeader(
            schema=_INTEGER, description="Seconds until the window resets."
        ),
    },
}
METHODS = ("get", "put", "post", "delete", "patch")


class _RefinedOpenAPIPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, whose document is refined (idempotently) when provided."""

    __slots__ = ()

    def provide_openapi(self) -> OpenAPI:
        document = super().provide_openapi()
        refine(document)
        return document


def install(app: Litestar) -> None:
    """Refine the app's OpenAPI document when Litestar builds it (lazily, as Litestar does:
    building it costs 45 ms, and most apps — one per test — never serve it). The plugin keeps
    its state in slots, so its class is swapped for the refining subclass."""
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = _RefinedOpenAPIPlugin


def refine(document: OpenAPI) -> None:
    models = _models()
    for name, schema in (document.components.schemas or {}).items():
        model = models.get(name)
        if model is not None and isinstance(schema, Schema):
            _zero_bounds(schema, model)
            _item_bounds(schema, model)
        _nul_free(schema)
        if model is not None and model.model_config.get("extra") == "forbid":
            assert isinstance(schema, Schema)
            schema.additional_properties = False
    for item in (document.paths or {}).values():
        for method in METHODS:
            operation = getattr(item, method, None)
            if operation is None:
                continue
            for parameter in operation.parameters or []:
                if not isinstance(parameter, Reference) and parameter.schema is not None:
                    _nul_free(parameter.schema)
            body = operation.request_body
            if body is not None and not isinstance(body, Reference):
                for media in (body.content or {}).values():
                    if media.schema is not None:
                        _nul_free(media.schema)
            for status, response in (operation.responses or {}).items():
                extra = HEADERS.get(str(status))
                if extra and not isinstance(response, Reference):
                    response.headers = {**(response.headers or {}), **extra}


def _models() -> dict[str, type[BaseModel]]:
    """The pydantic models by name (the document's component names)."""
    found: dict[str, type[BaseModel]] = {}
    pending = list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        found.setdefault(model.__name__, model)
    return found


ZERO_BOUNDS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusive_minimum",
    "lt": "exclusive_maximum",
}


def _zero_bounds(schema: Schema, model: type[BaseModel]) -> None:
    """Put back the bounds of 0 of the model's fields that the document lacks."""
    for name, info in model.model_fields.items():
        target = (schema.properties or {}).get(info.alias or name)
        if not isinstance(target, Schema):
            continue
        for constraint in info.metadata:
            for attribute, keyword in ZERO_BOUNDS.items():
                if getattr(constraint, attribute, None) != 0:
                    continue
                branches = [b for b in (target.one_of or target.any_of or [target])]
                for branch in branches:
                    numeric = isinstance(branch, Schema) and branch.type in (
                        OpenAPIType.INTEGER,
                        OpenAPIType.NUMBER,
                    )
                    if numeric and getattr(branch, keyword) is None:
                        setattr(branch, keyword, 0)


# The bounds each type takes (Litestar's Schema attribute names).
BOUNDS = {
    OpenAPIType.STRING: ("max_length", "min_length"),
    OpenAPIType.INTEGER: ("maximum", "minimum", "exclusive_maximum", "exclusive_minimum"),
    OpenAPIType.NUMBER: ("maximum", "minimum", "exclusive_maximum", "exclusive_minimum"),
    OpenAPIType.ARRAY: ("max_items", "min_items"),
}


def _bounds_into_branches(schema: Schema) -> None:
    """Move the bounds beside a `oneOf`/`anyOf` into the branches of the type they bound."""
    branches = [
        b for b in (*(schema.one_of or []), *(schema.any_of or [])) if isinstance(b, Schema)
    ]
    if not branches:
        return
    for kind, names in BOUNDS.items():
        for name in names:
            value = getattr(schema, name)
            if value is None:
                continue
            for branch in branches:
                if branch.type == kind and getattr(branch, name) is None:
                    setattr(branch, name, value)
    for names in BOUNDS.values():
        for name in names:
            setattr(schema, name, None)


def _nul_free(schema: Any) -> None:
    if not isinstance(schema, Schema):
        return
    _bounds_into_branches(schema)
    kinds = schema.type if isinstance(schema.type, list) else [schema.type]
    free_text = OpenAPIType.STRING in kinds and not (
        schema.enum or schema.format or schema.pattern or schema.const is not None
    )
    if free_text:
        schema.pattern = NUL_FREE
    for child in (
        *(schema.properties or {}).values(),
        *(schema.any_of or []),
        *(schema.one_of or []),
        *(schema.all_of or []),
    ):
        _nul_free(child)
    if isinstance(schema.items, Schema):
        _nul_free(schema.items)


def _item_bounds(schema: Schema, model: type[BaseModel]) -> None:
    """Put the numeric bounds of list items (list[Annotated[int, Field(ge=1)]]) on `items`."""
    for name, info in model.model_fields.items():
        target = (schema.properties or {}).get(info.alias or name)
        if not isinstance(target, Schema) or not isinstance(target.items, Schema):
            continue
        args = get_args(info.annotation)
        if len(args) != 1 or get_origin(args[0]) is not Annotated:
            continue
        for constraint in get_args(args[0])[1:]:
            for part in getattr(constraint, "metadata", [constraint]):
                for attribute, keyword in ZERO_BOUNDS.items():
                    value = getattr(part, attribute, None)
                    if value is not None and getattr(target.items, keyword) is None:
                        setattr(target.items, keyword, value)
