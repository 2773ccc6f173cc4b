"""Real HTTP servers on loopback for the CRM tests: Salesforce, HubSpot and a webhook receiver.

They speak HTTP on 127.0.0.1 (http.server in a thread) and implement the endpoints Kizuna
calls, so the clients are tested over the wire, not against mocks of themselves.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class LoopbackServer:
    """A threaded HTTP server whose `route(request) -> (status, headers, body)` answers."""

    def __init__(self, route: Callable[[Received], tuple[int, dict[str, str], bytes]]) -> None:
        self.received: list[Received] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Received(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                with outer.lock:
                    outer.received.append(request)
                status, headers, payload = route(request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> LoopbackServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests(self, method: str | None = None, path_prefix: str = "") -> list[Received]:
        with self.lock:
            return [
                r
                for r in self.received
                if (method is None or r.method == method) and r.path.startswith(path_prefix)
            ]


def _json(
    status: int, body: Any, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    return (
        status,
        {"content-type": "application/json", **(headers or {})},
        json.dumps(body).encode(),
    )


# --- webhook receiver ----------------------------------------------------------------------


def standard_webhooks_valid(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check, written from the spec (not from Kizuna's code)."""
    key = base64.b64decode(secret.split("_", 1)[1])
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    for candidate in headers.get("webhook-signature", "").split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


class WebhookReceiver(LoopbackServer):
    """Answers with the queued statuses (then 200) and keeps every request."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str]]] = []
        super().__init__(self._route)

    def _route(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            status, headers = self.answers.pop(0) if self.answers else (200, {})
        return status, headers, b"ok"


# --- Salesforce ----------------------------------------------------------------------------

SF_VERSION = "v62.0"
SF_JOBS = f"/services/data/{SF_VERSION}/jobs/ingest"
SF_QUERY = f"/services/data/{SF_VERSION}/query"
_SOQL = re.compile(
    r"^SELECT (?P<fields>[\w., ]+) FROM (?P<object>\w+)"
    r"(?: WHERE IsClosed = true AND Type = '(?P<type>(?:[^'\\]|\\.)*)')?$"
)


@dataclass
class SalesforceJob:
    id: str
    external_id_field: str
    state: str = "Open"
    csv: bytes = b""
    polls: int = 0


@dataclass
class FakeSalesforce:
    """Bulk API 2.0 ingest with the OAuth2 token endpoint. Knobs: `fail_keys` (records refused
    with an error), `create_status` (answer to job creation), `create_garbage`, `final_state`."""

    client_id: str = "kizuna-client"
    client_secret: str = "s3cret-value"
    fail_keys: dict[str, str] = field(default_factory=dict)
    create_status: int = 200
    create_garbage: bool = False
    final_state: str = "JobComplete"
    polls_before_done: int = 1
    jobs: dict[str, SalesforceJob] = field(default_factory=dict)
    server: LoopbackServer | None = None
    # The REST query API: records per sObject (each a dict of field → value, relationships as
    # nested dicts), the fields each sObject has, and the page size (Salesforce: 2,000).
    sobjects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sobject_fields: dict[str, set[str]] = field(default_factory=dict)
    query_page: int = 2000
    locators: dict[str, str] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)

    def start(self) -> FakeSalesforce:
        self.server = LoopbackServer(self.route).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def route(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        path = request.path
        if path == "/services/oauth2/token" and request.method == "POST":
            return self._token(request)
        if request.headers.get("authorization") != "Bearer sf-token-123":
            return _json(401, [{"errorCode": "INVALID_SESSION_ID", "message": "Session expired"}])
        if path == SF_JOBS and request.method == "POST":
            return self._create(request)
        if path.startswith(SF_QUERY) and request.method == "GET":
            return self._query(request)
        rest = path.removeprefix(SF_JOBS + "/").split("/")
        job = self.jobs.get(rest[0])
        if job is None:
            return _json(404, [{"errorCode": "NOT_FOUND"}])
        if len(rest) == 2 and rest[1] == "batches" and request.method == "PUT":
            if job.state != "Open" or request.headers.get("content-type") != "text/csv":
                return _json(400, [{"errorCode": "INVALIDJOBSTATE"}])
            job.csv += request.body
            return 201, {}, b""
        if len(rest) == 1 and request.method == "PATCH":
            job.state = request.json()["state"]
            return _json(200, {"id": job.id, "state": job.state})
        if len(rest) == 1 and request.method == "GET":
            return self._status(job)
        if len(rest) >= 2 and rest[1] in ("successfulResults", "failedResults"):
            return 200, {"content-type": "text/csv"}, self._results(job, rest[1])
        return _json(404, [{"errorCode": "NOT_FOUND"}])

    def _token(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        form = dict(parse_qsl(request.body.decode()))
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return _json(
                400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        return _json(
            200, {"access_token": "sf-token-123", "instance_url": self.url, "token_type": "Bearer"}
        )

    def _create(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        if self.create_garbage:
            return 200, {"content-type": "text/html"}, b"<html>maintenance</html>"
        if self.create_status != 200:
            return _json(self.create_status, [{"errorCode": "SERVER_ERROR"}])
        body = request.json()
        expected = {
            "object": "Account",
            "contentType": "CSV",
            "operation": "upsert",
            "lineEnding": "LF",
        }
        if any(body.get(k) != v for k, v in expected.items()):
            return _json(400, [{"errorCode": "INVALIDJOB", "body": body}])
        job_id = f"750{len(self.jobs) + 1:015d}"
        self.jobs[job_id] = SalesforceJob(job_id, body["externalIdFieldName"])
        return _json(200, {"id": job_id, "state": "Open"})

    def _status(self, job: SalesforceJob) -> tuple[int, dict[str, str], bytes]:
        if job.state == "UploadComplete":
            job.state = "InProgress"
        elif job.state == "InProgress":
            job.polls += 1
            if job.polls >= self.polls_before_done:
                job.state = self.final_state
        failed = sum(1 for r in self.records(job) if r[job.external_id_field] in self.fail_keys)
        return _json(
            200,
            {
                "id": job.id,
                "state": job.state,
                "numberRecordsProcessed": len(self.records(job)),
                "numberRecordsFailed": failed,
            },
        )

    def _query(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        """SELECT fields FROM object [WHERE IsClosed = true AND Type = '…'], paged by
        nextRecordsUrl; an unknown field is Salesforce's INVALID_FIELD (HTTP 400)."""
        url = urlsplit(request.path)
        query = dict(parse_qsl(url.query))
        if url.path.startswith(SF_QUERY + "/"):  # nextRecordsUrl: /query/<locator>-<offset>
            locator, _, offset = url.path.rsplit("/", 1)[1].partition("-")
            soql, start = self.locators[locator], int(offset)
        else:
            soql, start = query.get("q", ""), 0
        match = _SOQL.match(soql)
        if match is None:
            return _json(400, [{"errorCode": "MALFORMED_QUERY", "message": soql[:100]}])
        name = match["object"]
        fields = [f.strip() for f in match["fields"].split(",")]
        known = self.sobject_fields.get(name, set())
        for f in fields:
            if f.split(".")[0] not in known:
                return _json(
                    400,
                    [
                        {
                            "errorCode": "INVALID_FIELD",
                            "message": f"No such column '{f}' on entity '{name}'.",
                        }
                    ],
                )
        rows = self.sobjects.get(name, [])
        if match["type"] is not None:
            wanted = re.sub(r"\\(.)", r"\1", match["type"])
            rows = [r for r in rows if r.get("IsClosed") and r.get("Type") == wanted]
        page = rows[start : start + self.query_page]
        body: dict[str, Any] = {
            "totalSize": len(rows),
            "done": start + self.query_page >= len(rows),
            "records": [
                {
                    "attributes": {"type": name},
                    **{f.split(".")[0]: r.get(f.split(".")[0]) for f in fields},
                }
                for r in page
            ],
        }
        if not body["done"]:
            locator = f"01g{len(self.locators):05d}"
            self.locators[locator] = soql
            body["nextRecordsUrl"] = f"{SF_QUERY}/{locator}-{start + self.query_page}"
        self.queries.append(soql)
        return _json(200, body)

    def records(self, job: SalesforceJob) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(job.csv.decode())))

    def _results(self, job: SalesforceJob, kind: str) -> bytes:
        records = self.records(job) if job.state in ("JobComplete", "Failed") else []
        header = list(records[0]) if records else [job.external_id_field]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if kind == "successfulResults":
            writer.writerow(["sf__Id", "sf__Created", *header])
            for r in records:
                if r[job.external_id_field] not in self.fail_keys and job.state == "JobComplete":
                    writer.writerow(["001" + r[job.external_id_field][-6:], "false", *r.values()])
        else:
            writer.writerow(["sf__Id", "sf__Error", *header])
            for r in records:
                if r[job.external_id_field] in self.fail_keys:
                    writer.writerow(["", self.fail_keys[r[job.external_id_field]], *r.values()])
        return out.getvalue().encode()


# --- HubSpot -------------------------------------------------------------------------------

HUBSPOT_UPSERT = "/crm/v3/objects/companies/batch/upsert"


@dataclass
class FakeHubSpot:
    """Batch upsert of companies. Knobs: `throttle` (first N requests answer 429 with
    Retry-After), `fail_ids` (partial errors, 207), `always` (a fixed status), `garbage`."""

    token: str = "pat-na1-test"
    throttle: int = 0
    retry_after: str = "1"
    fail_ids: set[str] = field(default_factory=set)
    always: int | None = None
    garbage: bool = False
    batches: list[list[dict[str, Any]]] = field(default_factory=list)
    server: LoopbackServer | None = None

    def start(self) -> FakeHubSpot:
        self.server = LoopbackServer(self.route).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    # The read side pulls use: companies and deals as {"id", "properties"}, the properties
    # HubSpot knows per object (a requested unknown one is left out of the answer; a known
    # one without a value is null), owners, deal → company associations, the page size.
    companies: list[dict[str, Any]] = field(default_factory=list)
    deals: list[dict[str, Any]] = field(default_factory=list)
    known: dict[str, set[str]] = field(default_factory=dict)
    owners: list[dict[str, str]] = field(default_factory=list)
    deal_companies: dict[str, str] = field(default_factory=dict)
    page_size: int = 100

    def route(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _json(401, {"status": "error", "category": "INVALID_AUTHENTICATION"})
        if request.path != HUBSPOT_UPSERT or request.method != "POST":
            return self._read(request)
        if self.throttle > 0:
            self.throttle -= 1
            return _json(
                429,
                {"status": "error", "category": "RATE_LIMITS"},
                {"Retry-After": self.retry_after},
            )
        if self.always is not None:
            return _json(self.always, {"status": "error", "message": "internal error"})
        if self.garbage:
            return 200, {"content-type": "text/plain"}, b"\x00\xffnot json"
        inputs = request.json()["inputs"]
        if len(inputs) > 100:
            return _json(
                400,
                {"status": "error", "category": "VALIDATION_ERROR", "message": "too many inputs"},
            )
        self.batches.append(inputs)
        ok = [i for i in inputs if i["id"] not in self.fail_ids]
        bad = [i["id"] for i in inputs if i["id"] in self.fail_ids]
        results = [
            {"id": str(9000 + n), "properties": {**i["properties"], i["idProperty"]: i["id"]}}
            for n, i in enumerate(ok)
        ]
        if not bad:
            return _json(200, {"status": "COMPLETE", "results": results})
        errors = [
            {
                "status": "error",
                "category": "VALIDATION_ERROR",
                "message": "Property values were not valid",
                "context": {"ids": bad},
            }
        ]
        return _json(
            207, {"status": "COMPLETE", "results": results, "numErrors": len(bad), "errors": errors}
        )

    def _shown(self, kind: str, item: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
        known = self.known.get(kind, set())
        properties = {n: item["properties"].get(n) for n in wanted if n in known}
        return {"id": item["id"], "properties": properties}

    def _page(self, items: list[Any], after: str | None) -> dict[str, Any]:
        start = int(after or 0)
        body: dict[str, Any] = {"results": items[start : start + self.page_size]}
        if start + self.page_size < len(items):
            body["paging"] = {"next": {"after": str(start + self.page_size)}}
        return body

    def _read(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(request.path)
        query = dict(parse_qsl(url.query))
        if url.path == "/crm/v3/objects/companies" and request.method == "GET":
            wanted = query.get("properties", "").split(",")
            shown = [self._shown("companies", c, wanted) for c in self.companies]
            return _json(200, self._page(shown, query.get("after")))
        if url.path == "/crm/v3/owners/" and request.method == "GET":
            return _json(200, self._page(self.owners, query.get("after")))
        if url.path == "/crm/v3/objects/deals/search" and request.method == "POST":
            body = request.json()
            filters = {f["propertyName"]: f["value"] for f in body["filterGroups"][0]["filters"]}
            found = [
                d
                for d in self.deals
                if all(str(d["properties"].get(k)).lower() == v for k, v in filters.items())
            ]
            shown = [self._shown("deals", d, body.get("properties", [])) for d in found]
            return _json(200, self._page(shown, body.get("after")))
        if url.path == "/crm/v4/associations/deals/companies/batch/read":
            results = [
                {"from": {"id": i["id"]}, "to": [{"toObjectId": int(self.deal_companies[i["id"]])}]}
                for i in request.json()["inputs"]
                if i["id"] in self.deal_companies
            ]
            return _json(200, {"status": "COMPLETE", "results": results})
        if url.path == "/crm/v3/objects/companies/batch/read":
            body = request.json()
            ids = {i["id"] for i in body["inputs"]}
            results = [
                self._shown("companies", c, body["properties"])
                for c in self.companies
                if c["id"] in ids
            ]
            return _json(200, {"status": "COMPLETE", "results": results})
        return _json(404, {"status": "error", "message": "not found"})
