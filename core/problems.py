"""The JSON API's error body (problem+json) and the OpenAPI responses that declare it.

Every /api/ error goes through core.errors as `application/problem+json`; handlers list the
statuses they can answer with `responses=problem_responses(...)`, so the schema is what the API
does (the API fuzz test checks every answer against it). 400 is for a request the schema does
not allow; one the schema allows but a rule refuses is 422 (409 when it is the current state).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any

from litestar.openapi import ResponseSpec
from pydantic import BaseModel, BeforeValidator, ConfigDict

PROBLEM_MEDIA_TYPE = "application/problem+json"

DESCRIPTIONS = {
    400: "The parameters or body do not match this schema; `detail` and `errors` say why.",
    401: "Not signed in, or the API token is not valid.",
    403: "Not allowed for this member or token, or the CSRF header is missing.",
    404: "Not found, or not visible to the caller.",
    409: "Conflicts with the current state; reload and retry.",
    413: "The request body is too large.",
    422: "Well-formed, but the rules refuse it (a blank title, a file that is not a report, an "
    "expired cursor…); `detail` and `errors` say why.",
    429: "Too many requests; retry after the Retry-After header's seconds.",
}


class ApiInput(BaseModel):
    """A JSON body of the API: unknown fields are refused (400), and the schema says so
    (`additionalProperties: false`, core.openapi), so a client generated from it sends none."""

    model_config = ConfigDict(extra="forbid")


def _written(value: Any) -> Any:
    """A date or time in a JSON body is a string (ISO 8601), as the schema says: pydantic would
    also read a number as seconds since 1970, which the schema does not allow."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("write it as an ISO 8601 string")
    return value


def _not_bool(value: Any) -> Any:
    """true and false are not numbers in JSON (pydantic would read them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError("a whole number, not true or false")
    return value


Whole = Annotated[int, BeforeValidator(_not_bool)]
"""An integer an API body (or a form) gives: true/false refused, as the schema says."""
IsoDate = Annotated[date, BeforeValidator(_written)]
"""A date an API body (or a form) gives: "2026-12-07", never a number."""
IsoDatetime = Annotated[datetime, BeforeValidator(_written)]
"""A time an API body (or a form) gives: "2026-12-07T10:00:00+09:00", never a number."""


class Problem(BaseModel):
    """An error (RFC 9457 problem+json); `title` and `detail` are in the caller's language."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = None


def problem_responses(
    *statuses: int, described: Mapping[int, str] | None = None
) -> dict[int, ResponseSpec]:
    """OpenAPI responses for these error statuses (`described` replaces default descriptions)."""
    texts = {**DESCRIPTIONS, **(described or {})}
    if 400 in statuses and 422 not in statuses:
        statuses = (*statuses, 422)  # a body can be valid by the schema and refused by a rule
    return {
        status: ResponseSpec(
            Problem,
            generate_examples=False,
            description=texts[status],
            media_type=PROBLEM_MEDIA_TYPE,
        )
        for status in statuses
    }


# Every API route needing a member answers 401 signed out and 403 to an API token; a write
# can also meet the CSRF check (403), the body size limit (413) and the write rate limit (429).
SIGNED_IN = (401, 403)
WRITE = (400, 401, 403, 413, 429)
