"""Notifications: replies, mentions and accepted answers, in the app and by email (job queue)."""

from __future__ import annotations

from accounts.services import update_member
from community.tables import Notification
from core.tables import OutboundEmail
from tests.community.helpers import World, make_reply, make_topic
from tests.support import Mailbox, signed_in, subject_of


async def test_reply_and_mention_notify_in_the_app_and_by_email(
    client, settings, run_jobs, mailbox
):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public, title="通知のテスト")
    await make_reply(world.bob, topic_id, f"@{world.anna.handle} さんも詳しいです")
    kinds = {(n["recipient"], n["kind"]) for n in await Notification.select()}
    assert kinds == {(world.alice.id, "reply"), (world.anna.id, "mention")}
    await run_jobs()
    to_alice = mailbox.to(world.alice.email)
    assert len(to_alice) == 1
    assert "坊 太郎さんがあなたのトピック「通知のテスト」に返信しました" in subject_of(to_alice[0])
    assert f"/community/t/{topic_id}#post-2" in Mailbox.text_of(to_alice[0])
    assert len(mailbox.to(world.anna.email)) == 1
    # Running the jobs again sends nothing twice.
    await run_jobs()
    assert len(mailbox.to(world.alice.email)) == 1
    await signed_in(client, world.alice)
    home = await client.get("/")
    assert "未読の通知 1件" in home.text
    inbox = await client.get("/notifications")
    assert "坊 太郎さんがあなたのトピック「通知のテスト」に返信しました" in inbox.text
    note = await Notification.objects().where(Notification.recipient == world.alice.id).first()
    opened = await client.get(f"/notifications/{note.id}", follow_redirects=False)
    assert opened.headers["location"] == f"/community/t/{topic_id}#post-2"
    assert "未読の通知" not in (await client.get("/")).text


async def test_no_email_when_the_member_turned_it_off(client, settings, run_jobs, mailbox):
    world = await World.create()
    await update_member(world.alice.id, {"email_notifications": False})
    topic_id = await make_topic(world.alice, world.public)
    await make_reply(world.bob, topic_id)
    await run_jobs()
    assert mailbox.to(world.alice.email) == []
    assert await Notification.count().where(Notification.recipient == world.alice.id) == 1
    assert await OutboundEmail.count() == 0


async def test_accepted_answer_notifies_the_answerer(client, settings, run_jobs, mailbox):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public, title="答えてほしい")
    answer = await make_reply(world.bob, topic_id)
    await signed_in(client, world.alice)
    await client.post_form(f"/community/t/{topic_id}/accept", {"post_id": answer})
    note = await Notification.objects().where(Notification.kind == "accepted").first()
    assert note.recipient == world.bob.id
    await run_jobs()
    subjects = [subject_of(m) for m in mailbox.to(world.bob.email)]
    assert "「答えてほしい」でのあなたの返信がベストアンサーに選ばれました" in subjects


async def test_own_reply_and_self_mention_notify_nobody(client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    await make_reply(world.alice, topic_id, f"自己解決しました @{world.alice.handle}")
    assert await Notification.count() == 0


async def test_mark_all_read_and_other_peoples_notifications(client, other_client, settings):
    world = await World.create()
    topic_id = await make_topic(world.alice, world.public)
    await make_reply(world.bob, topic_id)
    note = await Notification.objects().first()
    await signed_in(other_client, world.bob)
    assert (await other_client.get(f"/notifications/{note.id}")).status_code == 404
    await signed_in(client, world.alice)
    assert (await client.post_form("/notifications/read")).status_code == 303
    assert await Notification.count().where(Notification.read_at.is_null()) == 0
