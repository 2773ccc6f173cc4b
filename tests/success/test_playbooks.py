"""Playbooks: each trigger finds the accounts that meet it; a task once per crossing, none
while it keeps meeting it, "cause gone" when it stops, a new one on the next crossing; a
trigger that would fire on most accounts asks to be confirmed with its count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accounts.tables import Account
from community.tables import Topic
from core.timeutil import utcnow
from engagement.tables import AccountScore, Signal
from success.playbooks import TooBroad, evaluate_playbooks, save_playbook
from success.schemas import HomeworkIn, MixSettings, PlaybookIn
from success.tables import Homework, Task
from success.triggers import Situation, find_matches
from tests.community.helpers import make_category, make_topic
from tests.engagement.ui_helpers import put_score
from tests.factories import make_account
from tests.success.helpers import Cast, content, logged
from tests.support import signed_in


def now_situation() -> Situation:
    return Situation(utcnow(), "Asia/Tokyo", MixSettings())


async def _playbook(cast: Cast, trigger: str, threshold: int | None = None, **fields) -> int:
    return await save_playbook(
        cast.admin,
        None,
        PlaybookIn(name=trigger, trigger=trigger, threshold=threshold, active=True, **fields),
        now_situation(),
    )


async def test_a_task_once_per_crossing(app, run_jobs, mailbox) -> None:
    cast = await Cast.create()
    for _ in range(3):  # enough accounts that one red account is not "most of them"
        await make_account()
    await put_score(cast.account, 22.0, "red")
    playbook = await _playbook(cast, "score_red", notify=True)

    first = await evaluate_playbooks(now_situation())
    assert (first.created, first.current) == (1, 1)
    [task] = await Task.select()
    assert (
        task["assignee"] == cast.csm.id and task["reason_params"] and task["playbook"] == playbook
    )
    await run_jobs()
    assert len(mailbox.to(cast.csm.email)) == 1

    again = await evaluate_playbooks(now_situation())
    assert again.created == 0 and await Task.count() == 1
    await Task.update({Task.status: "done"}).where(Task.id == task["id"])
    assert (await evaluate_playbooks(now_situation())).created == 0  # still red: no new task

    await AccountScore.update({AccountScore.band: "yellow"}).where(
        AccountScore.account == cast.account.id
    )
    gone = await evaluate_playbooks(now_situation())
    assert gone.gone == 1
    await AccountScore.update({AccountScore.band: "red"}).where(
        AccountScore.account == cast.account.id
    )
    back = await evaluate_playbooks(now_situation())
    assert back.created == 1 and await Task.count() == 2


async def test_an_open_task_says_its_cause_went_and_is_current_again_on_return(app) -> None:
    cast = await Cast.create()
    for _ in range(3):
        await make_account()
    await put_score(cast.account, 22.0, "red")
    await _playbook(cast, "score_red")
    await evaluate_playbooks(now_situation())
    await AccountScore.update({AccountScore.band: "yellow"}).where(
        AccountScore.account == cast.account.id
    )
    await evaluate_playbooks(now_situation())
    [task] = await Task.select()
    assert task["cause_gone_at"] is not None and task["version"] == 2
    await AccountScore.update({AccountScore.band: "red"}).where(
        AccountScore.account == cast.account.id
    )
    await evaluate_playbooks(now_situation())
    [task] = await Task.select()  # no duplicate open task for the same reason and account
    assert task["cause_gone_at"] is None


async def test_a_trigger_matching_most_accounts_asks_for_its_count(app) -> None:
    cast = await Cast.create()
    with pytest.raises(TooBroad) as broad:  # every account is silent: 2 of 2
        await _playbook(cast, "silent", 0)
    count = broad.value.params["count"]
    assert count == 2 and "2 社" in broad.value.translated()
    await _playbook(cast, "silent", 0, confirm_count=count)
    result = await evaluate_playbooks(now_situation())
    assert result.created == 2


async def test_each_trigger_finds_its_accounts(app, run_jobs) -> None:
    cast = await Cast.create()
    situation = now_situation()
    today = date.today()
    quiet = await make_account("静かな会社")
    await Account.update({Account.created_at: utcnow() - timedelta(days=90)}).where(
        Account.id == quiet.id
    )
    await Account.update({Account.renewal_date: today + timedelta(days=20)}).where(
        Account.id == cast.account.id
    )
    item = await content(cast.admin)
    await logged(cast, cast.alice, homework=[HomeworkIn(item_id=item, due_on=today)])
    await Homework.update({Homework.due_on: today - timedelta(days=3)}, force=True)
    category = await make_category("質問")
    topic_id = await make_topic(cast.bob, category, "教えてください", "困っています")
    await Topic.update({Topic.created_at: utcnow() - timedelta(hours=30)}).where(
        Topic.id == topic_id
    )
    for days in (10, 5):
        await Signal.insert(
            Signal(
                account=cast.account.id,
                member=cast.alice.id,
                kind="event_no_show",
                occurred_at=utcnow() - timedelta(days=days),
                source="events",
                dedupe_key=f"no_show:test:{days}",
            )
        )
    # The signals above queue score recomputes: let them run, then set the scores to test.
    await run_jobs()
    await AccountScore.delete(force=True)
    await put_score(cast.account, 60.0, "yellow", baseline_score=80.0, last_activity_at=utcnow())
    await put_score(quiet, 45.0, "yellow", last_activity_at=utcnow() - timedelta(days=40))

    assert set(await find_matches("score_drop", 15, situation)) == {cast.account.id}
    assert set(await find_matches("score_drop", 25, situation)) == set()
    assert set(await find_matches("silent", 30, situation)) == {quiet.id}
    assert set(await find_matches("renewal_near", 30, situation)) == {cast.account.id}
    assert set(await find_matches("renewal_near", 10, situation)) == set()
    overdue = await find_matches("homework_overdue", 0, situation)
    assert overdue == {
        cast.account.id: {"count": 1, "since": (today - timedelta(days=3)).isoformat()}
    }
    assert set(await find_matches("homework_overdue", 5, situation)) == set()
    unanswered = await find_matches("unanswered_question", 24, situation)
    assert unanswered[cast.account.id]["count"] == 1 and unanswered[cast.account.id]["hours"] >= 29
    assert set(await find_matches("unanswered_question", 48, situation)) == set()
    assert await find_matches("no_show_twice", 0, situation) == {cast.account.id: {"members": 1}}
    await Account.update({Account.active: False}).where(Account.id == quiet.id)
    assert set(await find_matches("silent", 30, situation)) == set()  # inactive: never


async def test_a_task_says_why_in_the_viewers_language(app, client) -> None:
    cast = await Cast.create()
    for _ in range(3):
        await make_account()
    await put_score(cast.account, 22.5, "red")
    await _playbook(cast, "score_red")
    await evaluate_playbooks(now_situation())
    [task] = await Task.select()
    await signed_in(client, cast.csm)
    page = await client.get(f"/staff/tasks/{task['id']}")
    assert "エンゲージメントスコアが要注意です（22.5）" in page.text
    await client.post_form("/locale", {"locale": "en", "next": "/"})
    page = await client.get(f"/staff/tasks/{task['id']}")
    assert "The engagement score is red (22.5)." in page.text


async def test_the_playbook_form_shows_the_count_and_takes_the_confirmation(app, client) -> None:
    cast = await Cast.create()
    await signed_in(client, cast.admin)
    form = {
        "name": "全社",
        "trigger": "silent",
        "threshold": "0",
        "due_in_days": "3",
        "priority": "normal",
        "active": "1",
    }
    refused = await client.post_form("/staff/playbooks/new", form)
    assert refused.status_code == 409 and "2 社が当てはまり" in refused.text
    confirmed = await client.post_form("/staff/playbooks/new", {**form, "confirm_count": "2"})
    assert confirmed.status_code == 303
    wrong = await client.post_form("/staff/playbooks/new", {**form, "trigger": "nonsense"})
    assert wrong.status_code == 400
