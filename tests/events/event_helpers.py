"""Events made through the real services, for the events core tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from accounts.tables import Account, Member
from events.rows import EventRow
from events.schemas import EventIn
from events.services import create_event
from events.tables import Event, Registration
from tests.factories import make_account, make_member

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(delta: timedelta) -> datetime:
    """A naive wall-clock time in Tokyo, `delta` from now (to the minute), as a form sends."""
    moment = datetime.now(TOKYO).replace(tzinfo=None, second=0, microsecond=0)
    return moment + delta


def event_input(**fields: Any) -> EventIn:
    starts_in = fields.pop("starts_in", timedelta(days=7))
    minutes = fields.pop("minutes", 120)
    values: dict[str, Any] = {
        "kind": "mokumoku",
        "title": "もくもく会",
        "timezone": "Asia/Tokyo",
        "starts_at": tokyo(starts_in),
        "ends_at": tokyo(starts_in + timedelta(minutes=minutes)),
        "venue": "東京オフィス 会議室A",
        "address": "東京都千代田区丸の内1-1-1",
        "capacity": 2,
    }
    values.update(fields)
    return EventIn(**values)


async def new_event(actor: Member, publish: bool = True, **fields: Any) -> int:
    return await create_event(actor, event_input(**fields), publish)


async def event_row(event_id: int) -> dict[str, Any]:
    row = await Event.select().where(Event.id == event_id).first()
    assert row is not None
    return row


async def registrations(event_id: int) -> list[dict[str, Any]]:
    return await (
        Registration.select().where(Registration.event == event_id).order_by(Registration.id)
    )


async def statuses(event_id: int) -> dict[int, str]:
    """{member id: status} of the active registrations."""
    return {
        row["member"]: row["status"]
        for row in await registrations(event_id)
        if row["status"] != "cancelled"
    }


@dataclass
class Cast:
    account: Account
    other_account: Account
    csm: Member
    alice: Member
    bob: Member
    carol: Member
    dave: Member
    outsider: Member

    @classmethod
    async def create(cls) -> Cast:
        account = await make_account("株式会社さくら", touch_tier="low")
        other = await make_account("株式会社みなと", touch_tier="high")
        return cls(
            account=account,
            other_account=other,
            csm=await make_member(None, role="csm", email="csm@vendor.example", name="佐藤 CSM"),
            alice=await make_member(account, email="alice@sakura.example", name="有栖 花子"),
            bob=await make_member(account, email="bob@sakura.example", name="坊 太郎"),
            carol=await make_member(account, email="carol@sakura.example", name="キャロル"),
            dave=await make_member(account, email="dave@sakura.example", name="Dave", locale="en"),
            outsider=await make_member(other, email="olga@minato.example", name="小川 オルガ"),
        )


def calendars(message: Message) -> list[Any]:
    """The .ics attachments of an email, parsed."""
    found = []
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found.append(icalendar.Calendar.from_ical(payload))
    return found


def subject(message: Message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(str(message["Subject"]))))


def subjects(mailbox: Any, address: str) -> list[str]:
    return [subject(m) for m in mailbox.to(address)]


def unsaved_event(**fields: Any) -> EventRow:
    """An event row that was never stored (for rules that read only the row), with `fields`."""
    start = datetime(2026, 12, 1, 5, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": 1,
        "kind": "webinar",
        "title": "製品活用ウェビナー",
        "description": "",
        "description_html": "",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "timezone": "Asia/Tokyo",
        "online": True,
        "join_url": "https://meet.example/abc",
        "venue": "",
        "address": "",
        "capacity": None,
        "allocation": "first_come",
        "registration_opens_at": None,
        "registration_closes_at": None,
        "cancellation_deadline": None,
        "draw_at": None,
        "drawn_at": None,
        "draw_seed": "",
        "status": "published",
        "audience": "all",
        "audience_tiers": "",
        "attendance_threshold_minutes": None,
        "series": None,
        "series_index": None,
        "series_detached": False,
        "reminded_24h_at": None,
        "reminded_1h_at": None,
        "no_shows_marked_at": None,
        "calendar_sequence": 0,
        "created_by": None,
        "created_at": start,
        "updated_at": start,
    }
    return EventRow(**{**values, **fields})
