"""Every route with an id in its path, pages included: an out-of-range id is a 4xx, never a 500.

Ids are 32-bit rows; a larger number must be refused before it reaches SQL (PostgreSQL errors
on it, SQLite on numbers past 64 bits). The API fuzz test covers the API's ids; this walks
every route of the app, the staff pages the schema leaves out too.
"""

from __future__ import annotations

import re

import pytest
from litestar import Litestar

from settings import Settings
from tests.factories import PASSWORD, make_member
from tests.support import FormClient

INT_SEGMENT = re.compile(r"\{\w+:int\}")


@pytest.fixture
async def settings(settings: Settings) -> Settings:
    # One admin posts to every route within a minute: above the per-member write limit.
    return settings.model_copy(update={"write_limit_per_minute": 10_000})


def routes_with_ids(app: Litestar) -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for route in app.routes
        if INT_SEGMENT.search(route.path)
        for method in getattr(route, "methods", ())
        if method not in {"HEAD", "OPTIONS"}
    )


@pytest.mark.parametrize("number", [2**31, 10**20, -(10**20)])
async def test_out_of_range_ids_are_refused_not_errors(
    client: FormClient, app: Litestar, number: int
) -> None:
    admin = await make_member(None, role="admin", email="admin@vendor.example")
    await client.login(admin.email, PASSWORD)
    routes = routes_with_ids(app)
    assert len(routes) >= 40
    answers = {}
    for method, path in routes:
        url = INT_SEGMENT.sub(str(number), path)
        if method == "GET":
            response = await client.get(url)
        elif url.startswith("/api/"):
            response = await client.api(method, url)
        else:
            response = await client.post_form(url, {})
        answers[f"{method} {path}"] = response.status_code
    assert {route: status for route, status in answers.items() if status >= 500} == {}
    # 401: a session on a token-only endpoint (crm.pull.auth).
    assert all(status in (301, 400, 401, 403, 404) for status in answers.values()), answers
