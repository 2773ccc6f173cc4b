"""API fuzzing: schemathesis, every check and the stateful phase, against a live server.

The app runs as its own process (uvicorn on loopback, the pass's backend: the same SQLite file
or PostgreSQL database as the tests), so that every check can make the requests it needs —
`ignored_auth` sends the request again without the credentials, `unsupported_method` tries a
method the path does not have, the stateful phase chains a created topic into the calls that
use it. Schemathesis generates from the served schema (examples, coverage and fuzzing phases;
valid and invalid data) as staff (a CSM's session, and an API token where the operation takes
one), as a customer, and signed out. Every answer must be no 5xx, of a documented status, content
type, headers and body; invalid input refused (400); valid input accepted — or refused by a
documented rule: 401, 403, 404, 409, 422 or 429 (schemathesis's default list plus 422, which the
API documents for requests the schema allows and a rule refuses: core.problems).

Bounded and repeatable: a fixed seed, derandomized Hypothesis, a fixed number of examples per
operation; every operation of the schema is fuzzed once per caller.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings

from app import create_app
from settings import Settings, get_settings
from tests.conftest import fresh_settings
from tests.e2e.conftest import start_server, stop_server
from tests.factories import PASSWORD
from tests.support import FormClient, Mailbox

BASE_URL = "http://testserver.local"
EXAMPLES_PER_OPERATION = 30  # fuzzing phase; the examples and coverage phases add their own
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261203,
        "generation": {
            "deterministic": True,
            # The callers below bring real credentials; generated Authorization headers would
            # replace them with random ones.
            "with-security-parameters": False,
        },
        "checks": {
            "enabled": True,
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
        },
        "phases": {"stateful": {"enabled": True}},
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
STATEFUL = hypothesis_settings(
    max_examples=25,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

# The document `GET /schema/openapi.json` serves (test_the_fuzzed_schema_is_the_served_one).
DOCUMENT = create_app(get_settings()).openapi_schema.to_schema()
# A copy: the stateful phase adds the links it infers to the document it is given.
SCHEMA = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT), config=CONFIG)
OPERATIONS = {
    f"{method.upper()} {path}"
    for path, item in DOCUMENT["paths"].items()
    for method in item
    if method in {"get", "put", "post", "delete", "patch"}
}
# The stateful phase replays a prefix of calls to explore from it, and needs the server to
# answer the replay as it answered the first time (else Hypothesis stops with
# FlakyStrategyDefinition: the rules a state enables changed). A task change is made on the
# version the caller saw and is refused (409) on a replay, by design: it is fuzzed on its own
# above, and left out of the sequences.
# Likewise an account created through the API has no score until the next recompute: its
# score answers 404 by design, which the stateful phase reads as "created resource not found".
STATEFUL_SCHEMA = SCHEMA.exclude(path="/api/v1/tasks/{task_id}/change", method="POST").exclude(
    path="/api/v1/accounts", method="POST"
)
TOKEN_OPERATIONS = {
    f"{method.upper()} {path}"
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if isinstance(operation, dict)
    and any("BearerToken" in scheme for scheme in operation.get("security") or [])
}

SECURED = {
    f"{method.upper()} {path}"
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if isinstance(operation, dict) and operation.get("security")
}
TOKEN_ONLY = {
    f"{method.upper()} {path}"
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if isinstance(operation, dict)
    and operation.get("security")
    and not any("Session" in scheme for scheme in operation["security"])
}


@dataclass
class Caller:
    """One identity's cookies and CSRF header and, for staff, an API token."""

    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    token: str | None = None
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))

    def transport(self, label: str) -> dict[str, Any]:
        """What a call carries besides the declared credentials: the CSRF header, and the
        session cookies on operations that declare no security scheme (the member API: the
        auth hook below sets credentials only where a scheme is declared)."""
        kwargs: dict[str, Any] = {"headers": {"x-csrf-token": self.csrf} if self.csrf else {}}
        if label not in SECURED:
            kwargs["cookies"] = dict(self.cookies)
        return kwargs

    def authenticate(self, case: Any) -> None:
        """The credentials, one scheme at a time, on the case itself (so that `ignored_auth`'s
        probes, which remove them and try one invalid credential, leave no valid one behind):
        the token where the operation takes one, else the session cookies."""
        label = case.operation.label
        if label not in SECURED:
            return
        if self.token and label in TOKEN_OPERATIONS:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {self.token}"}
        elif self.cookies:
            case.cookies = {**(case.cookies or {}), **self.cookies}
        else:
            return
        # Credentials given, not generated: what schemathesis's own helpers (auths.
        # apply_basic_auth, the auth providers) mark, so `ignored_auth` probes them.
        case._has_explicit_auth = True


@dataclass
class Target:
    base: str
    callers: dict[str, Caller]

    def send(self, case: Any, who: str) -> Any:
        """`case` as `who` over HTTP, validated by every check (which may send more)."""
        caller = self.callers[who]
        kwargs = {"base_url": self.base, **caller.transport(case.operation.label)}
        caller.authenticate(case)
        response = case.call(**kwargs)
        caller.statuses[case.operation.label][response.status_code] += 1
        case.validate_response(response, transport_kwargs=kwargs)
        return response


@pytest.fixture(scope="module")
async def fuzz_settings(migrated: Settings, smtp_sink: Mailbox) -> Settings:
    """Like `settings`, for the whole module."""
    return await fresh_settings(migrated, smtp_sink)


def server_environment(settings: Settings, port: int) -> dict[str, str]:
    """The tests' own backend (the same SQLite file, or PostgreSQL and Redis), limits off:
    fuzzing writes hundreds a minute as one member (the limits' 429s are tested elsewhere)."""
    env = dict(os.environ)
    env.update(
        PORT=str(port),
        BASE_URL=f"http://127.0.0.1:{port}",
        WRITE_LIMIT_PER_MINUTE="1000000",
        API_TOKEN_RATE_LIMIT_PER_MINUTE="1000000",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(settings.smtp_port),
    )
    return env


@pytest.fixture(scope="module")
def live_server(fuzz_settings: Settings, world: dict[str, Any]) -> Iterator[str]:
    """The app as its own uvicorn process on the tests' database (tests/e2e's server start)."""
    with tempfile.TemporaryDirectory(prefix="kizuna-fuzz-") as log_dir:
        process, base = start_server(
            log_dir, lambda port, _: server_environment(fuzz_settings, port)
        )
        try:
            yield base
        finally:
            stop_server(process)


@pytest.fixture(scope="module")
async def world(fuzz_settings: Settings) -> AsyncIterator[dict[str, Any]]:
    """A small world (ids 1, 2, … exist, so fuzzed ids reach real rows), in the database the
    server reads: a CSM, a customer, topics, events, scores and an API token."""
    from core import database
    from crm.pull.tokens import create_token
    from engagement.recompute import recompute_scores
    from tests.community.helpers import World, make_reply, make_topic
    from tests.events.event_helpers import new_event
    from tests.factories import make_member

    await database.prepare(fuzz_settings)
    world = await World.create()
    csm = await make_member(None, role="csm", email="fuzz-csm@vendor.example")
    question = await make_topic(world.alice, world.public)
    await make_reply(world.bob, question)
    await make_topic(world.bob, world.public, title="もくもく会の感想", kind="discussion")
    await new_event(world.admin)
    await new_event(world.admin, capacity=None)
    await recompute_scores(fuzz_settings)
    token = await create_token("fuzz", ["scores:read", "webhooks:manage"], None, world.admin)
    await database.close()
    yield {"staff": csm, "customer": world.alice, "token": token.secret}


def signed_in(base: str, email: str | None) -> Caller:
    with httpx.Client(base_url=base) as browser:
        browser.get("/login")
        csrf = browser.cookies.get("kizuna_csrf") or ""
        if email is not None:
            answer = browser.post(
                "/login", data={"email": email, "password": PASSWORD, "_csrf_token": csrf}
            )
            assert answer.status_code == 303, answer.text
        return Caller(cookies=dict(browser.cookies), csrf=csrf)


@pytest.fixture(scope="module")
def target(live_server: str, world: dict[str, Any]) -> Target:
    staff = signed_in(live_server, world["staff"].email)
    staff.token = world["token"]
    customer = signed_in(live_server, world["customer"].email)
    guest = signed_in(live_server, None)
    return Target(live_server, {"staff": staff, "customer": customer, "guest": guest})


@SCHEMA.parametrize()
@FUZZ
def test_api_as_staff(case: Any, target: Target) -> None:
    response = target.send(case, "staff")
    assert response.status_code != 401, response.text  # the session and token stay valid


@SCHEMA.parametrize()
@FUZZ
def test_api_as_customer(case: Any, target: Target) -> None:
    response = target.send(case, "customer")
    if case.operation.label not in TOKEN_ONLY:
        assert response.status_code != 401, response.text


@SCHEMA.parametrize()
@FUZZ
def test_api_signed_out(case: Any, target: Target) -> None:
    response = target.send(case, "guest")
    if not case.path.startswith("/api/") or case.method.upper() != case.operation.method.upper():
        return  # /healthz is public; an unexpected method is answered by the router (405)
    path_ids = [str(value) for value in (case.path_parameters or {}).values()]
    if not all(value.lstrip("-").isdigit() for value in path_ids):
        assert response.status_code == 404  # `/topics/abc` names no route: nothing to guard
        return
    assert response.status_code in (401, 403), response.text


def test_the_stateful_phase_as_staff(target: Target) -> None:
    """Sequences the schema's inferred links allow (a created topic, then its posts, likes,
    answer…), as the CSM: each answer checked like the single calls."""
    staff = target.callers["staff"]

    class Workflow(STATEFUL_SCHEMA.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            staff.authenticate(case)
            return {"base_url": target.base, **staff.transport(case.operation.label)}

    Workflow.run(settings=STATEFUL)


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
