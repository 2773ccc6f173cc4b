"""Export runs: pick the rows and the writer for a format, stream it to a download or files."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import DomainError
from core.i18n import N_
from crm.files import formats as files
from crm.files.mapping import FieldMapping, load_mapping
from crm.settings import CrmSettings
from crm.source import ScoreRow, count_score_rows, iter_score_rows

FORMATS: dict[str, str] = {
    "salesforce": N_("Salesforce (Bulk API 2.0 upsert CSV)"),
    "hubspot": N_("HubSpot (company import CSV, dates YYYY-MM-DD)"),
    "hubspot-json": N_("HubSpot (batch upsert JSON, 100 per line)"),
    "csv": N_("CSV of all score fields (for spreadsheets)"),
    "jsonl": N_("JSON Lines of all score fields"),
}
MEDIA_TYPES = {
    "salesforce": "text/csv",
    "hubspot": "text/csv",
    "hubspot-json": "application/x-ndjson",
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
}
EXTENSIONS = {"salesforce": "csv", "hubspot": "csv", "hubspot-json": "jsonl", "csv": "csv"}
# Upper bound of one Salesforce CSV line: the id (quoted, doubled quotes) and per field at most a
# 25-character ISO date-time or a short text, quoted.
_ID_LINE_BYTES = 2 * 100 + 3
_FIELD_LINE_BYTES = 64


class UnknownFormat(DomainError):
    default_message = N_("Unknown export format “%(format)s”. Choose one of: %(choices)s.")


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise UnknownFormat(format=name, choices=", ".join(FORMATS))
    return name


def crm_of(name: str) -> str | None:
    return {"salesforce": "salesforce", "hubspot": "hubspot", "hubspot-json": "hubspot"}.get(name)


@dataclass
class Export:
    """A format ready to stream: its mapping (CRM formats) and how many rows it will read."""

    format: str
    mapping: FieldMapping | None
    total: int
    zone: str

    def rows(self) -> AsyncIterator[ScoreRow]:
        return iter_score_rows(with_external_id=True if self.mapping is not None else None)

    def chunks(self) -> AsyncIterator[bytes]:
        """The whole export as one stream (Salesforce: one part, see `parts`)."""
        if self.format == "hubspot":
            assert self.mapping is not None
            return files.hubspot_csv(self.rows(), self.mapping, self.zone)
        if self.format == "hubspot-json":
            assert self.mapping is not None
            return files.hubspot_json_lines(self.rows(), self.mapping, self.zone)
        if self.format == "csv":
            return files.plain_csv(self.rows())
        return files.json_lines(self.rows())

    def parts(self, max_bytes: int) -> AsyncIterator[tuple[int, bytes]]:
        assert self.mapping is not None
        return files.salesforce_parts(self.rows(), self.mapping, self.zone, max_bytes)

    def fits_one_part(self, max_bytes: int) -> bool:
        """Provably one Salesforce part: every line is below a bound, so count × bound suffices."""
        assert self.mapping is not None
        line = _ID_LINE_BYTES + _FIELD_LINE_BYTES * len(self.mapping.fields)
        header = sum(len(n) + 3 for n in self.mapping.header)
        return header + self.total * line <= max_bytes


async def prepare_export(name: str, settings: CrmSettings) -> Export:
    """Validate the format and count its rows (for the progress bar and the part plan)."""
    check_format(name)
    crm = crm_of(name)
    mapping = await load_mapping(crm) if crm else None
    total = await count_score_rows(with_external_id=True if mapping is not None else None)
    return Export(name, mapping, total, settings.default_timezone)


def part_name(stem: str, part: int, extension: str = "csv") -> str:
    return f"{stem}_{part:03d}.{extension}"


class _Sink(io.RawIOBase):
    """A write-only stream zipfile writes to; what it wrote is taken after every entry write."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


async def zipped_parts(parts: AsyncIterator[tuple[int, bytes]], stem: str) -> AsyncIterator[bytes]:
    """The Salesforce parts as one streamed ZIP (entries stem_001.csv, stem_002.csv, …)."""
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED)
    entry: Any = None
    current = 0
    async for part, chunk in parts:
        if part != current:
            if entry is not None:
                entry.close()
            entry = archive.open(part_name(stem, part), "w")
            current = part
        entry.write(chunk)
        if data := sink.take():
            yield data
    if entry is not None:
        entry.close()
    archive.close()
    yield sink.take()


async def write_export_files(
    export: Export,
    out: Path,
    max_bytes: int,
    on_rows: Callable[[int], None] | None = None,
) -> list[Path]:
    """Write the export to `out` (Salesforce parts beyond one: out_001.csv, out_002.csv, …)."""
    written: list[Path] = []
    if export.format != "salesforce":
        with out.open("wb") as whole:
            async for chunk in export.chunks():
                whole.write(chunk)
                if on_rows is not None:
                    on_rows(_lines(chunk))
        return [out]
    handle: Any = None
    try:
        async for part, chunk in export.parts(max_bytes):
            if len(written) < part:
                if handle is not None:
                    handle.close()
                written.append(
                    out.with_name(part_name(out.stem, part, out.suffix.lstrip(".") or "csv"))
                )
                handle = written[-1].open("wb")
            handle.write(chunk)
            if on_rows is not None:
                on_rows(_lines(chunk))
    finally:
        if handle is not None:
            handle.close()
    if len(written) == 1:
        written[0].replace(out)
        return [out]
    return written


def _lines(chunk: bytes) -> int:
    return chunk.count(b"\n")
