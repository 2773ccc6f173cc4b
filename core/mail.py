"""Email: written to the outbox table in the caller's transaction, delivered by a job."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import aiosmtplib

from core.jobs import enqueue
from core.settings import CoreSettings
from core.tables import OutboundEmail
from core.templating import render_email
from core.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


async def send_email(
    to: str,
    template: str,
    locale: str,
    attachments: tuple[Attachment, ...] = (),
    headers: dict[str, str] | None = None,
    **context: Any,
) -> int:
    """Render `template` in the recipient's `locale` and queue it for delivery, with extra
    `headers` (e.g. List-Unsubscribe).

    Call inside the transaction of the change that causes the email: both commit or neither.
    """
    subject, text, html = render_email(template, locale, **context)
    row = OutboundEmail(
        to_address=to,
        subject=subject[:300],
        body_text=text,
        body_html=html or None,
        attachments=[
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "data": base64.b64encode(a.data).decode(),
            }
            for a in attachments
        ],
        headers=dict(headers or {}),
    )
    await row.save()
    await enqueue(deliver_email, row.id, job_id=f"email:{row.id}")
    return int(row.id)


def build_message(row: OutboundEmail, settings: CoreSettings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row.to_address
    message["Subject"] = row.subject
    # RFC 5322: "+0000" is UTC; formatdate's "-0000" would say "zone unknown".
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(idstring=f"kizuna-{row.id}", domain="kizuna.local")
    extra: dict[str, str] = row.headers or {}  # type: ignore[assignment]
    for name, value in extra.items():
        message[name] = value
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    attachments: list[dict[str, str]] = row.attachments or []  # type: ignore[assignment]
    for item in attachments:
        media_type, *parameters = item["content_type"].split(";")
        maintype, _, subtype = media_type.strip().partition("/")
        params = {}
        for parameter in parameters:
            key, _, value = parameter.strip().partition("=")
            params[key.lower()] = value.strip('"')
        message.add_attachment(
            base64.b64decode(item["data"]),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=item["filename"],
            params=params,
        )
    return message


async def deliver_email(ctx: dict[str, Any], email_id: int) -> None:
    """Send one outbox email by SMTP (or to VAR_DIR/outbox); once it succeeded, never again."""
    settings: CoreSettings = ctx["settings"]
    row = (
        await OutboundEmail.objects()
        .where(OutboundEmail.id == email_id)
        .output(load_json=True)
        .first()
    )
    if row is None or row.sent_at is not None:
        return
    message = build_message(row, settings)
    try:
        if settings.smtp_host:
            await aiosmtplib.send(
                message,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=settings.smtp_password,
                start_tls=settings.smtp_starttls,
                use_tls=settings.smtp_use_tls,
                timeout=30,
            )
        else:
            settings.outbox_dir.mkdir(parents=True, exist_ok=True)
            path = settings.outbox_dir / f"{row.id:08d}.eml"
            path.write_bytes(bytes(message))
            log.info("email %s to %s written to %s", row.id, row.to_address, path)
    except Exception as exc:
        await OutboundEmail.update(
            {
                OutboundEmail.attempts: OutboundEmail.attempts + 1,
                OutboundEmail.last_error: repr(exc)[:2000],
            }
        ).where(OutboundEmail.id == email_id)
        raise
    await OutboundEmail.update(
        {OutboundEmail.sent_at: utcnow(), OutboundEmail.attempts: OutboundEmail.attempts + 1}
    ).where(OutboundEmail.id == email_id)
