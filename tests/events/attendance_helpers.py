"""Events, registrations and people for the attendance tests, inserted directly (Piccolo).

The people match the sample reports in tests/events/reports/: alice, anna and carol at
account A (a.example), bob at account B, a CSM who hosts, and gone@a.example, deactivated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from accounts.tables import Account, Member
from core.timeutil import utcnow
from events.registration.codes import new_checkin_code
from events.rows import EventRow
from events.tables import Event, Registration
from tests.factories import make_account, make_member

REPORTS = Path(__file__).parent / "reports"


def report(name: str) -> bytes:
    return (REPORTS / name).read_bytes()


async def make_event(
    kind: str = "webinar",
    *,
    starts_in: timedelta = timedelta(hours=-3),
    minutes: int = 60,
    status: str = "published",
    title: str | None = None,
    starts_at: datetime | None = None,
    **fields: Any,
) -> EventRow:
    """An event starting `starts_in` from now (negative: in the past), or at `starts_at`."""
    starts = starts_at or utcnow() + starts_in
    event = Event(
        kind=kind,
        title=title or ("製品活用ウェビナー" if kind == "webinar" else "もくもく会"),
        starts_at=starts,
        ends_at=starts + timedelta(minutes=minutes),
        status=status,
        **fields,
    )
    await event.save()
    row = await Event.select().where(Event.id == event.id).first()
    assert row is not None
    return EventRow.of(row)


async def register(
    event: EventRow,
    member: Member,
    status: str = "confirmed",
    code: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A registration of `member` (with a check-in code when confirmed), as a row dict."""
    registration = Registration(
        event=event.id,
        member=member.id,
        account=member.account,
        status=status,
        checkin_code=code
        if code is not None
        else (new_checkin_code() if status == "confirmed" else ""),
        confirmed_at=utcnow() if status == "confirmed" else None,
        **fields,
    )
    await registration.save()
    row = await Registration.select().where(Registration.id == registration.id).first()
    assert row is not None
    return row


async def registration(registration_id: int) -> dict[str, Any]:
    row = await Registration.select().where(Registration.id == registration_id).first()
    assert row is not None
    return row


async def registration_of(event: EventRow, member: Member) -> dict[str, Any] | None:
    return (
        await Registration.select()
        .where((Registration.event == event.id) & (Registration.member == member.id))
        .first()
    )


@dataclass
class People:
    account_a: Account
    account_b: Account
    alice: Member
    anna: Member
    carol: Member
    bob: Member
    csm: Member
    gone: Member

    @classmethod
    async def create(cls) -> People:
        account_a = await make_account("株式会社エー", domains="a.example")
        account_b = await make_account("株式会社ビー", domains="b.example")
        gone = await make_member(account_a, email="gone@a.example", name="退会済み 一郎")
        await Member.update({Member.active: False}).where(Member.id == gone.id)
        return cls(
            account_a=account_a,
            account_b=account_b,
            alice=await make_member(account_a, email="alice@a.example", name="有栖 花子"),
            anna=await make_member(account_a, email="anna@a.example", name="安奈 由美"),
            carol=await make_member(account_a, email="carol@a.example", name="キャロル 髙橋"),
            bob=await make_member(account_b, email="bob@b.example", name="坊 太郎"),
            csm=await make_member(None, role="csm", email="csm@vendor.example", name="佐藤 CSM"),
            gone=gone,
        )
