"""Emails: member text reads as written in the subject and the text part, is escaped in the
HTML part, and a line break in a name can never add a header.

Every email template is rendered with hostile text in each value it shows; then the flows that
send the most exposed ones run end to end through the SMTP sink (invitations, sign-up, forum
replies, engagement alerts). The event emails are in test_xss_events.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from core.i18n import N_
from core.templating import TEMPLATE_DIR, render_email
from engagement.alerts import apply_alert_crossings
from tests.community.helpers import make_category, make_reply, make_topic
from tests.conftest import link_in
from tests.engagement.ui_helpers import put_score
from tests.factories import make_account, make_member
from tests.security.helpers import Turned, email_problems, rename, sign_in
from tests.security.xss_corpus import hostile, page_problems
from tests.support import Mailbox, subject_of

NAME, TITLE, ACCOUNT = hostile("name"), hostile("title"), hostile("account")
URL = 'https://hooks.example/in?a="><script>alert(1)</script>'
LINK = "https://kizuna.example/x"
BREAK = "坊 太郎\r\nBcc: evil@example.com\r\nX-Injected: 1"
_EVENT = SimpleNamespace(
    title=TITLE,
    starts_at=datetime(2031, 1, 15, 1, 0, tzinfo=UTC),
    ends_at=datetime(2031, 1, 15, 3, 0, tzinfo=UTC),
    draw_at=datetime(2031, 1, 10, 1, 0, tzinfo=UTC),
    online=False,
    venue=hostile("venue"),
    address=hostile("address"),
)
_ONLINE = SimpleNamespace(**(vars(_EVENT) | {"online": True}))
_EVENT_CONTEXT = {
    "event": _EVENT,
    "name": NAME,
    "zone": "Asia/Tokyo",
    "link": LINK,
    "join_url": "",
    "checkin_code": "AB12CD",
    "position": 2,
}
# (template, context, values the email must show) for every email the app sends.
EMAILS: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    *[
        (
            "community_notification.html",
            {
                "kind": kind,
                "actor": NAME,
                "topic_title": TITLE,
                "link": LINK,
                "settings_link": LINK,
                "unsubscribe_link": LINK,
            },
            (TITLE,),
        )
        for kind in ("reply", "mention", "accepted")
    ],
    ("crm_webhook_disabled.html", {"url": URL, "reason": hostile("reason"), "link": LINK}, (URL,)),
    (
        "engagement_alert.html",
        {
            "account_name": ACCOUNT,
            "kinds": [N_("Turned red")],
            "score": 31.5,
            "baseline": 60.0,
            "link": LINK,
        },
        (ACCOUNT,),
    ),
    (
        "engagement_reengagement.html",
        {
            "account_name": ACCOUNT,
            "name": NAME,
            "community_link": LINK,
            "settings_link": LINK,
            "unsubscribe_link": LINK,
        },
        (ACCOUNT, NAME),
    ),
    *[
        ("events_registration.html", _EVENT_CONTEXT | {"kind": kind}, (TITLE, NAME, _EVENT.venue))
        for kind in (
            "confirmed",
            "waitlisted",
            "applied",
            "promoted",
            "lottery_won",
            "lottery_waitlisted",
            "event_cancelled",
            "event_updated",
            "registration_cancelled",
        )
    ],
    (
        "events_registration.html",
        _EVENT_CONTEXT | {"kind": "confirmed", "event": _ONLINE, "join_url": URL},
        (TITLE, URL),
    ),
    *[
        ("events_reminder.html", _EVENT_CONTEXT | {"kind": kind}, (TITLE, NAME, _EVENT.address))
        for kind in ("reminder_24h", "reminder_1h")
    ],
    ("invitation.html", {"inviter": NAME, "link": LINK, "days": 7}, (NAME,)),
    ("password_reset.html", {"link": LINK, "minutes": 60}, ()),
    ("signup.html", {"account_name": ACCOUNT, "link": LINK, "days": 2}, (ACCOUNT,)),
    ("signup_exists.html", {"link": LINK}, ()),
    (
        "success_homework.html",
        {
            "name": NAME,
            "items": [{"title": TITLE, "minutes": 15, "due_on": "2026-12-14", "link": LINK}],
            "link": LINK,
        },
        (NAME, TITLE),
    ),
    (
        "success_tasks.html",
        {"name": NAME, "tasks": [{"account_name": ACCOUNT, "due_on": "2026-12-10"}], "link": LINK},
        (NAME, ACCOUNT),
    ),
]

SUBJECTS = {
    "community_notification.html": TITLE,
    "engagement_alert.html": ACCOUNT,
    "events_registration.html": TITLE,
    "events_reminder.html": TITLE,
    "invitation.html": NAME,
}


def test_every_email_template_is_in_the_list():
    templates = {p.name for p in (Path(TEMPLATE_DIR) / "emails").glob("*.html")}
    listed = {name for name, _, _ in EMAILS}
    assert templates - {"base_email.html", "_events_details.html"} == listed


@pytest.mark.parametrize("locale", ["ja", "en"])
@pytest.mark.parametrize(("template", "context", "shown"), EMAILS)
def test_every_email_escapes_html_and_keeps_text_as_written(locale, template, context, shown):
    subject, text, html = render_email(f"emails/{template}", locale, **context)
    assert "\n" not in subject and "\r" not in subject
    assert "&lt;" not in subject and "&#" not in subject and "&amp;" not in subject
    problems = [f"text part lacks {value!r}" for value in shown if value not in text]
    problems += [f"text part escaped: {e}" for e in ("&lt;", "&#34;", "&#39;") if e in text]
    problems += page_problems(html, *shown)
    assert not problems, "\n".join(problems)
    if template in SUBJECTS:
        assert SUBJECTS[template] in subject  # named as written


async def test_a_line_break_in_a_name_never_becomes_a_header(
    client, settings, run_jobs, mailbox: Mailbox
):
    account = await make_account("株式会社エー", domains="a.example")
    alice = await make_member(account, email="alice@a.example")
    bob = await make_member(account, email="bob@a.example")
    csm = await make_member(None, role="csm", email="csm@vendor.example")
    await rename(client, bob, BREAK)
    await rename(client, csm, BREAK)
    topic_id = await make_topic(alice, await make_category(), title="ログインできません")
    await make_reply(bob, topic_id, f"@{alice.handle} キャッシュを消してみてください。")
    await sign_in(client, csm)
    invited = await client.post_form(
        "/staff/members/invite",
        {
            "email": "new@a.example",
            "display_name": BREAK,
            "role": "customer",
            "account_id": str(account.id),
        },
    )
    assert invited.status_code == 303, invited.text
    await run_jobs()
    sent = mailbox.messages
    assert {str(m["To"]) for m in sent} == {"alice@a.example", "new@a.example"}
    assert mailbox.to("evil@example.com") == []
    for message in sent:
        assert message["Bcc"] is None and message["X-Injected"] is None
        assert email_problems(message) == []
        subject = subject_of(message)
        assert "坊 太郎 Bcc: evil@example.com X-Injected: 1" in subject  # one line, as text


async def test_sign_up_and_alert_emails_name_the_account_as_text(
    client, settings, run_jobs, mailbox: Mailbox
):
    csm = await make_member(None, role="csm", email="csm@vendor.example")
    account = await make_account(
        ACCOUNT, domains="a.example", allow_self_signup=True, owner_id=csm.id
    )
    signup = await client.post_form("/signup", {"email": "new@a.example", "display_name": NAME})
    assert signup.status_code == 200, signup.text
    await put_score(account, 31.5, "red", last_activity_at=datetime.now(UTC) - timedelta(days=40))
    assert await apply_alert_crossings(settings, [Turned(account.id)]) == 1
    await run_jobs()
    [welcome] = mailbox.to("new@a.example")
    [alert] = mailbox.to(csm.email)
    problems = email_problems(welcome, ACCOUNT) + email_problems(alert, ACCOUNT)
    assert not problems, "\n".join(problems)
    assert ACCOUNT in subject_of(alert)
    completed = await client.get(link_in(Mailbox.text_of(welcome), "/signup/complete"))
    assert completed.status_code == 200
    assert page_problems(completed.text) == []
