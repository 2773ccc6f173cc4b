"""Shared steps of the workbench tests: a cast (an account with two members, another
account's member, a CSM, an admin), content, and a touch as a CSM logs it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from accounts.tables import Account, Member
from content.schemas import ContentIn
from content.services import save_item
from core.timeutil import utcnow
from success.schemas import HomeworkIn, TouchIn
from success.touches import log_touch
from tests.factories import make_account, make_member


@dataclass
class Cast:
    account: Account
    other: Account
    alice: Member
    bob: Member
    olga: Member  # the other account's
    csm: Member
    admin: Member

    @classmethod
    async def create(cls, tier: str = "high") -> Cast:
        csm = await make_member(None, role="csm", email="csm@vendor.example", name="佐藤 CSM")
        account = await make_account("株式会社さくら", touch_tier=tier, owner_id=csm.id)
        other = await make_account("株式会社みなと", touch_tier="low")
        return cls(
            account=account,
            other=other,
            alice=await make_member(account, email="alice@sakura.example", name="有栖 花子"),
            bob=await make_member(account, email="bob@sakura.example", name="坊 太郎"),
            olga=await make_member(other, email="olga@minato.example", name="小川 オルガ"),
            csm=csm,
            admin=await make_member(
                None, role="admin", email="admin@vendor.example", name="管理者"
            ),
        )


async def content(
    admin: Member, title: str = "初期設定ガイド", minutes: int = 20, **fields: Any
) -> int:
    return await save_item(
        admin, None, ContentIn(title=title, body="本文", minutes=minutes, published=True, **fields)
    )


def touch_in(
    participants: list[int],
    *,
    when: datetime | None = None,
    minutes: int = 60,
    homework: list[HomeworkIn] | None = None,
    **fields: Any,
) -> TouchIn:
    return TouchIn(
        occurred_at=when or utcnow() - timedelta(hours=1),
        duration_minutes=minutes,
        title=fields.pop("title", "定例"),
        notes=fields.pop("notes", "進捗を確認しました。"),
        participant_ids=participants,
        homework=homework or [],
        **fields,
    )


async def logged(cast: Cast, *participants: Member, **fields: Any) -> int:
    return await log_touch(
        cast.csm, cast.account.id, touch_in([p.id for p in participants], **fields), date.today()
    )
