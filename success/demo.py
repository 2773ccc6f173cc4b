"""The workbench's demo story on a fresh embedded database, told through the services:

- 株式会社さくらテック is onboarding (contract two months old, high touch): a 1:1 meeting
  every week, each ending with homework that its members did;
- 北斗フーズ株式会社 is mature and mostly self-serve: few touches, a lot of content taken in;
- みなと物流株式会社 lags its stage: self-reliant by its contract's age, yet still mostly human
  touch — and its renewal is near while its score is not green;
- 東雲製作所株式会社 is red and silent, its renewal close;
- the demo CSM 佐藤 is near capacity (7 hours a month); playbooks have made open tasks, one
  task was done by logging a touch, and one homework is overdue.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from accounts.tables import Account, Member
from content.tables import ContentItem, ContentProgress
from core.database import transaction
from core.settings import CoreSettings
from core.timeutil import utcnow
from engagement.signals import NewSignal, SignalKind, Subject, SubjectType, record_signals
from success.capacity import current_mix_settings, set_capacity
from success.homework import on_content_completed
from success.jobs import evaluate_playbooks_hourly
from success.mix import add_months
from success.playbooks import save_playbook
from success.schemas import HomeworkIn, PlaybookIn, TaskIn, TouchIn
from success.tables import Playbook, Touch
from success.tasks import create_task
from success.touches import log_touch
from success.triggers import Situation, Trigger

log = logging.getLogger("kizuna.demo")

# name: (contract start in months ago, renewal in days from today)
CONTRACTS = {
    "株式会社さくらテック": (2, 300),
    "みなと物流株式会社": (14, 60),
    "北斗フーズ株式会社": (20, 160),
    "東雲製作所株式会社": (7, 45),
    "あおば会計事務所": (11, 200),
}
PLAYBOOKS = [
    ("スコアが要注意に", Trigger.score_red, None, "high"),
    ("更新日が近いのに良好でない", Trigger.renewal_near, 90, "high"),
    ("宿題が期限切れ", Trigger.homework_overdue, 0, "normal"),
    ("30日間接点なし", Trigger.silent, 30, "normal"),
    ("質問が24時間未回答", Trigger.unanswered_question, 24, "normal"),
    ("ハイブリッド比率が段階に遅れている", Trigger.mix_lags, None, "low"),
]


async def load_success_demo(settings: CoreSettings) -> None:
    """Once: contracts, touches with homework, content taken in, playbooks and their tasks."""
    if await Touch.count() > 0 or await Playbook.count() > 0:
        return
    admin = await Member.objects().where(Member.email == "admin@kizuna.example").first()
    csm = await Member.objects().where(Member.email == "csm@kizuna.example").first()
    if admin is None or csm is None:
        return
    now = utcnow().replace(second=0, microsecond=0)
    today = now.date()
    accounts = {row["name"]: row for row in await Account.select(Account.id, Account.name)}
    for name, (months_ago, renewal_in) in CONTRACTS.items():
        if name in accounts:
            await Account.update(
                {
                    Account.contract_start: add_months(today.replace(day=1), -months_ago),
                    Account.renewal_date: today + timedelta(days=renewal_in),
                }
            ).where(Account.id == accounts[name]["id"])
    items = {
        row["title"]: row
        for row in await ContentItem.select(ContentItem.id, ContentItem.title, ContentItem.minutes)
    }
    people = await _people()
    await _onboarding(csm, accounts, people, items, now)
    await _self_serve(accounts, people, items, now)
    await _lagging(csm, admin, accounts, people, now)
    await set_capacity(admin, csm.id, 7.0)
    situation = Situation(now, settings.default_timezone, await current_mix_settings())
    for title, trigger, threshold, priority in PLAYBOOKS:
        await save_playbook(
            admin,
            None,
            PlaybookIn(
                name=title,
                trigger=trigger.value,
                threshold=threshold,
                priority=priority,
                active=True,
                notify=False,
                due_in_days=3,
                confirm_count=None,
            ),
            situation,
        )
    await evaluate_playbooks_hourly({"settings": settings})
    log.info("success demo: touches, homework, playbooks and tasks")


async def _people() -> dict[str, Member]:
    rows = await Member.objects().where(Member.role == "customer")
    return {row.email: row for row in rows}


def _at(now: datetime, days_ago: int, hour: int = 5) -> datetime:
    """A weekday morning (JST) `days_ago` days back."""
    return (now - timedelta(days=days_ago)).replace(hour=hour, minute=0)


ONBOARDING_PLAN = [
    "初期設定ガイド：最初の30分でやること",
    "CSV インポート準備チェックリスト",
    "動画：請求設定と締め日の変更",
    "ダッシュボード活用：朝会で使える 5 つのビュー",
    "ウェビナー録画：新機能「自動レポート」活用",
    "権限設計ワークシート（大規模導入向け）",
]


async def _onboarding(
    csm: Member,
    accounts: dict[str, Any],
    people: dict[str, Member],
    items: dict[str, Any],
    now: datetime,
) -> None:
    """さくらテック: a weekly 1:1 for eight weeks, each with homework, done before the next."""
    account = accounts.get("株式会社さくらテック")
    members = [people.get(f"{n}@sakura-tech.example") for n in ("yamada", "suzuki")]
    if account is None or None in members:
        return
    ids = [m.id for m in members if m is not None]
    notes = "設定の進み具合を確認し、次の手順を一緒に決めました。"
    for week in range(8, 0, -1):
        when = _at(now, week * 7)
        item = items.get(ONBOARDING_PLAN[(8 - week) % len(ONBOARDING_PLAN)])
        due = (when + timedelta(days=10)).date()
        homework = [HomeworkIn(item_id=item["id"], member_ids=ids, due_on=due)] if item else []
        title = f"オンボーディング定例（第{9 - week}回）"
        meeting = _touch_in(when, 60, title, notes, ids, [csm.id], homework)
        await log_touch(csm, account["id"], meeting, when.date())
        if item and week > 1:  # the last week's homework is still open
            for member in members:
                assert member is not None
                await _complete(member, item, when + timedelta(days=3))


async def _self_serve(
    accounts: dict[str, Any], people: dict[str, Member], items: dict[str, Any], now: datetime
) -> None:
    """北斗フーズ: content taken in month after month, still on the low-touch tier it began
    with: the mix says it is ready for tech touch."""
    account = accounts.get("北斗フーズ株式会社")
    member = people.get("kobayashi@hokuto-foods.example")
    if account is None or member is None:
        return
    await Account.update({Account.touch_tier: "low"}).where(Account.id == account["id"])
    titles = [t for t in items if "権限設計" not in t]
    for index, title in enumerate(titles):
        await _complete(member, items[title], _at(now, 20 + index * 25))


async def _lagging(
    csm: Member, admin: Member, accounts: dict[str, Any], people: dict[str, Member], now: datetime
) -> None:
    """みなと物流: self-reliant by age, still long 1:1 meetings every other week, little
    content; one task done by logging a touch, one homework overdue."""
    account = accounts.get("みなと物流株式会社")
    tanaka = people.get("tanaka@minato-logi.example")
    ito = people.get("ito@minato-logi.example")
    if account is None or tanaka is None or ito is None:
        return
    for weeks in (10, 8, 6, 4, 2):
        when = _at(now, weeks * 7 + 1)
        notes = "出荷ダッシュボードの運用について相談を受けました。"
        meeting = _touch_in(
            when, 90, "運用相談", notes, [tanaka.id, ito.id], [csm.id, admin.id], []
        )
        await log_touch(csm, account["id"], meeting, when.date())
    await _overdue_homework(csm, account["id"], tanaka, now)
    await _task_done_by_a_touch(csm, account["id"], ito, now)


async def _overdue_homework(csm: Member, account_id: int, member: Member, now: datetime) -> None:
    """A call 12 days ago whose homework was due a week ago and is not done."""
    item = (
        await ContentItem.select(ContentItem.id)
        .where(ContentItem.title == "ダッシュボード活用：朝会で使える 5 つのビュー")
        .first()
    )
    if item is None:
        return
    when = _at(now, 12)
    due = (when + timedelta(days=5)).date()
    homework = [HomeworkIn(item_id=item["id"], member_ids=[member.id], due_on=due)]
    notes = "ダッシュボードの記事を読んでもらう約束をしました。"
    call = _touch_in(when, 30, "電話フォロー", notes, [member.id], [csm.id], homework)
    await log_touch(csm, account_id, call, when.date())


async def _task_done_by_a_touch(
    csm: Member, account_id: int, member: Member, now: datetime
) -> None:
    due = now.date() + timedelta(days=2)
    task_id = await create_task(
        csm, account_id, TaskIn(title="更新前の利用状況ヒアリング", due_on=due), now.date()
    )
    when = _at(now, 1)
    notes = "来期の利用人数と課題を確認しました。"
    meeting = _touch_in(
        when,
        45,
        "更新前ヒアリング",
        notes,
        [member.id],
        [csm.id],
        [],
        task_id=task_id,
        task_version=1,
    )
    await log_touch(csm, account_id, meeting, when.date())


def _touch_in(
    when: datetime,
    minutes: int,
    title: str,
    notes: str,
    participants: list[int],
    staff: list[int],
    homework: list[HomeworkIn],
    **extra: Any,
) -> TouchIn:
    return TouchIn(
        kind="meeting_online",
        occurred_at=when,
        duration_minutes=minutes,
        title=title,
        notes=notes,
        next_step="次回までに宿題を確認します。" if homework else "",
        participant_ids=participants,
        staff_ids=staff,
        homework=homework,
        **extra,
    )


async def _complete(member: Member, item: dict[str, Any], when: datetime) -> None:
    """The member took the item in at `when` (as the library records it, backdated)."""
    async with transaction():
        await ContentProgress.insert(
            ContentProgress(
                member=member.id,
                item=item["id"],
                first_viewed_at=when,
                last_viewed_at=when,
                views=1,
                completed_at=when,
            )
        ).on_conflict(target=(ContentProgress.member, ContentProgress.item), action="DO NOTHING")
        await record_signals(
            NewSignal(
                SignalKind.content_viewed,
                member.account,
                member.id,
                Subject(SubjectType.content, item["id"]),
                when,
                detail=f"{member.id}:{when.date().isoformat()}",
            ),
            NewSignal(
                SignalKind.content_completed,
                member.account,
                member.id,
                Subject(SubjectType.content, item["id"]),
                when,
                value=float(item["minutes"]),
                detail=str(member.id),
            ),
        )
        await on_content_completed(member.id, item["id"], when)
