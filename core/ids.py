"""Row ids in URLs and bodies: positive and 32-bit, checked before any query (the one copy).

A larger number names no row, and PostgreSQL refuses it as a query argument (an error, so a
500); declared on the path parameter, it is a 400 like any other invalid parameter, and the
OpenAPI schema documents the range.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter
from pydantic import Field

ID_MAX = 2_147_483_647

PathId = Annotated[int, PathParameter(ge=1, le=ID_MAX)]
"""A row id in the path: out of range is a 400 before the handler runs."""
RowId = Annotated[int, Field(ge=1, le=ID_MAX)]
"""A row id in a request body (pydantic)."""
PathInt = Annotated[int, PathParameter()]
"""A row id in the path that the handler checks itself, where out of range must read as an
unknown row (404), e.g. an account whose score a customer may not know exists."""


def in_range(value: int) -> bool:
    """Whether `value` can name a row at all."""
    return 1 <= value <= ID_MAX
