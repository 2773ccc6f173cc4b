"""Export file formats, byte for byte, on small inputs."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from crm.files import formats as files
from crm.files.export import zipped_parts
from crm.files.mapping import default_mapping
from crm.source import ScoreRow

ZONE = "Asia/Tokyo"


def row(account_id: int, external_id: str | None = "001A", **fields: Any) -> ScoreRow:
    values: dict[str, Any] = {
        "account_name": f"株式会社{account_id}",
        "score": 72.5,
        "band": "green",
        "trend": "up",
        "community": 80.0,
        "events": 64.25,
        "breadth": 50.0,
        "recency": 100.0,
        "last_activity_at": datetime(
            2026, 11, 20, 16, 30, tzinfo=UTC
        ),  # 01:30 on the 21st in Tokyo
        "updated_at": datetime(2026, 11, 22, 3, 4, 5, 678000, tzinfo=UTC),
    }
    values.update(fields)
    return ScoreRow(account_id=account_id, external_id=external_id, **values)


async def stream(*rows: ScoreRow) -> AsyncIterator[ScoreRow]:
    for item in rows:
        yield item


async def collect(chunks: AsyncIterator[Any]) -> Any:
    return [chunk async for chunk in chunks]


async def test_salesforce_csv_bytes() -> None:
    mapping = default_mapping("salesforce")
    rows = (
        row(1, "0015g00000SAKURA"),
        row(2, 'ID,"quoted"\r\nnext', score=40, band="yellow", trend="same", last_activity_at=None),
        row(3, None),  # no CRM id: not in the file
    )
    parts = await collect(files.salesforce_parts(stream(*rows), mapping, ZONE, 10_000))
    assert {part for part, _ in parts} == {1}
    data = b"".join(chunk for _, chunk in parts)
    assert data == (
        b"Id,Engagement_Score__c,Engagement_Band__c,Engagement_Trend__c,Community_Score__c,"
        b"Event_Score__c,Last_Engagement_Date__c\n"
        b"0015g00000SAKURA,72.5,green,up,80,64.25,2026-11-21\n"
        b'"ID,""quoted""\r\nnext",40,yellow,same,80,64.25,#N/A\n'
    )


async def test_salesforce_datetime_and_formula_like_values_stay_exact() -> None:
    mapping = default_mapping("salesforce")
    mapping = type(mapping)(
        "salesforce", "Kizuna_Id__c", (("band", "Band__c"), ("updated_at", "Updated__c"))
    )
    parts = await collect(
        files.salesforce_parts(stream(row(1, "=HYPERLINK(1)", band="-red")), mapping, ZONE, 10_000)
    )
    assert b"".join(c for _, c in parts) == (
        b"Kizuna_Id__c,Band__c,Updated__c\n=HYPERLINK(1),-red,2026-11-22T03:04:05+00:00\n"
    )


async def test_salesforce_split_into_parts_each_with_header() -> None:
    mapping = default_mapping("salesforce")
    header = files.csv_line(mapping.header).encode()
    line = files.csv_line(files._mapped_values(row(1, "ID000001"), mapping, ZONE, "#N/A")).encode()
    limit = len(header) + 2 * len(line)  # two rows per part
    rows = [row(n, f"ID{n:06d}") for n in range(1, 6)]
    parts = await collect(files.salesforce_parts(stream(*rows), mapping, ZONE, limit))
    by_part: dict[int, bytes] = {}
    for part, chunk in parts:
        by_part[part] = by_part.get(part, b"") + chunk
    assert sorted(by_part) == [1, 2, 3]
    for data in by_part.values():
        assert data.startswith(header)
        assert len(data) <= limit
    ids = [r["Id"] for d in by_part.values() for r in csv.DictReader(io.StringIO(d.decode()))]
    assert ids == [f"ID{n:06d}" for n in range(1, 6)]


async def test_part_limit_smaller_than_one_row_is_refused() -> None:
    mapping = default_mapping("salesforce")
    with pytest.raises(files.PartTooSmall):
        await collect(files.salesforce_parts(stream(row(1)), mapping, ZONE, 50))


async def test_zip_of_parts_holds_every_part() -> None:
    mapping = default_mapping("salesforce")
    rows = [row(n, f"ID{n:06d}") for n in range(1, 6)]
    parts = files.salesforce_parts(stream(*rows), mapping, ZONE, 200)
    data = b"".join(await collect(zipped_parts(parts, "scores")))
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert names[0] == "scores_001.csv" and len(names) >= 2
    ids = [
        r["Id"] for name in names for r in csv.DictReader(io.StringIO(archive.read(name).decode()))
    ]
    assert ids == [f"ID{n:06d}" for n in range(1, 6)]


async def test_hubspot_csv_bytes() -> None:
    mapping = default_mapping("hubspot")
    data = b"".join(
        await collect(
            files.hubspot_csv(
                stream(row(1, "HS-1"), row(2, "HS-2", last_activity_at=None)), mapping, ZONE
            )
        )
    )
    assert data == (
        b"kizuna_account_id,engagement_score,engagement_band,engagement_trend,community_score,"
        b"event_score,last_engagement_date\n"
        b"HS-1,72.5,green,up,80,64.25,2026-11-21\n"
        b"HS-2,72.5,green,up,80,64.25,\n"
    )


async def test_hubspot_batches_hold_at_most_100_inputs() -> None:
    mapping = default_mapping("hubspot")
    rows = [row(n, f"HS-{n}") for n in range(1, 251)] + [row(999, None)]
    batches = await collect(files.hubspot_batches(stream(*rows), mapping, ZONE))
    assert [len(b["inputs"]) for b in batches] == [100, 100, 50]
    first = batches[0]["inputs"][0]
    assert first == {
        "idProperty": "kizuna_account_id",
        "id": "HS-1",
        "properties": {
            "engagement_score": "72.5",
            "engagement_band": "green",
            "engagement_trend": "up",
            "community_score": "80",
            "event_score": "64.25",
            "last_engagement_date": "2026-11-21",
        },
    }
    lines = b"".join(await collect(files.hubspot_json_lines(stream(*rows), mapping, ZONE)))
    assert [len(json.loads(line)["inputs"]) for line in lines.splitlines()] == [100, 100, 50]


async def test_plain_csv_guards_formulas_and_keeps_numbers() -> None:
    rows = (
        row(1, "=cmd|' /C calc'!A0", account_name="@SUM(1+1)"),
        row(2, None, account_name="\tタブ", trend="-"),
    )
    data = b"".join(await collect(files.plain_csv(stream(*rows))))
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == (
        "account_id,account_name,crm_external_id,score,band,trend,community,events,breadth,"
        "recency,last_activity_at,updated_at,human_share,last_human_touch_at,open_tasks"
    )
    assert lines[1] == (
        "1,'@SUM(1+1),'=cmd|' /C calc'!A0,72.5,green,up,80,64.25,50,100,"
        "2026-11-20T16:30:00+00:00,2026-11-22T03:04:05+00:00,,,"
    )
    assert lines[2].startswith("2,'\tタブ,,72.5,green,'-,")
    assert lines[3] == ""


async def test_json_lines_carry_every_field() -> None:
    data = b"".join(await collect(files.json_lines(stream(row(7, None, last_activity_at=None)))))
    assert json.loads(data) == {
        "account_id": 7,
        "account_name": "株式会社7",
        "crm_external_id": None,
        "score": 72.5,
        "band": "green",
        "trend": "up",
        "community": 80,
        "events": 64.25,
        "breadth": 50,
        "recency": 100,
        "last_activity_at": None,
        "updated_at": "2026-11-22T03:04:05+00:00",
        "human_share": None,
        "last_human_touch_at": None,
        "open_tasks": None,
    }
    assert data.endswith(b"\n") and data.count(b"\n") == 1


def test_plain_values_round_trip() -> None:
    original = row(3, "X")
    again = files.row_from_plain(files.plain_values(original))
    assert again.account_id == 3 and again.external_id == "X"
    assert again.last_activity_at == original.last_activity_at
    assert again.updated_at == original.updated_at.replace(microsecond=0)
