"""Email through the outbox: sent with its cause, once, to a real SMTP server."""

from __future__ import annotations

from typing import Any

import pytest

from core.database import transaction
from core.jobs import get_backend, set_backend
from core.mail import Attachment, deliver_email, send_email
from core.tables import OutboundEmail
from tests.support import Mailbox, free_port, subject_of

LINK = "http://testserver.local/password-reset/abc"


async def queue_reset_email(to: str = "sato@example.jp", locale: str = "ja") -> int:
    return await send_email(to, "emails/password_reset.html", locale, link=LINK, minutes=60)


async def test_email_sent_in_a_transaction_arrives_once(app, settings, run_jobs, mailbox):
    async with transaction():
        email_id = await send_email(
            "sato@example.jp",
            "emails/password_reset.html",
            "ja",
            attachments=(Attachment("memo.txt", "text/plain", "メモ".encode()),),
            link=LINK,
            minutes=60,
        )
        assert mailbox.messages == []  # nothing leaves before the commit
    await run_jobs()
    [message] = mailbox.to("sato@example.jp")
    assert subject_of(message) == "Kizunaのパスワードの再設定"
    assert LINK in Mailbox.text_of(message)
    [attachment] = [part for part in message.walk() if part.get_filename() == "memo.txt"]
    assert attachment.get_payload(decode=True) == "メモ".encode()

    # A second delivery of the same email (a replayed job) sends nothing more.
    await deliver_email({"settings": settings}, email_id)
    await run_jobs()
    assert len(mailbox.messages) == 1
    row = await OutboundEmail.objects().where(OutboundEmail.id == email_id).first()
    assert row.sent_at is not None
    assert row.attempts == 1


async def test_email_follows_the_recipient_locale(app, run_jobs, mailbox):
    async with transaction():
        await queue_reset_email("jane@example.com", "en")
    await run_jobs()
    [message] = mailbox.to("jane@example.com")
    assert subject_of(message) == "Reset your Kizuna password"


async def test_rolled_back_transaction_sends_nothing(app, run_jobs, mailbox):
    with pytest.raises(RuntimeError):
        async with transaction():
            await queue_reset_email()
            raise RuntimeError("the cause failed")
    await run_jobs()
    assert mailbox.messages == []
    assert await OutboundEmail.count() == 0


class HeldQueue:
    """A queue that keeps what is pushed, so the test delivers by hand."""

    def __init__(self, jobs: Any) -> None:
        self.jobs = jobs
        self.debounce_seconds = 0.0
        self.pushed: list[str] = []

    async def push(self, key: str, name: str, defer_seconds: float) -> None:
        self.pushed.append(key)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


async def test_smtp_down_keeps_the_email_until_it_can_be_sent(app, settings, mailbox):
    working = get_backend()
    held = HeldQueue(working.jobs)
    set_backend(held)
    try:
        async with transaction():
            email_id = await queue_reset_email()
    finally:
        set_backend(working)
    assert held.pushed == [f"email:{email_id}"]
    down = settings.model_copy(update={"smtp_port": free_port()})
    with pytest.raises(OSError):
        await deliver_email({"settings": down}, email_id)
    row = await OutboundEmail.objects().where(OutboundEmail.id == email_id).first()
    assert row.sent_at is None
    assert row.attempts == 1
    assert row.last_error

    await deliver_email({"settings": settings}, email_id)
    assert len(mailbox.to("sato@example.jp")) == 1
