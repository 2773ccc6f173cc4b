"""Shared steps of the security tests: signing in, renaming, auditing pages, emails and JSON."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from email.message import Message
from typing import Any

from accounts.tables import Member
from tests.factories import PASSWORD
from tests.security.xss_corpus import page_problems
from tests.support import FormClient, subject_of


async def sign_in(client: FormClient, member: Member) -> None:
    response = await client.post_form("/login", {"email": member.email, "password": PASSWORD})
    assert response.status_code == 303, response.text


async def rename(client: FormClient, member: Member, name: str) -> None:
    """The member renames themself on the settings page, as anyone can."""
    await sign_in(client, member)
    response = await client.post_form(
        "/settings", {"display_name": name, "timezone": "Asia/Tokyo", "locale": "ja"}
    )
    assert response.status_code == 303, response.text


async def problems_on(client: FormClient, path: str, *values: str) -> list[str]:
    response = await client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["content-type"].startswith("text/html"), path
    return [f"{path}: {problem}" for problem in page_problems(response.text, *values)]


@dataclass
class Turned:
    """A score change that turns an account red (what a recompute hands the alerts)."""

    account_id: int

    @property
    def old(self) -> dict[str, Any]:
        return {"red_alert_open": False, "drop_alert_open": False}

    @property
    def new(self) -> dict[str, Any]:
        return {
            "red_alert_open": True,
            "drop_alert_open": False,
            "score": 31.5,
            "baseline_score": 60.0,
        }


async def json_of(client: FormClient, path: str) -> Any:
    response = await client.get(path)
    assert response.status_code == 200, (path, response.text)
    assert response.headers["content-type"].split(";")[0] == "application/json", path
    assert response.headers["x-content-type-options"] == "nosniff"
    return response.json()


def json_strings(value: Any) -> list[str]:
    """Every string anywhere in a JSON document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in json_strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in json_strings(item)]
    return []


def csv_bytes(*rows: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def parts(message: Message) -> tuple[str, str]:
    """(text part, HTML part) of an email."""
    found: dict[str, str] = {}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return found["text/plain"], found["text/html"]


def email_problems(message: Message, *values: str) -> list[str]:
    """Plain text parts carry the values as written; the HTML part shows them, escaped."""
    text, html = parts(message)
    problems = [f"text part lacks {v!r}" for v in values if v not in text]
    problems += [f"html: {p}" for p in page_problems(html, *values)]
    if "\n" in subject_of(message) or "\r" in subject_of(message):
        problems.append("subject with a line break")
    return problems
