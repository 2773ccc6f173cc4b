"""Row ids in URLs: positive and 32-bit, checked before any query.

A larger number names no row, and PostgreSQL refuses it as a query argument (an error, so a
500); declared on the path parameter, it is a 400 like any other invalid parameter, and the
OpenAPI schema documents the range.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter

ID_MAX = 2_147_483_647

PathId = Annotated[int, PathParameter(ge=1, le=ID_MAX)]
