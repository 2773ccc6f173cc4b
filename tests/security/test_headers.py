"""Response headers and cookies that keep injected script from running or being framed, and
templates that need no inline script (the Content-Security-Policy forbids it)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from core.templating import TEMPLATE_DIR
from settings import Settings
from tests.factories import PASSWORD, make_member
from tests.support import FormClient, running_app

PAGES = ("/", "/login", "/healthz", "/static/kizuna.css", "/community", "/no-such-page")
SAFE_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


def directives(csp: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in csp.split(";"):
        if not part.strip():
            continue
        name, *values = part.split()
        found[name.lower()] = values
    return found


def header_problems(response: httpx.Response) -> list[str]:
    problems = []
    csp = directives(response.headers.get("content-security-policy", ""))
    scripts = csp.get("script-src", csp.get("default-src"))
    if scripts is None:
        problems.append("no script-src or default-src")
    elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts):
        problems.append(f"script-src allows {scripts}")
    if csp.get("frame-ancestors") not in (["'none'"], ["'self'"]):
        problems.append(f"frame-ancestors {csp.get('frame-ancestors')}")
    if csp.get("object-src") != ["'none'"]:
        problems.append(f"object-src {csp.get('object-src')}")
    if csp.get("base-uri") not in (["'none'"], ["'self'"]):
        problems.append(f"base-uri {csp.get('base-uri')}")
    if response.headers.get("x-content-type-options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.headers.get("referrer-policy") not in SAFE_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {response.headers.get('referrer-policy')}")
    return problems


async def test_every_kind_of_response_carries_the_security_headers(client: FormClient, settings):
    member = await make_member(None, role="admin", email="admin@vendor.example")
    responses = [await client.get(path) for path in PAGES]
    await client.login(member.email, PASSWORD)
    responses += [await client.get(path) for path in ("/", "/staff/accounts", "/api/v1/me")]
    responses.append(await client.api("POST", "/api/v1/community/topics", json={}))
    assert {r.status_code for r in responses} >= {200, 404, 400}
    problems = [
        f"{r.request.url.path} {r.status_code}: {p}" for r in responses for p in header_problems(r)
    ]
    assert not problems, "\n".join(problems)
    assert responses[-2].headers["content-type"].startswith("application/json")


async def test_only_the_api_viewer_gets_inline_script(client: FormClient, settings):
    viewer = await client.get("/schema/swagger")
    assert viewer.status_code == 200
    assert "'unsafe-inline'" in viewer.headers["content-security-policy"]
    assert directives(viewer.headers["content-security-policy"])["frame-ancestors"] == ["'none'"]
    for path in ("/schemata", "/community/schema"):
        response = await client.get(path)
        assert "'unsafe-inline'" not in response.headers["content-security-policy"], path


def _cookie(response: httpx.Response, name: str) -> str:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    assert found, f"no {name} cookie in {response.headers.get_list('set-cookie')}"
    return found[-1]


def _flags(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


async def _sign_in_cookies(settings: Settings, base_url: str) -> tuple[str, str, httpx.Response]:
    """(session Set-Cookie, CSRF Set-Cookie, the sign-in response) of an app with `settings`."""
    member = await make_member(None, role="csm", email="csm@vendor.example")
    async with running_app(settings) as app:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as raw:
            client = FormClient(raw, app)
            first = await raw.get("/login")
            csrf_cookie = _cookie(first, "kizuna_csrf")
            signed_in = await client.login(member.email, PASSWORD)
            assert signed_in.status_code == 303
            return _cookie(signed_in, "kizuna_session"), csrf_cookie, signed_in


async def test_session_cookie_is_httponly_and_lax_outside_production(settings):
    session, csrf, _ = await _sign_in_cookies(settings, "http://testserver.local")
    assert {"httponly", "samesite=lax"} <= _flags(session)
    assert "secure" not in _flags(session)  # plain http in development and tests
    assert "samesite=lax" in _flags(csrf)


async def test_production_cookies_are_secure_and_pages_demand_https(settings):
    production = settings.model_copy(update={"environment": "production"})
    session, csrf, response = await _sign_in_cookies(production, "https://kizuna.example")
    assert {"httponly", "samesite=lax", "secure"} <= _flags(session)
    assert {"samesite=lax", "secure"} <= _flags(csrf)
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert header_problems(response) == []


# --- templates -----------------------------------------------------------------------------

_JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
_TAG = re.compile(r"<[a-zA-Z][^>]*>", re.S)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def template_problems(source: str) -> list[str]:
    """Inline script, event-handler attributes and javascript: URLs in a template's markup."""
    markup = _JINJA.sub(" ", source)
    problems = []
    for attributes, body in _SCRIPT.findall(markup):
        if body.strip() or "src=" not in attributes:
            problems.append("inline <script>")
    problems += [f"handler in {tag[:60]}" for tag in _TAG.findall(markup) if _HANDLER.search(tag)]
    if re.search(r"javascript:", markup, re.I):
        problems.append("javascript: URL")
    return problems


def test_the_template_scan_finds_inline_script():
    assert template_problems("<script>alert(1)</script>") == ["inline <script>"]
    assert template_problems('<script src="/static/a.js">go()</script>') == ["inline <script>"]
    assert template_problems('<button type="submit" onclick="go()">') != []
    assert template_problems('<a {% if x %}onmouseover="go()"{% endif %}>') != []
    assert template_problems('<a href="javascript:go()">') == ["javascript: URL"]
    assert template_problems('<script src="/static/a.js" defer></script>') == []
    assert template_problems('{{ field("x", online=True) }}<p data-online="1">') == []


def test_templates_have_no_inline_script_or_event_handlers():
    """Pages run only /static scripts; emails are not pages but must not carry script either."""
    templates = sorted(Path(TEMPLATE_DIR).rglob("*.html"))
    assert len(templates) > 50
    problems = [
        f"{path.relative_to(TEMPLATE_DIR)}: {problem}"
        for path in templates
        for problem in template_problems(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems)
