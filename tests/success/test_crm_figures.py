"""The CRM exports the workbench's figures beside the score: the human share of touch over
the last 30 days, the last 1:1 touch, the open tasks — in the pull API and in a mapped file."""

from __future__ import annotations

from datetime import date, timedelta

from accounts.tables import Account
from content.services import complete_item
from core.timeutil import utcnow
from crm.pull.tokens import create_token
from engagement.tables import AccountScore
from success.schemas import TaskIn
from success.tasks import create_task
from tests.engagement.ui_helpers import put_score
from tests.success.helpers import Cast, content, logged
from tests.support import signed_in


async def test_the_export_carries_the_mix_fields(app, client, other_client, run_jobs) -> None:
    cast = await Cast.create()
    await Account.update({Account.crm_external_id: "001SAKURA"}).where(
        Account.id == cast.account.id
    )
    touched = utcnow() - timedelta(days=2)
    await logged(cast, cast.alice, minutes=60, when=touched)
    await logged(cast, cast.bob, minutes=30, when=utcnow() - timedelta(days=40))  # outside 30 days
    await complete_item(cast.alice, await content(cast.admin, minutes=20))
    await create_task(
        cast.csm, cast.account.id, TaskIn(title="電話", due_on=date.today()), date.today()
    )
    await run_jobs()  # the recomputes the signals queued
    await AccountScore.delete(force=True)
    for account in (cast.account, cast.other):
        await put_score(account, 50.0, "yellow")
    # Updated before the pull API's settle window (a late commit is never skipped).
    await AccountScore.update(
        {AccountScore.updated_at: utcnow() - timedelta(minutes=5)}, force=True
    )
    token = await create_token("BI", ["scores:read"], 30, cast.admin)
    other_client.raw.headers["Authorization"] = f"Bearer {token.secret}"
    page = await other_client.raw.get("/api/v1/scores")
    items = {item["account_id"]: item for item in page.json()["items"]}
    mine = items[cast.account.id]
    assert mine["human_share"] == 75.0  # 60 human : 20 digital minutes in 30 days
    assert mine["open_tasks"] == 1
    assert mine["last_human_touch_at"].startswith(touched.date().isoformat())
    assert items[cast.other.id]["human_share"] is None and items[cast.other.id]["open_tasks"] == 0

    await signed_in(client, cast.admin)
    mapping = {
        "key_field": "Id",
        "include_score": "1",
        "field_score": "Engagement_Score__c",
        "include_human_share": "1",
        "field_human_share": "Human_Share__c",
        "include_open_tasks": "1",
        "field_open_tasks": "Open_Tasks__c",
    }
    assert (await client.post_form("/staff/crm/mapping/salesforce", mapping)).status_code == 303
    export = await client.get("/staff/crm/export", params={"format": "salesforce"})
    assert (
        export.content
        == b"Id,Engagement_Score__c,Human_Share__c,Open_Tasks__c\n001SAKURA,50,75,1\n"
    )
