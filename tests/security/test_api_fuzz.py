"""API fuzzing: schemathesis against the app's OpenAPI schema, signed in and signed out.

Schemathesis makes the requests from the schema the app serves (its examples, coverage and
fuzzing phases; valid and invalid data) as staff (an admin's session, and an API token where
the operation takes one), as a customer, and signed out. Every answer must be no 5xx, have a
documented status code and content type, and a body matching the documented schema; invalid
input must be refused. Signed out, every /api/ operation must answer 401 or 403.

The requests go through the app in-process, on the event loop its database pool lives in (the
module's app is started in the session loop; the sync tests run requests to completion on it).
Bounded and repeatable: a fixed seed, derandomized Hypothesis and a fixed number of examples per
operation; every operation of the schema is fuzzed once per caller.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings

from app import create_app
from core.settings import Settings, get_settings
from tests.conftest import fresh_settings
from tests.factories import PASSWORD
from tests.support import FormClient, Mailbox, running_app

BASE_URL = "http://testserver.local"
EXAMPLES_PER_OPERATION = 40  # fuzzing phase; the examples and coverage phases add their own
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
)
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261123,
        "generation": {
            "deterministic": True,
            # The callers below bring real credentials; generated Authorization headers would
            # replace them with random ones.
            "with-security-parameters": False,
        },
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "phases": {"stateful": {"enabled": False}},  # the schema declares no links
    }
)
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure shows its curl at once
    suppress_health_check=list(HealthCheck),
)

# The document `GET /schema/openapi.json` serves (test_the_fuzzed_schema_is_the_served_one).
DOCUMENT = create_app(get_settings()).openapi_schema.to_schema()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
OPERATIONS = {
    f"{method.upper()} {path}"
    for path, item in DOCUMENT["paths"].items()
    for method in item
    if method in {"get", "put", "post", "delete", "patch"}
}
TOKEN_OPERATIONS = {
    f"{method.upper()} {path}"
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if isinstance(operation, dict) and operation.get("security")
}


@dataclass
class Caller:
    """One identity's browser (cookies, CSRF header) and, for staff, an API token."""

    client: FormClient
    token: str | None = None
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))


@dataclass
class Target:
    loop: asyncio.AbstractEventLoop
    callers: dict[str, Caller]

    def send(self, case: Any, who: str) -> httpx.Response:
        """`case` as `who`, through the app, run to completion on the app's event loop."""
        caller = self.callers[who]
        kwargs = case.as_transport_kwargs(base_url=BASE_URL)
        headers = dict(kwargs.pop("headers", None) or {})
        headers["x-csrf-token"] = self.loop.run_until_complete(caller.client.csrf_token())
        if caller.token and case.operation.label in TOKEN_OPERATIONS:
            headers["authorization"] = f"Bearer {caller.token}"
        # Schemathesis serialises for `requests` (json, form, multipart, query); send those
        # exact bytes through the in-process client.
        prepared = requests.Request(headers=headers, **kwargs).prepare()
        response = self.loop.run_until_complete(
            caller.client.raw.request(
                str(prepared.method),
                str(prepared.url),
                headers=dict(prepared.headers),
                content=prepared.body,
            )
        )
        caller.statuses[case.operation.label][response.status_code] += 1
        return response


@pytest.fixture(scope="module")
async def fuzz_settings(migrated: Settings, smtp_sink: Mailbox) -> Settings:
    """Like `settings`, for the whole module; writes are not rate limited (fuzzing writes
    hundreds a minute as one member: the limit's 429 is tested in tests/core)."""
    return await fresh_settings(
        migrated,
        smtp_sink,
        write_limit_per_minute=1_000_000,
        api_token_rate_limit_per_minute=1_000_000,
    )


@pytest.fixture(scope="module")
async def target(fuzz_settings: Settings) -> AsyncIterator[Target]:
    """The app with a small world (ids 1, 2, … exist, so fuzzed ids reach real rows)."""
    from crm.tokens import create_token
    from engagement.recompute import recompute_scores
    from tests.community.helpers import World, make_reply, make_topic
    from tests.events.event_helpers import new_event

    async with running_app(fuzz_settings) as app:
        world = await World.create()
        question = await make_topic(world.alice, world.public)
        await make_reply(world.bob, question)
        await make_topic(world.bob, world.public, title="もくもく会の感想", kind="discussion")
        await new_event(world.admin)
        await new_event(world.admin, capacity=None)
        await recompute_scores(fuzz_settings)
        token = await create_token("fuzz", ["scores:read", "webhooks:manage"], None, world.admin)
        callers: dict[str, Caller] = {}
        clients = []
        for name, member in (("staff", world.admin), ("customer", world.alice), ("guest", None)):
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
            raw = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
            clients.append(raw)
            client = FormClient(raw, app)
            if member is not None:
                await client.login(member.email, PASSWORD)
            callers[name] = Caller(client, token.secret if name == "staff" else None)
        yield Target(asyncio.get_running_loop(), callers)
        for raw in clients:
            await raw.aclose()


@SCHEMA.parametrize()
@FUZZ
def test_api_as_staff(case: Any, target: Target) -> None:
    response = target.send(case, "staff")
    case.validate_response(response)
    assert response.status_code != 401, response.text  # the session and token stay valid


@SCHEMA.parametrize()
@FUZZ
def test_api_as_customer(case: Any, target: Target) -> None:
    response = target.send(case, "customer")
    case.validate_response(response)
    assert response.status_code != 401, response.text


@SCHEMA.parametrize()
@FUZZ
def test_api_signed_out(case: Any, target: Target) -> None:
    response = target.send(case, "guest")
    case.validate_response(response)
    if not case.path.startswith("/api/") or case.method.upper() != case.operation.method.upper():
        return  # /healthz is public; an unexpected method is answered by the router (405)
    path_ids = [str(value) for value in (case.path_parameters or {}).values()]
    if not all(value.lstrip("-").isdigit() for value in path_ids):
        assert response.status_code == 404  # `/topics/abc` names no route: nothing to guard
        return
    assert response.status_code in (401, 403), response.text


def test_fuzzing_reached_every_operation_and_the_deep_paths(target: Target) -> None:
    """Runs after the fuzz tests above (file order): they covered every operation, and the
    signed-in callers got past the guards (2xx) on most of them, so the handlers ran."""
    staff, customer, guest = (target.callers[n].statuses for n in ("staff", "customer", "guest"))
    assert len(OPERATIONS) >= 29
    for statuses in (staff, customer, guest):
        assert set(statuses) == OPERATIONS, f"not fuzzed: {OPERATIONS - set(statuses)}"
    staff_ok = {op for op, counts in staff.items() if any(200 <= s < 300 for s in counts)}
    customer_ok = {op for op, counts in customer.items() if any(200 <= s < 300 for s in counts)}
    assert len(staff_ok) >= 0.8 * len(OPERATIONS), sorted(OPERATIONS - staff_ok)
    assert len(customer_ok) >= 0.5 * len(OPERATIONS), sorted(OPERATIONS - customer_ok)
    every = (*staff.values(), *customer.values(), *guest.values())
    assert all(status < 500 for counts in every for status in counts)


async def test_the_fuzzed_schema_is_the_served_one(client: FormClient) -> None:
    served = await client.get("/schema/openapi.json")
    assert served.status_code == 200
    assert served.json() == DOCUMENT


def test_the_checks_catch_a_server_error_and_an_undocumented_answer() -> None:
    """The configured checks can fail: a 500, a status the schema does not list, and a body
    that does not match the documented model are each reported; a right answer is not."""
    case = SCHEMA["/api/v1/me"]["GET"].Case()
    request = httpx.Request("GET", BASE_URL + "/api/v1/me")
    member = {
        "id": 1,
        "email": "alice@a.example",
        "display_name": "有栖 花子",
        "handle": "alice",
        "role": "customer",
        "account_id": 1,
        "locale": "ja",
        "timezone": "Asia/Tokyo",
        "last_seen_at": None,
        "active": True,
    }
    problem = {"type": "about:blank", "title": "x", "status": 500, "detail": "x"}

    def answer(status: int, body: dict[str, Any]) -> httpx.Response:
        response = httpx.Response(status, json=body, request=request)
        response.elapsed = timedelta(milliseconds=1)
        return response

    case.validate_response(answer(200, member))
    for status, body in [(500, problem), (418, problem), (200, {**member, "id": "one"})]:
        with pytest.raises(schemathesis.errors.FailureGroup):
            case.validate_response(answer(status, body))
