"""Export file formats, written row by row from an async stream of ScoreRows.

Machine files (Salesforce Bulk API 2.0 CSV, HubSpot import CSV and batch JSON) carry values
exactly as the CRM must store them: no spreadsheet formula guard, numbers stay numbers. The
plain CSV is for people with spreadsheets, so its text cells are guarded against formula
injection (core.spreadsheet.guard_cell).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime
from typing import Any

from core.spreadsheet import guard_cell
from crm.files.fields import (
    FIELDS_BY_NAME,
    SCORE_FIELDS,
    crm_json,
    crm_text,
    iso_datetime,
    json_number,
)
from crm.files.mapping import FieldMapping
from crm.source import ScoreRow

SALESFORCE_NULL = "#N/A"
FLUSH_BYTES = 64 * 1024
HUBSPOT_BATCH_SIZE = 100
PLAIN_COLUMNS = ("account_id", "account_name", "crm_external_id", *(f.name for f in SCORE_FIELDS))


class PartTooSmall(ValueError):
    """The part size limit cannot hold even the header and one row."""


def csv_line(values: list[str], line_ending: str = "\n") -> str:
    """One RFC 4180 record: fields with , " CR or LF are quoted, quotes doubled."""
    buffer = io.StringIO()
    # The csv module quotes CR/LF only when they occur in the line terminator, so write with
    # CRLF and swap the ending: CR and LF inside values are then always quoted.
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()[:-2] + line_ending


def _mapped_values(row: ScoreRow, mapping: FieldMapping, zone: str, null: str) -> list[str]:
    values = [row.external_id or ""]
    for field_name, _ in mapping.fields:
        text = crm_text(FIELDS_BY_NAME[field_name], getattr(row, field_name), zone)
        values.append(null if text is None else text)
    return values


async def salesforce_parts(
    rows: AsyncIterable[ScoreRow], mapping: FieldMapping, zone: str, max_bytes: int
) -> AsyncIterator[tuple[int, bytes]]:
    """Bulk API 2.0 upsert CSV as (part number, bytes) chunks; each part starts with the header
    and stays within `max_bytes`. Nulls are #N/A, dates yyyy-MM-dd, date-times ISO 8601."""
    header = csv_line(mapping.header).encode()
    part, part_size, buffer = 1, len(header), bytearray(header)
    async for row in rows:
        if not row.external_id:
            continue
        line = csv_line(_mapped_values(row, mapping, zone, SALESFORCE_NULL)).encode()
        if len(header) + len(line) > max_bytes:
            raise PartTooSmall(f"a part of {max_bytes} bytes cannot hold one row")
        if part_size + len(line) > max_bytes:
            if buffer:
                yield part, bytes(buffer)
            part, part_size, buffer = part + 1, len(header), bytearray(header)
        buffer += line
        part_size += len(line)
        if len(buffer) >= FLUSH_BYTES:
            yield part, bytes(buffer)
            buffer.clear()
    if buffer:
        yield part, bytes(buffer)


async def hubspot_csv(
    rows: AsyncIterable[ScoreRow], mapping: FieldMapping, zone: str
) -> AsyncIterator[bytes]:
    """HubSpot company import: header of property names, dates YYYY-MM-DD, empty for null."""
    buffer = bytearray(csv_line(mapping.header).encode())
    async for row in rows:
        if not row.external_id:
            continue
        buffer += csv_line(_mapped_values(row, mapping, zone, "")).encode()
        if len(buffer) >= FLUSH_BYTES:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


def hubspot_input(row: ScoreRow, mapping: FieldMapping, zone: str) -> dict[str, Any]:
    """One batch-upsert input; property values are strings as HubSpot documents them."""
    properties: dict[str, str] = {}
    for field_name, property_name in mapping.fields:
        text = crm_text(FIELDS_BY_NAME[field_name], getattr(row, field_name), zone)
        properties[property_name] = "" if text is None else text  # "" clears the property
    return {"idProperty": mapping.key_field, "id": row.external_id, "properties": properties}


async def hubspot_batches(
    rows: AsyncIterable[ScoreRow], mapping: FieldMapping, zone: str, size: int = HUBSPOT_BATCH_SIZE
) -> AsyncIterator[dict[str, Any]]:
    """Bodies for POST /crm/v3/objects/companies/batch/upsert, at most `size` inputs each."""
    inputs: list[dict[str, Any]] = []
    async for row in rows:
        if not row.external_id:
            continue
        inputs.append(hubspot_input(row, mapping, zone))
        if len(inputs) == size:
            yield {"inputs": inputs}
            inputs = []
    if inputs:
        yield {"inputs": inputs}


async def hubspot_json_lines(
    rows: AsyncIterable[ScoreRow], mapping: FieldMapping, zone: str
) -> AsyncIterator[bytes]:
    """One batch-upsert body per line (JSON Lines)."""
    async for body in hubspot_batches(rows, mapping, zone):
        yield (json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def plain_values(row: ScoreRow) -> dict[str, Any]:
    """Every score field under its own name: numbers as numbers, times as ISO 8601."""
    values: dict[str, Any] = {
        "account_id": row.account_id,
        "account_name": row.account_name,
        "crm_external_id": row.external_id,
    }
    for field in SCORE_FIELDS:
        value = getattr(row, field.name)
        if value is None:
            values[field.name] = None
        elif field.kind in ("date", "datetime"):
            values[field.name] = iso_datetime(value)
        elif field.kind == "number":
            values[field.name] = json_number(value)
        else:
            values[field.name] = value
    return values


def row_from_plain(values: dict[str, Any]) -> ScoreRow:
    """The ScoreRow that `plain_values` described (a sync item's stored values)."""
    fields: dict[str, Any] = {}
    for field in SCORE_FIELDS:
        value = values.get(field.name)
        if value is not None and field.kind in ("date", "datetime"):
            value = datetime.fromisoformat(value)
        fields[field.name] = value
    return ScoreRow(
        account_id=values["account_id"],
        account_name=values["account_name"],
        external_id=values["crm_external_id"],
        **fields,
    )


async def plain_csv(rows: AsyncIterable[ScoreRow]) -> AsyncIterator[bytes]:
    """All score fields for spreadsheets: UTF-8 with BOM (Excel reads Japanese), CRLF, guarded."""
    buffer = bytearray("\ufeff".encode() + csv_line(list(PLAIN_COLUMNS), "\r\n").encode())
    async for row in rows:
        values = plain_values(row)
        buffer += csv_line([guard_cell(values[c]) for c in PLAIN_COLUMNS], "\r\n").encode()
        if len(buffer) >= FLUSH_BYTES:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


async def json_lines(rows: AsyncIterable[ScoreRow]) -> AsyncIterator[bytes]:
    """All score fields, one JSON object per line."""
    buffer = bytearray()
    async for row in rows:
        buffer += (json.dumps(plain_values(row), ensure_ascii=False) + "\n").encode()
        if len(buffer) >= FLUSH_BYTES:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


def crm_json_values(row: ScoreRow, mapping: FieldMapping, zone: str) -> dict[str, Any]:
    """The mapped fields of `row` keyed by CRM field name, JSON-ready (numbers stay numbers)."""
    return {
        name: crm_json(FIELDS_BY_NAME[field_name], getattr(row, field_name), zone)
        for field_name, name in mapping.fields
    }
