"""Salesforce Bulk API 2.0 ingest (and the REST query pulls read with): a thin httpx client and
the upload and collect steps of a sync.

Steps (each a job, see crm/pushes/jobs.py): upload — OAuth2 token, then per CSV part (≤ 100 MB)
create an upsert job on Account, PUT the CSV, PATCH UploadComplete; poll — until every job is
JobComplete, Failed or Aborted; collect — successfulResults and failedResults give each
account's verdict.
"""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
from collections.abc import AsyncIterator
from typing import IO, Any

import httpx

from crm.files.formats import salesforce_parts
from crm.files.mapping import load_mapping
from crm.pushes.credentials import SalesforceCredentials, salesforce_credentials
from crm.pushes.sync import CrmError, rows_of, set_outcome_by_external_id
from crm.settings import CrmSettings
from crm.tables import SyncItem, SyncRun
from crm.targets import check_target

TERMINAL = ("JobComplete", "Failed", "Aborted")
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
SPOOL_BYTES = 8 * 1024 * 1024


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code >= 400:
        raise CrmError(f"{what}: HTTP {response.status_code} {_snippet(response)}")
    try:
        body = response.json()
    except ValueError as exc:
        raise CrmError(f"{what}: HTTP {response.status_code}, not JSON") from exc
    if not isinstance(body, dict):
        raise CrmError(f"{what}: unexpected JSON")
    return body


def _snippet(response: httpx.Response) -> str:
    return " ".join(response.text[:200].split())


class BulkClient:
    """Just the Bulk API 2.0 ingest calls Kizuna needs."""

    def __init__(self, http: httpx.AsyncClient, credentials: SalesforceCredentials) -> None:
        self.http = http
        self.credentials = credentials
        self.instance_url = ""
        self._token = ""

    def __repr__(self) -> str:
        return f"BulkClient({self.credentials!r})"

    async def login(self) -> None:
        """OAuth2 client-credentials (or username-password) token flow."""
        creds = self.credentials
        form = {"client_id": creds.client_id, "client_secret": creds.client_secret}
        if creds.flow == "password":
            form |= {
                "grant_type": "password",
                "username": creds.username,
                "password": creds.password,
            }
        else:
            form["grant_type"] = "client_credentials"
        try:
            response = await self.http.post(
                f"{creds.login_url.rstrip('/')}/services/oauth2/token", data=form
            )
        except httpx.HTTPError as exc:
            raise CrmError(f"token request failed: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            # The body may echo the request; only the status is kept.
            raise CrmError(f"token request refused: HTTP {response.status_code}")
        body = _json(response, "token request")
        if not body.get("access_token") or not body.get("instance_url"):
            raise CrmError("token request: no access_token or instance_url")
        self._token, self.instance_url = str(body["access_token"]), str(body["instance_url"])

    def _url(self, path: str) -> str:
        version = self.credentials.api_version
        return f"{self.instance_url.rstrip('/')}/services/data/{version}/jobs/ingest{path}"

    async def _call(self, method: str, path: str, what: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}", **kwargs.pop("headers", {})}
        try:
            return await self.http.request(method, self._url(path), headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise CrmError(f"{what}: {type(exc).__name__}") from exc

    async def create_job(self, external_id_field: str) -> str:
        body = {
            "object": "Account",
            "externalIdFieldName": external_id_field,
            "contentType": "CSV",
            "operation": "upsert",
            "lineEnding": "LF",
        }
        job = _json(await self._call("POST", "", "create job", json=body), "create job")
        if not job.get("id"):
            raise CrmError("create job: no id")
        return str(job["id"])

    async def upload(self, job_id: str, data: IO[bytes]) -> None:
        """PUT the part from its spool file in 1 MB pieces (memory stays flat)."""
        size = data.seek(0, io.SEEK_END)
        data.seek(0)

        async def pieces() -> AsyncIterator[bytes]:
            while piece := data.read(1024 * 1024):
                yield piece

        response = await self._call(
            "PUT",
            f"/{job_id}/batches",
            "upload",
            content=pieces(),
            headers={"Content-Type": "text/csv", "Content-Length": str(size)},
        )
        if response.status_code != 201:
            raise CrmError(f"upload: HTTP {response.status_code} {_snippet(response)}")

    async def set_state(self, job_id: str, state: str) -> None:
        _json(await self._call("PATCH", f"/{job_id}", state, json={"state": state}), state)

    async def job_state(self, job_id: str) -> dict[str, Any]:
        return _json(await self._call("GET", f"/{job_id}", "job status"), "job status")

    async def query(self, soql: str) -> AsyncIterator[list[dict[str, Any]]]:
        """The records of a SOQL query through the REST API, a page at a time (following
        nextRecordsUrl); each record without its `attributes`."""
        version = self.credentials.api_version
        url = f"{self.instance_url.rstrip('/')}/services/data/{version}/query"
        params: dict[str, str] | None = {"q": soql}
        while url:
            try:
                response = await self.http.get(
                    url, params=params, headers={"Authorization": f"Bearer {self._token}"}
                )
            except httpx.HTTPError as exc:
                raise CrmError(f"query: {type(exc).__name__}") from exc
            if response.status_code >= 400:
                raise CrmError(f"query: HTTP {response.status_code} {_snippet(response)}")
            body = _json(response, "query")
            records = body.get("records")
            if not isinstance(records, list):
                raise CrmError("query: no records in the answer")
            yield [
                {k: v for k, v in r.items() if k != "attributes"}
                for r in records
                if isinstance(r, dict)
            ]
            following = body.get("nextRecordsUrl")
            if body.get("done", True) or not following:
                return
            url, params = f"{self.instance_url.rstrip('/')}{following}", None

    async def results(self, job_id: str, kind: str, into: IO[bytes]) -> None:
        """Stream successfulResults/ or failedResults/ CSV into a file."""
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            async with self.http.stream(
                "GET", self._url(f"/{job_id}/{kind}/"), headers=headers
            ) as r:
                if r.status_code != 200:
                    raise CrmError(f"{kind}: HTTP {r.status_code}")
                async for chunk in r.aiter_bytes():
                    into.write(chunk)
        except httpx.HTTPError as exc:
            raise CrmError(f"{kind}: {type(exc).__name__}") from exc


async def open_client(http: httpx.AsyncClient, settings: CrmSettings) -> BulkClient:
    credentials = await salesforce_credentials(settings)
    if credentials is None:
        raise CrmError("Salesforce is not configured")
    if credentials.source == "database":
        await check_target(credentials.login_url, settings.webhook_allow_private_targets)
    client = BulkClient(http, credentials)
    await client.login()
    return client


async def upload_run(run: SyncRun, settings: CrmSettings, http: httpx.AsyncClient) -> str | None:
    """Send the run's pending items as one Bulk API job per part; returns an error or None.

    Jobs created before an error still count: they are polled and their results collected.
    """
    mapping = await load_mapping("salesforce")
    client = await open_client(http, settings)
    jobs: list[dict[str, Any]] = []
    error: str | None = None
    spool: IO[bytes] | None = None
    try:
        async for part, chunk in salesforce_parts(
            rows_of(run.id), mapping, settings.default_timezone, settings.crm_export_part_max_bytes
        ):
            if spool is not None and part != len(jobs) + 1:
                jobs.append(await _send_part(client, mapping.key_field, spool))
                spool.close()
                spool = None
            if spool is None:
                spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
            spool.write(chunk)
        if spool is not None and run.sent > 0:
            jobs.append(await _send_part(client, mapping.key_field, spool))
    except CrmError as exc:
        error = str(exc)
    finally:
        if spool is not None:
            spool.close()
        await SyncRun.update({SyncRun.remote_jobs: jobs}).where(SyncRun.id == run.id)
    await SyncItem.update({SyncItem.outcome: "sent"}).where(
        (SyncItem.run == run.id) & (SyncItem.outcome == "pending")
    )
    return error


async def _send_part(client: BulkClient, key_field: str, spool: IO[bytes]) -> dict[str, Any]:
    job_id = await client.create_job(key_field)
    try:
        await client.upload(job_id, spool)
        await client.set_state(job_id, "UploadComplete")
    except CrmError:
        # If even the abort fails the job expires unprocessed: its records were never committed.
        with contextlib.suppress(CrmError):
            await client.set_state(job_id, "Aborted")
        raise
    return {"id": job_id, "state": "UploadComplete"}


async def poll_run(run: SyncRun, settings: CrmSettings, http: httpx.AsyncClient) -> bool:
    """Refresh the state of the run's jobs; True once every one has finished."""
    client = await open_client(http, settings)
    jobs: list[dict[str, Any]] = list(run.remote_jobs or [])  # type: ignore[arg-type]
    for job in jobs:
        if job["state"] not in TERMINAL:
            info = await client.job_state(job["id"])
            job["state"] = str(info.get("state", job["state"]))
            job["processed"] = info.get("numberRecordsProcessed")
            job["failed"] = info.get("numberRecordsFailed")
            if info.get("errorMessage"):
                job["error"] = str(info["errorMessage"])[:300]
    await SyncRun.update({SyncRun.remote_jobs: jobs}).where(SyncRun.id == run.id)
    return all(job["state"] in TERMINAL for job in jobs)


async def collect_results(run: SyncRun, settings: CrmSettings, http: httpx.AsyncClient) -> None:
    """Mark items from each job's successfulResults and failedResults (streamed via a file)."""
    client = await open_client(http, settings)
    key_field = (await load_mapping("salesforce")).key_field
    remote_jobs: list[dict[str, Any]] = list(run.remote_jobs or [])  # type: ignore[arg-type]
    for job in remote_jobs:
        for kind in ("successfulResults", "failedResults"):
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
                await client.results(job["id"], kind, spool)
                spool.seek(0)
                await _apply_results(run.id, kind, key_field, spool)


async def _apply_results(run_id: int, kind: str, key_field: str, spool: IO[bytes]) -> None:
    reader = csv.DictReader(io.TextIOWrapper(spool, encoding="utf-8-sig", newline=""))
    if reader.fieldnames is None:
        return
    if key_field not in reader.fieldnames:
        raise CrmError(f"{kind}: no {key_field} column")
    batch: list[tuple[str, str, str | None]] = []
    for record in reader:
        if kind == "successfulResults":
            batch.append((record[key_field], "succeeded", None))
        else:
            batch.append((record[key_field], "failed", record.get("sf__Error") or "failed"))
        if len(batch) == 1000:
            await set_outcome_by_external_id(run_id, batch)
            batch = []
    if batch:
        await set_outcome_by_external_id(run_id, batch)
