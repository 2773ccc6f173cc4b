"""The hybrid mix: minutes of human touch (touches held) and digital touch (content completed)
per account and month, the lifecycle stage and its target, the accounts that lag it or could
move down a tier, CSM capacity — all accounts at once equal to one account at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from accounts.tables import Account
from content.services import complete_item
from core.timeutil import utcnow
from engagement.tables import AccountScore
from success.capacity import csm_loads, set_capacity
from success.mix import Stage, add_months, mixes, stage_of, statuses
from success.schemas import MixSettings
from tests.engagement.ui_helpers import put_score
from tests.factories import make_account
from tests.success.helpers import Cast, content, logged

SETTINGS = MixSettings()
ZONE = "Asia/Tokyo"


def test_the_stage_follows_the_contract_age() -> None:
    today = date(2026, 12, 7)
    assert stage_of(None, today, SETTINGS) == Stage.onboarding
    assert stage_of(date(2026, 10, 1), today, SETTINGS) == Stage.onboarding  # 2 months
    assert stage_of(date(2026, 9, 7), today, SETTINGS) == Stage.adoption  # 3 months
    assert stage_of(date(2026, 3, 8), today, SETTINGS) == Stage.adoption  # 8 months 30 days
    assert stage_of(date(2026, 3, 7), today, SETTINGS) == Stage.self_reliant  # 9 months
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)


async def test_minutes_by_month_and_the_share_of_human_touch(app) -> None:
    cast = await Cast.create()
    now = utcnow()
    item = await content(cast.admin, minutes=90)
    await logged(cast, cast.alice, cast.bob, minutes=60)  # one touch: 60 minutes, not 120
    await logged(cast, cast.alice, minutes=30, outcome="no_show")  # missed: no minutes
    await complete_item(cast.alice, item)
    found = await mixes(ZONE, now, 3, [cast.account.id, cast.other.id])
    # Summed over the window: an hour ago may be last month's last hour.
    window = found[cast.account.id].window(3)
    assert (window.human, window.digital) == (60.0, 90.0)
    assert round(window.human_share or 0) == 40
    assert found[cast.other.id].window(3).human_share is None
    this_month = found[cast.account.id].months[-1]
    assert [m.month for m in found[cast.account.id].months] == [
        add_months(this_month.month, -2),
        add_months(this_month.month, -1),
        this_month.month,
    ]
    # Every account at once gives what one account at a time gives.
    everyone = await mixes(ZONE, now, 3)
    assert everyone[cast.account.id].months == found[cast.account.id].months


async def test_a_month_is_the_vendors_month(app) -> None:
    cast = await Cast.create()
    # 2026-11-30 20:00 UTC is 2026-12-01 05:00 in Tokyo: December's touch.
    when = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    await logged(cast, cast.alice, when=when, minutes=50)
    found = await mixes(ZONE, datetime(2026, 12, 15, tzinfo=UTC), 2, [cast.account.id])
    assert [(m.month, m.human) for m in found[cast.account.id].months] == [
        (date(2026, 11, 1), 0.0),
        (date(2026, 12, 1), 50.0),
    ]


async def test_lagging_ready_and_unreached_accounts(app, run_jobs) -> None:
    cast = await Cast.create(tier="low")
    today = date.today()
    old = add_months(today.replace(day=1), -14)
    lagging, ready, unreached = (
        cast.account,
        cast.other,
        await make_account("遠い会社", touch_tier="high"),
    )
    for account in (lagging, ready):
        await Account.update({Account.contract_start: old}).where(Account.id == account.id)
    await logged(cast, cast.alice, minutes=120)  # self-reliant, still all human: lags
    item = await content(cast.admin, minutes=60)
    await complete_item(cast.olga, item)  # self-reliant, all digital, green: ready
    await run_jobs()  # the recomputes the signals queued, before the score is set
    await AccountScore.delete().where(AccountScore.account == ready.id)
    await put_score(ready, 75.0, "green")
    found = {s.account_id: s for s in await statuses(SETTINGS, ZONE, utcnow())}
    assert found[lagging.id].lags and found[lagging.id].stage == Stage.self_reliant
    assert not found[lagging.id].ready_to_move_down
    assert found[ready.id].ready_to_move_down and not found[ready.id].lags
    assert found[unreached.id].high_touch_unreached and found[unreached.id].share is None
    assert not found[lagging.id].high_touch_unreached  # a low-touch account


async def test_csm_capacity_is_planned_and_actual_hours(app) -> None:
    cast = await Cast.create(tier="high")
    await Account.update({Account.owner: cast.csm.id}).where(Account.id == cast.other.id)  # low
    await logged(cast, cast.alice, minutes=90, when=utcnow() - timedelta(minutes=5))
    await set_capacity(cast.admin, cast.csm.id, 4.0)
    [load] = await csm_loads(SETTINGS, ZONE, utcnow())
    assert load.member_id == cast.csm.id
    assert load.accounts == {"high": 1, "low": 1, "tech": 0}
    assert load.planned == 5.0 and load.actual == 1.5 and load.over and load.load == 125.0
