"""A stand-in Zoom on loopback: Server-to-Server OAuth and the participants report API
(meetings and webinars, paged by next_page_token), with knobs for the faults the pull handles:
a report not made yet (404, code 3001), throttling (429 with Retry-After), refused credentials."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.crm.loopback import LoopbackFake, LoopbackServer, Received, _json

REPORT = "/v2/report/"


@dataclass
class FakeZoom(LoopbackFake):
    account_id: str = "acct-kizuna"
    client_id: str = "zoom-client"
    client_secret: str = "zoom-secret-value"
    token: str = "zoom-token-1"
    meetings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    webinars: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    not_ready: int = 0  # the first N report requests answer 404 (report not made yet)
    throttle: int = 0  # the next N report requests answer 429
    page: int = 2  # rows per page, whatever page_size asks (to exercise next_page_token)
    server: LoopbackServer | None = None
    calls: list[str] = field(default_factory=list)

    def route(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(request.path)
        query = dict(parse_qsl(url.query))
        self.calls.append(url.path)
        if url.path == "/oauth/token" and request.method == "POST":
            basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            if (
                request.headers.get("authorization") != f"Basic {basic}"
                or query.get("grant_type") != "account_credentials"
                or query.get("account_id") != self.account_id
            ):
                return _json(401, {"reason": "Invalid client_id or client_secret"})
            return _json(200, {"access_token": self.token, "token_type": "bearer"})
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _json(401, {"code": 124, "message": "Invalid access token."})
        if not url.path.startswith(REPORT) or not url.path.endswith("/participants"):
            return _json(404, {"code": 404, "message": "Not found"})
        if self.throttle > 0:
            self.throttle -= 1
            return _json(429, {"code": 429, "message": "Too many requests"}, {"Retry-After": "0"})
        if self.not_ready > 0:
            self.not_ready -= 1
            return _json(404, {"code": 3001, "message": "Meeting does not exist"})
        kind, meeting_id = url.path.removeprefix(REPORT).split("/")[:2]
        rows = (self.meetings if kind == "meetings" else self.webinars).get(meeting_id)
        if rows is None:
            return _json(404, {"code": 3001, "message": "Meeting does not exist"})
        start = int(query.get("next_page_token") or 0)
        body: dict[str, Any] = {
            "page_size": int(query.get("page_size") or 30),
            "total_records": len(rows),
            "participants": rows[start : start + self.page],
            "next_page_token": str(start + self.page) if start + self.page < len(rows) else "",
        }
        return 200, {"content-type": "application/json"}, json.dumps(body).encode()


def participant(email: str, name: str, minutes: float, join: str = "2026-12-01T05:00:00Z"):
    return {"user_email": email, "name": name, "duration": int(minutes * 60), "join_time": join}
