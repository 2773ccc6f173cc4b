"""Reading accounts and closed renewals from the CRMs, through the connections the export uses.

Salesforce: SOQL through the REST query API (Account; Opportunity closed with the mapped Type).
HubSpot: companies listed with their properties and owners; deals of the mapped pipeline that
are closed (CRM search), their companies through the associations API and a batch read.
Every reader yields (external id, record) pairs; record values are keyed by the mapped field
names, so the same reading code (crm.imports.records) serves both.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx

from core.timeutil import retry_after_seconds
from crm.imports.fields import ACCOUNT_FIELDS, PullMap
from crm.imports.records import MissingField
from crm.pushes import hubspot, salesforce
from crm.pushes.sync import CrmError
from crm.settings import CrmSettings

Pair = tuple[str, dict[str, Any]]
HUBSPOT_PAGE = 100
MAX_TRIES = 4
INLINE_WAIT_LIMIT = 10.0


_NO_COLUMN = re.compile(r"No such column '([^']+)'")


async def _queried(client: Any, soql: str) -> AsyncIterator[list[dict[str, Any]]]:
    """The query's pages; Salesforce's INVALID_FIELD (a mapped field the object lacks) becomes
    MissingField, so the run says which field in the user's language."""
    try:
        async for page in client.query(soql):
            yield page
    except CrmError as exc:
        found = _NO_COLUMN.search(str(exc))
        if "INVALID_FIELD" in str(exc) and found:
            raise MissingField(found.group(1)) from None
        raise


def soql_literal(value: str) -> str:
    """A SOQL string literal (backslash and quote escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _selected(pull: PullMap, names: list[str], extra: list[str]) -> list[str]:
    fields = [*extra, *(pull[n] for n in names if pull.owned(n))]
    return list(dict.fromkeys(fields))


async def salesforce_accounts(
    http: httpx.AsyncClient, settings: CrmSettings, pull: PullMap, key_field: str
) -> AsyncIterator[list[Pair]]:
    client = await salesforce.open_client(http, settings)
    fields = _selected(pull, [n for n, _, _ in ACCOUNT_FIELDS], ["Id", key_field])
    # Field names are checked by fields.parse_pull_form and mapping._name_error; values quoted.
    soql = f"SELECT {', '.join(fields)} FROM Account"  # noqa: S608
    async for page in _queried(client, soql):
        yield [(str(r.get(key_field) or ""), r) for r in page]


async def salesforce_renewals(
    http: httpx.AsyncClient, settings: CrmSettings, pull: PullMap
) -> AsyncIterator[list[tuple[str, str, dict[str, Any]]]]:
    """(Opportunity id, account reference, record) of every closed renewal Opportunity."""
    client = await salesforce.open_client(http, settings)
    names = ["account", "close_date", "won", "arr_after", "arr_before"]
    fields = _selected(pull, names, ["Id"])
    soql = (
        f"SELECT {', '.join(fields)} FROM Opportunity WHERE IsClosed = true "  # noqa: S608
        f"AND Type = {soql_literal(pull['renewal_filter'])}"
    )
    async for page in _queried(client, soql):
        yield [(str(r.get("Id") or ""), _ref(r, pull["account"]), r) for r in page]


def _ref(record: dict[str, Any], path: str) -> str:
    head, _, rest = path.partition(".")
    value = record.get(head)
    if rest and isinstance(value, dict):
        value = value.get(rest)
    return "" if value is None else str(value)


class HubSpotReader:
    """GET and POST against HubSpot's CRM API with the export's token, waiting out 429s."""

    def __init__(self, http: httpx.AsyncClient, client: hubspot.HubSpotClient) -> None:
        self.http = http
        self.base = client.credentials.base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {client.credentials.access_token}"}

    async def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        for attempt in range(1, MAX_TRIES + 1):
            try:
                response = await self.http.request(
                    method, self.base + path, headers=self.headers, **kwargs
                )
            except httpx.HTTPError as exc:
                raise CrmError(f"{path}: {type(exc).__name__}") from exc
            if response.status_code == 429 and attempt < MAX_TRIES:
                wait = retry_after_seconds(response.headers) or 2.0**attempt
                if wait > INLINE_WAIT_LIMIT:
                    raise CrmError(f"{path}: HubSpot asked to wait {wait:.0f} s")
                await asyncio.sleep(wait)
                continue
            if response.status_code >= 400:
                snippet = " ".join(response.text[:200].split())
                raise CrmError(f"{path}: HTTP {response.status_code} {snippet}")
            try:
                body = response.json()
            except ValueError as exc:
                raise CrmError(f"{path}: not JSON") from exc
            if not isinstance(body, dict):
                raise CrmError(f"{path}: unexpected JSON")
            return body
        raise CrmError(f"{path}: HubSpot kept refusing (HTTP 429)")

    async def pages(self, method: str, path: str, **kwargs: Any) -> AsyncIterator[list[Any]]:
        """`results` of each page, following paging.next.after."""
        after: str | None = None
        while True:
            if method == "GET":
                params = {**kwargs.get("params", {}), **({"after": after} if after else {})}
                body = await self.call("GET", path, params=params)
            else:
                payload = {**kwargs.get("json", {}), **({"after": after} if after else {})}
                body = await self.call("POST", path, json=payload)
            results = body.get("results")
            if not isinstance(results, list):
                raise CrmError(f"{path}: no results in the answer")
            yield results
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return


async def _hubspot(http: httpx.AsyncClient, settings: CrmSettings) -> HubSpotReader:
    return HubSpotReader(http, await hubspot.open_client(http, settings))


async def hubspot_owners(reader: HubSpotReader) -> dict[str, str]:
    """HubSpot owner id → email."""
    owners: dict[str, str] = {}
    async for page in reader.pages("GET", "/crm/v3/owners/", params={"limit": HUBSPOT_PAGE}):
        for owner in page:
            if isinstance(owner, dict) and owner.get("id") and owner.get("email"):
                owners[str(owner["id"])] = str(owner["email"])
    return owners


def _properties(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or not isinstance(item.get("properties"), dict):
        raise CrmError("HubSpot: an object without properties")
    return dict(item["properties"])


async def hubspot_accounts(
    http: httpx.AsyncClient, settings: CrmSettings, pull: PullMap, key_field: str
) -> AsyncIterator[list[Pair]]:
    reader = await _hubspot(http, settings)
    names = [n for n, _, _ in ACCOUNT_FIELDS]
    fields = _selected(pull, names, [key_field])
    owner_emails = await hubspot_owners(reader) if pull["owner_email"] == "hubspot_owner_id" else {}
    params = {"limit": HUBSPOT_PAGE, "properties": ",".join(fields)}
    async for page in reader.pages("GET", "/crm/v3/objects/companies", params=params):
        pairs = []
        for item in page:
            # HubSpot answers null for a known property without a value and leaves out one it
            # does not know: absent is the mapping's fault (records.MissingField).
            record = _properties(item)
            if owner_emails and record.get("hubspot_owner_id"):
                record["hubspot_owner_id"] = owner_emails.get(str(record["hubspot_owner_id"]))
            pairs.append((str(record.get(key_field) or ""), record))
        yield pairs


async def hubspot_renewals(
    http: httpx.AsyncClient, settings: CrmSettings, pull: PullMap, key_field: str
) -> AsyncIterator[list[tuple[str, str, dict[str, Any]]]]:
    """(deal id, its company's key value, deal properties) of every closed deal of the pipeline."""
    reader = await _hubspot(http, settings)
    names = ["close_date", "won", "arr_after", "arr_before"]
    fields = [pull[n] for n in names if pull.owned(n)]
    search = {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "pipeline", "operator": "EQ", "value": pull["renewal_filter"]},
                    {"propertyName": "hs_is_closed", "operator": "EQ", "value": "true"},
                ]
            }
        ],
        "properties": fields,
        "limit": HUBSPOT_PAGE,
    }
    async for page in reader.pages("POST", "/crm/v3/objects/deals/search", json=search):
        deals = {str(item.get("id")): _properties(item) for item in page}
        companies = await _deal_companies(reader, list(deals))
        keys = await _company_keys(reader, sorted(set(companies.values())), key_field)
        yield [
            (
                deal_id,
                keys.get(companies.get(deal_id, ""), ""),
                props,
            )
            for deal_id, props in deals.items()
        ]


async def _deal_companies(reader: HubSpotReader, deal_ids: list[str]) -> dict[str, str]:
    """Deal id → the id of its (first) associated company."""
    if not deal_ids:
        return {}
    body = await reader.call(
        "POST",
        "/crm/v4/associations/deals/companies/batch/read",
        json={"inputs": [{"id": d} for d in deal_ids]},
    )
    found: dict[str, str] = {}
    for result in body.get("results") or []:
        targets = result.get("to") if isinstance(result, dict) else None
        if targets:
            found[str(result["from"]["id"])] = str(targets[0]["toObjectId"])
    return found


async def _company_keys(
    reader: HubSpotReader, company_ids: list[str], key_field: str
) -> dict[str, str]:
    """Company id → its key property (the account's CRM id in Kizuna)."""
    keys: dict[str, str] = {}
    for start in range(0, len(company_ids), HUBSPOT_PAGE):
        body = await reader.call(
            "POST",
            "/crm/v3/objects/companies/batch/read",
            json={
                "properties": [key_field],
                "inputs": [{"id": c} for c in company_ids[start : start + HUBSPOT_PAGE]],
            },
        )
        for item in body.get("results") or []:
            value = _properties(item).get(key_field)
            if value:
                keys[str(item.get("id"))] = str(value)
    return keys
