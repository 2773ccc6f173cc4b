"""Running an authorisation table: the app's routes, one caller per role, and the checks of
each answer (status, markers that must not show, markers that must, nothing written).

Outcomes: a status code, or "login" (a page redirects to /login?next=…; API routes answer
401 instead). A 3xx code means a redirect anywhere but to the sign-in page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from litestar import Litestar

from tests.factories import PASSWORD
from tests.security.database_state import State, database_state, differences
from tests.security.world import MARKER_READERS, MARKERS, ROLES, World
from tests.support import FormClient

Body = Callable[[World], Any]
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
REFUSALS = {"login", "401", "403", "404", "405"}
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
EXCLUDED_METHODS = {
    # Litestar adds an OPTIONS handler to every path that has none: it runs no handler code
    # and answers 204 with an Allow header. Each role's test still asks OPTIONS of every path
    # and checks that the answer is empty or a refusal (check_options).
    "OPTIONS": "the automatic OPTIONS handler of every path",
}


# The outcomes most rows share, one per role: anon, customer_a, customer_b, csm, admin, token.
STAFF_PAGE = "login 403 403 200 200 login"
ADMIN_PAGE = "login 403 403 403 200 login"
MEMBER_PAGE = "login 200 200 200 200 login"
PUBLIC_PAGE = "200 200 200 200 200 200"
STAFF_WRITE = "login 403 403 303 303 403"
ADMIN_WRITE = "login 403 403 403 303 403"
STAFF_API = "401 403 403 200 200 403"


def none(_: World) -> dict[str, Any]:
    """An empty form."""
    return {}


def in_days(days: int) -> str:
    """An ISO date `days` from today."""
    return (date.today() + timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Route:
    """What each role gets from one route, and how to ask it.

    `expect` holds one outcome per role, in ROLES order: anon, customer_a, customer_b, csm,
    admin, token. `shows` are markers an allowed GET must contain for every role let in that
    may read them (`shows_to` narrows it): the proof that the leak check looks at a page that
    would show them. `public` are markers the route shows by design to everyone it lets in.
    `phase` orders the changes a role makes to its own state: every read, then the writes of
    phase 0 in table order, then those of phase 1, 2… (cancel, then register again).
    """

    expect: str
    form: Body | None = None
    json: Body | None = None
    files: Body | None = None
    query: Callable[[World], str] | str = ""
    shows: tuple[str, ...] = ()
    shows_to: tuple[str, ...] | None = None
    public: tuple[str, ...] = ()
    phase: int = 0

    def outcome(self, role: str) -> str:
        outcomes = self.expect.split()
        assert len(outcomes) == len(ROLES), f"{self.expect!r}: one outcome per role"
        return outcomes[ROLES.index(role)]


def router_routes(app: Litestar) -> dict[str, str]:
    """{"METHOD /path/{param}": the router's path} for every handler of the app."""
    found: dict[str, str] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method in EXCLUDED_METHODS and _is_automatic(handler):
                    continue
                found[f"{method} {template(route.path)}"] = route.path
    return found


def template(path: str) -> str:
    """A router path without its parameter types: /t/{topic_id:int} -> /t/{topic_id}."""
    return PARAM.sub(lambda m: "{" + m.group(1) + "}", path)


def _is_automatic(handler: Any) -> bool:
    return "create_options_handler" in getattr(handler.fn, "__qualname__", "")


def fill(path: str, world: World) -> str:
    return PARAM.sub(lambda m: str(world.ids[m.group(1)]), path)


def http_client(app: Litestar, **kwargs: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.local", **kwargs)


@dataclass
class Caller:
    """One role's browser (cookies, CSRF token) or API client (bearer token, nothing else)."""

    role: str
    raw: httpx.AsyncClient
    browser: FormClient | None

    async def send(self, method: str, url: str, route: Route, world: World) -> httpx.Response:
        kwargs: dict[str, Any] = {}
        headers: dict[str, str] = {}
        writes = method not in SAFE_METHODS
        csrf = await self.browser.csrf_token() if self.browser and writes else None
        if route.form is not None or route.files is not None:
            data = dict(route.form(world) if route.form else {})
            if csrf:
                data["_csrf_token"] = csrf
            kwargs["data"] = data
            if route.files is not None:
                kwargs["files"] = route.files(world)
        else:
            if route.json is not None:
                kwargs["json"] = route.json(world)
            if csrf:
                headers["x-csrf-token"] = csrf
        return await self.raw.request(method, url, headers=headers, **kwargs)


async def caller_for(role: str, world: World, app: Litestar) -> Caller:
    """The role's client, signed in; the "token" role sends only its bearer token."""
    if role == "token":
        raw = http_client(app, headers={"Authorization": f"Bearer {world.token_secret}"})
        return Caller(role, raw, None)
    raw = http_client(app)
    browser = FormClient(raw, app)
    members = {
        "customer_a": world.alice,
        "customer_b": world.bob,
        "csm": world.csm,
        "admin": world.admin,
    }
    if role in members:
        world.me = members[role]
        await browser.login(world.me.email, PASSWORD)
    return Caller(role, raw, browser)


def matches(expected: str, response: httpx.Response) -> bool:
    to_login = response.headers.get("location", "").startswith("/login?next=")
    if expected == "login":
        return response.status_code in (302, 303) and to_login
    return response.status_code == int(expected) and not to_login


def leaks(role: str, text: str, public: tuple[str, ...] = ()) -> list[str]:
    allowed = MARKER_READERS[role] | set(public)
    return [name for name, marker in MARKERS.items() if name not in allowed and marker in text]


def missing_markers(role: str, route: Route, text: str) -> list[str]:
    if route.shows_to is not None and role not in route.shows_to:
        return []
    readable = MARKER_READERS[role] | set(route.public)
    return [name for name in route.shows if name in readable and MARKERS[name] not in text]


async def settle(app: Litestar) -> None:
    """Let background jobs (the in-process backend) finish, so the database holds still."""
    drain = getattr(app.state.jobs, "drain", None)
    if drain is not None:
        await drain()


@dataclass
class Run:
    """One role's pass over a table."""

    table: dict[str, Route]
    caller: Caller
    world: World
    app: Litestar
    state: State | None = None  # the database after the last refused write, while still true

    def order(self, routes: dict[str, str]) -> list[str]:
        """Reads first, then writes in table order, then each later phase."""
        keys = [key for key in self.table if key in routes]
        return sorted(
            keys,
            key=lambda k: (self.table[k].phase, k.split()[0] not in SAFE_METHODS, keys.index(k)),
        )

    async def check(self, key: str, path: str) -> list[str]:
        """Ask one route; a refused write must leave every table as it was."""
        method = key.split()[0]
        watch = method not in SAFE_METHODS and self.table[key].outcome(self.caller.role) in REFUSALS
        if watch and self.state is None:
            await settle(self.app)
            self.state = await database_state()
        problems = await self.ask(key, method, path)
        if not watch:
            self.state = None
            return problems
        await settle(self.app)
        after = await database_state()
        if changed := differences(self.state or {}, after):
            problems.append(f"{key}: refused, yet changed {', '.join(changed)}")
        self.state = after
        return problems

    async def ask(self, key: str, method: str, path: str) -> list[str]:
        route, role = self.table[key], self.caller.role
        expected = route.outcome(role)
        query = route.query(self.world) if callable(route.query) else route.query
        response = await self.caller.send(method, fill(path, self.world) + query, route, self.world)
        problems = []
        if not matches(expected, response):
            where = response.headers.get("location")
            got = f"{response.status_code}" + (f" -> {where}" if where else "")
            problems.append(f"{key}: expected {expected}, got {got}")
        if found := leaks(role, response.text, route.public):
            problems.append(f"{key}: answer shows {', '.join(found)}")
        allowed = 200 <= response.status_code < 300 and method == "GET"
        if allowed and (lacking := missing_markers(role, route, response.text)):
            problems.append(f"{key}: allowed answer lacks {', '.join(lacking)}")
        return problems

    async def check_options(self, paths: set[str]) -> list[str]:
        """The automatic OPTIONS answer of every path: empty, or a refusal; never data."""
        problems = []
        for path in sorted(paths):
            response = await self.caller.raw.request("OPTIONS", fill(path, self.world))
            empty = response.status_code == 204 and not response.content
            if not (empty or response.status_code in (401, 403) or matches("login", response)):
                problems.append(f"OPTIONS {path}: {response.status_code}")
            if found := leaks(self.caller.role, response.text):
                problems.append(f"OPTIONS {path}: answer shows {', '.join(found)}")
        return problems
