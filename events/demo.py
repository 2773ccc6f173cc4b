"""Demo events for a fresh embedded database: a webinar and a weekly mokumoku-kai series.

Everything goes through the real services (allocation, emails to the outbox, signals), with
times set from today in Asia/Tokyo.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.tables import Member
from events.registration.allocation import register
from events.schemas import EventIn, SeriesIn
from events.series import create_series, series_events
from events.services import create_event

ZONE = "Asia/Tokyo"

WEBINAR_TEXT = """新機能「自動レポート」の使い方を、画面を共有しながらご紹介します。

- レポートの作成と共有
- 定期配信の設定
- よくあるご質問

終了後に録画をお送りします。"""

MOKUMOKU_TEXT = """CSMがその場にいるので、設定で詰まったらすぐに聞けます。
ノートPCをお持ちください。**初めての方も歓迎です。**"""


def _day(days: int, hour: int) -> datetime:
    """A wall-clock time in Tokyo, `days` from today (naive: the form's way)."""
    today = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=days)
    return datetime(today.year, today.month, today.day, hour, 0)


async def load_events_demo() -> None:
    members = {m.email: m for m in await Member.objects()}
    csm = members.get("csm@kizuna.example")
    if csm is None:
        return
    webinar_id = await create_event(
        csm,
        EventIn(
            kind="webinar",
            title="新機能「自動レポート」活用ウェビナー",
            description=WEBINAR_TEXT,
            timezone=ZONE,
            starts_at=_day(7, 15),
            ends_at=_day(7, 16),
            join_url="https://zoom.example/j/1234567890",
            capacity=100,
            hosts=[csm.id],
        ),
        publish=True,
    )
    series_id = await create_series(
        csm,
        SeriesIn(
            kind="mokumoku",
            title="もくもく会（初期設定サポート）",
            description=MOKUMOKU_TEXT,
            timezone=ZONE,
            starts_at=_day(3, 19),
            ends_at=_day(3, 21),
            venue="Kizuna 東京オフィス 会議室A",
            address="東京都千代田区丸の内1-1-1",
            capacity=4,
            hosts=[csm.id],
            repeat="weekly",
            occurrences=4,
        ),
        publish=True,
    )
    first = (await series_events(series_id))[0].id
    for email, event_id in (
        ("yamada@sakura-tech.example", webinar_id),
        ("tanaka@minato-logi.example", webinar_id),
        ("suzuki@sakura-tech.example", first),
        ("ito@minato-logi.example", first),
        ("kobayashi@hokuto-foods.example", first),
    ):
        member = members.get(email)
        if member is not None:
            await register(member, event_id)
