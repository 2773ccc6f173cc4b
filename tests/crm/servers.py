"""Real HTTP servers on loopback for the CRM tests: Salesforce, HubSpot and a webhook receiver.

They speak HTTP on 127.0.0.1 (http.server in a thread) and implement the endpoints Kizuna
calls, so the clients are tested over the wire, not against mocks of themselves (the read
side pulls use is in tests/crm/reads.py; the server they are built on in loopback.py).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from tests.crm.loopback import LoopbackFake, LoopbackServer, Received, _json
from tests.crm.reads import SF_QUERY, SF_VERSION, HubSpotReads, SalesforceQueries

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

SF_JOBS = f"/services/data/{SF_VERSION}/jobs/ingest"


@dataclass
class SalesforceJob:
    id: str
    external_id_field: str
    state: str = "Open"
    csv: bytes = b""
    polls: int = 0


@dataclass
class FakeSalesforce(SalesforceQueries, LoopbackFake):
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
class FakeHubSpot(HubSpotReads, LoopbackFake):
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
