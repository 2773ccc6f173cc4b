"""The attendance API for staff: import a report (multipart), list an event's imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.openapi import ResponseSpec
from litestar.params import Body
from pydantic import BaseModel

from core.errors import DomainError
from core.guards import requires_staff
from core.i18n import N_
from core.ids import PathId
from core.problems import SIGNED_IN, WRITE, problem_responses
from events.attendance import imports as importer
from events.rules import get_event
from events.settings import EventsSettings

# The upload routes accept bodies up to this size; ATTENDANCE_MAX_BYTES (at most this) is
# the report limit the import enforces with its own message.
UPLOAD_CEILING = 64 * 1024 * 1024


class AttendanceImportOut(BaseModel):
    """What an attendance import did (`already_imported`: this file was applied before)."""

    id: int
    event_id: int
    filename: str
    report_format: str
    rows: int
    matched: int
    attended: int
    walk_ins: int
    unmatched: list[str]
    rows_without_email: int
    staff_skipped: int
    too_short_unregistered: int
    already_imported: bool
    imported_at: datetime


class ImportHistoryOut(BaseModel):
    """One stored import of an event."""

    id: int
    filename: str
    report_format: str
    rows: int
    matched: int
    attended: int
    unmatched: list[str]
    imported_at: datetime
    imported_by_name: str | None


@dataclass
class AttendanceUpload:
    file: UploadFile
    accept_mismatch: bool = False  # import a report whose meeting date or Zoom ID differs


def import_out(result: importer.ImportResult) -> AttendanceImportOut:
    return AttendanceImportOut(
        id=result.import_id,
        event_id=result.event_id,
        filename=result.filename,
        report_format=result.report_format,
        rows=result.rows,
        matched=result.matched,
        attended=result.attended,
        walk_ins=result.walk_ins,
        unmatched=result.unmatched,
        rows_without_email=result.rows_without_email,
        staff_skipped=result.staff_skipped,
        too_short_unregistered=result.too_short_unregistered,
        already_imported=result.already_imported,
        imported_at=result.imported_at,
    )


async def read_upload(upload: Any) -> tuple[str, bytes]:
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise DomainError(
            N_("Choose the attendance report file to upload."),
            field_errors={"file": N_("Choose the attendance report file to upload.")},
        )
    try:
        return upload.filename, await upload.read()
    finally:
        await upload.close()


class AttendanceApiController(Controller):
    """Attendance imports as JSON, for staff."""

    path = "/api/v1/events"
    guards = [requires_staff]
    tags = ["events"]

    @post(
        "/{event_id:int}/attendance",
        request_max_body_size=UPLOAD_CEILING,
        responses={
            **problem_responses(*WRITE, 404, 409),
            200: ResponseSpec(AttendanceImportOut, description="This file was imported before."),
        },
    )
    async def import_report(
        self,
        request: Request[Any, Any, Any],
        event_id: PathId,
        settings: NamedDependency[EventsSettings],
        data: Annotated[AttendanceUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[AttendanceImportOut]:
        """Import a Zoom or Teams attendance report (multipart field `file`). 201 when
        applied; 200 with `already_imported` when this file was imported before."""
        filename, content = await read_upload(data.file)
        result = await importer.import_attendance(
            request.user,
            event_id,
            filename,
            content,
            settings.attendance_max_bytes,
            accept_mismatch=data.accept_mismatch,
        )
        return Response(import_out(result), status_code=200 if result.already_imported else 201)

    @get("/{event_id:int}/attendance", responses=problem_responses(400, *SIGNED_IN, 404))
    async def imports(self, event_id: PathId) -> list[ImportHistoryOut]:
        """The event's attendance imports, newest first."""
        await get_event(event_id)
        fields = ImportHistoryOut.model_fields
        return [
            ImportHistoryOut(**{key: row[key] for key in fields})
            for row in await importer.import_history(event_id)
        ]
