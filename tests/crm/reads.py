"""The read side of the stand-in CRMs, which pulls use: Salesforce's REST query API (SOQL,
paged by nextRecordsUrl, INVALID_FIELD for an unknown column) and HubSpot's companies list,
owners, deal search, associations and batch read (paged by `after`; a property HubSpot does
not know left out of the answer, a known one without a value null)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.crm.loopback import Received, _json

SF_VERSION = "v62.0"
SF_QUERY = f"/services/data/{SF_VERSION}/query"
_SOQL = re.compile(
    r"^SELECT (?P<fields>[\w., ]+) FROM (?P<object>\w+)"
    r"(?: WHERE IsClosed = true AND Type = '(?P<type>(?:[^'\\]|\\.)*)')?$"
)


@dataclass
class SalesforceQueries:
    """Records per sObject (each a dict of field → value, relationships as nested dicts), the
    fields each sObject has, and the page size (Salesforce: 2,000)."""

    sobjects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sobject_fields: dict[str, set[str]] = field(default_factory=dict)
    query_page: int = 2000
    locators: dict[str, str] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)

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


@dataclass
class HubSpotReads:
    """Companies and deals as {"id", "properties"}, the properties HubSpot knows per object,
    owners, deal → company associations, the page size."""

    companies: list[dict[str, Any]] = field(default_factory=list)
    deals: list[dict[str, Any]] = field(default_factory=list)
    known: dict[str, set[str]] = field(default_factory=dict)
    owners: list[dict[str, str]] = field(default_factory=list)
    deal_companies: dict[str, str] = field(default_factory=dict)
    page_size: int = 100

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
