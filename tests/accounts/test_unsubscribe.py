"""Issue 12: one-click unsubscribe (RFC 8058) on notification and re-engagement emails."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

from accounts.tables import Member
from accounts.unsubscribe import unsubscribe_url
from engagement.recompute import recompute_scores
from engagement.reengagement import send_reengagement_emails
from engagement.schemas import ScoringSettings
from tests.community.helpers import World, make_reply, make_topic
from tests.engagement.helpers import AS_OF, add_signal, days_ago
from tests.factories import make_account, make_member
from tests.support import Mailbox


def unsubscribe_path(message) -> str:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(parsed["List-Unsubscribe"])
    assert link.startswith("<http://testserver.local/unsubscribe/") and link.endswith(">")
    return link[1:-1].removeprefix("http://testserver.local")


async def test_a_notification_email_unsubscribes_in_one_click(
    client, other_client, settings, run_jobs, mailbox
):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public, title="配信停止のテスト")
    await make_reply(world.bob, topic_id, "返信です")
    await run_jobs()
    [message] = mailbox.to(world.alice.email)
    path = unsubscribe_path(message)
    assert path in Mailbox.text_of(message)  # the body carries the same link

    page = await other_client.get(path)  # not signed in; a GET changes nothing
    assert page.status_code == 200 and "通知メールの配信を停止しますか" in page.text
    member = await Member.objects().where(Member.id == world.alice.id).first()
    assert member.email_notifications
    # What a mailbox provider sends (RFC 8058): no cookie, no CSRF token.
    done = await other_client.raw.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "配信を停止しました" in done.text
    member = await Member.objects().where(Member.id == world.alice.id).first()
    assert not member.email_notifications
    again = await other_client.raw.post(path, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200  # twice is harmless

    await make_reply(world.bob, topic_id, "もう一度返信")
    await run_jobs()
    assert len(mailbox.to(world.alice.email)) == 1  # no further notification email


async def test_reengagement_emails_unsubscribe_their_own_kind(
    other_client, settings, run_jobs, mailbox
):
    account = await make_account("静寂株式会社")
    keen = await make_member(account, email="keen@example.com")
    await add_signal(account, keen, "daily_visit", days_ago(100))
    await recompute_scores(settings, as_of=AS_OF)
    enabled = ScoringSettings(reengagement_enabled=True, reengagement_days=60)
    assert await send_reengagement_emails(settings, enabled, AS_OF) == 1
    await run_jobs()
    [message] = mailbox.to("keen@example.com")
    done = await other_client.raw.post(unsubscribe_path(message))
    assert done.status_code == 200
    member = await Member.objects().where(Member.id == keen.id).first()
    assert member.reengagement_opt_out and member.email_notifications  # only that kind
    assert await send_reengagement_emails(settings, enabled, AS_OF + timedelta(days=90)) == 0


async def test_a_forged_or_tampered_link_changes_nothing(other_client, settings):
    account = await make_account()
    member = await make_member(account)
    url = unsubscribe_url(settings, member.id, "notifications")
    tampered = url.removeprefix("http://testserver.local")[:-3] + "xyz"
    refused = await other_client.raw.post(tampered)
    assert refused.status_code == 400 and "この配信停止リンクは無効です" in refused.text
    other_secret = settings.model_copy(update={"secret_key": "another-secret-key-entirely"})
    forged = unsubscribe_url(other_secret, member.id, "notifications")
    assert (
        await other_client.get(forged.removeprefix("http://testserver.local"))
    ).status_code == 400
    stored = await Member.objects().where(Member.id == member.id).first()
    assert stored.email_notifications
