"""XSS: hostile text through every place people write it (names, accounts, categories, flags,
CRM tokens and webhooks, imports, forms sent back) to every page and JSON API that shows it.

Forum posts and topic titles are in tests/community/test_xss.py, events (pages, emails, .ics)
in test_xss_events.py, emails of every template in test_xss_emails.py, CSV in test_csv_exports.py.
Every page is parsed: nothing from the data may become a tag, an on* attribute or a
javascript: URL, and every hostile value a page is meant to show must be there, whole, as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from accounts.tables import Account, Member
from community.tables import Category
from core.timeutil import utcnow
from crm.tables import SyncItem, SyncRun, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from engagement.alerts import apply_alert_crossings
from tests.community.helpers import make_reply, make_topic
from tests.engagement.ui_helpers import put_score
from tests.factories import PASSWORD, make_account, make_member
from tests.security.helpers import (
    Turned,
    csv_bytes,
    json_of,
    json_strings,
    problems_on,
    rename,
    sign_in,
)
from tests.security.xss_corpus import hostile, page_problems
from tests.support import FormClient

CATEGORY, CATEGORY_TEXT = hostile("category"), hostile("category description")
ACCOUNT, MEMBER, STAFF = hostile("account"), hostile("member"), hostile("csm")
CRM_ID = "\"'><script>alert(1)</script>"  # a CRM id may not start like a formula
TOPIC, REPLY, FLAG_NOTE = hostile("topic"), hostile("reply"), hostile("flag note")
TOKEN, WEBHOOK = hostile("token"), hostile("webhook")
WEBHOOK_URL = 'http://127.0.0.1:9/hook?a="><script>alert(1)</script>'


@dataclass
class People:
    admin: Member
    csm: Member
    alice: Member
    bob: Member
    account: Account

    @classmethod
    async def create(cls, client: FormClient) -> People:
        """An admin, a CSM and two customers; the CSM and Alice give themselves hostile names
        and the admin creates the account (hostile name and CRM id, owned by the CSM)."""
        admin = await make_member(None, role="admin", email="admin@vendor.example", name="管理者")
        csm = await make_member(None, role="csm", email="csm@vendor.example", name="佐藤")
        await rename(client, csm, STAFF)
        await sign_in(client, admin)
        created = await client.post_form(
            "/staff/accounts/new",
            {
                "name": ACCOUNT,
                "domains": "a.example",
                "crm_external_id": CRM_ID,
                "arr": "1200000",
                "touch_tier": "high",
                "owner_id": str(csm.id),
                "score_self_view": "1",
            },
        )
        assert created.status_code == 303, created.text
        account = await Account.objects().where(Account.name == ACCOUNT).first()
        assert account is not None and account.crm_external_id == CRM_ID
        alice = await make_member(account, email="alice@a.example", name="有栖")
        bob = await make_member(account, email="bob@a.example", name="坊")
        await rename(client, alice, MEMBER)
        return cls(admin, csm, alice, bob, account)


async def test_names_and_accounts_are_escaped_on_every_page(client, settings):
    people = await People.create(client)
    await put_score(people.account, 31.5, "red", last_activity_at=utcnow() - timedelta(days=40))
    raised = await apply_alert_crossings(settings, [Turned(people.account.id)])
    assert raised == 1
    await sign_in(client, people.admin)
    problems: list[str] = []
    for path, values in (
        ("/staff/accounts", (ACCOUNT, CRM_ID, STAFF)),
        (f"/staff/accounts/{people.account.id}/edit", (ACCOUNT, CRM_ID, STAFF)),
        ("/staff/members", (MEMBER, STAFF, ACCOUNT)),
        (f"/staff/members/{people.alice.id}/edit", (MEMBER, ACCOUNT)),
        ("/staff/members/invite", (ACCOUNT,)),
        ("/staff/engagement", (ACCOUNT, STAFF)),
        (f"/staff/engagement/accounts/{people.account.id}", (ACCOUNT, STAFF, MEMBER)),
        ("/staff/engagement/portfolio", ()),
        ("/staff/engagement/silent", (ACCOUNT,)),
        ("/staff/engagement/alerts?all=1", (ACCOUNT, STAFF)),
        ("/staff/events/new", (STAFF, ACCOUNT)),
        (f"/community/u/{people.alice.handle}", (MEMBER,)),
        ("/", ()),
    ):
        problems += await problems_on(client, path, *values)
    await sign_in(client, people.alice)
    for path, values in (
        ("/", (MEMBER,)),
        ("/settings", (MEMBER,)),
        ("/engagement/my-account", (ACCOUNT,)),
    ):
        problems += await problems_on(client, path, *values)
    assert not problems, "\n".join(problems)
    await sign_in(client, people.admin)
    for path in ("/api/v1/engagement/accounts", "/api/v1/accounts"):
        assert ACCOUNT in json_strings(await json_of(client, path)), path


async def test_categories_topics_flags_and_notifications_are_escaped(client, settings, run_jobs):
    people = await People.create(client)
    await sign_in(client, people.admin)
    saved = await client.post_form(
        "/community/categories",
        {"name": CATEGORY, "description": CATEGORY_TEXT, "position": "1", "visibility": "all"},
    )
    assert saved.status_code == 303, saved.text
    category = await _category()
    topic_id = await make_topic(people.alice, category, title=TOPIC, body="本文です。")
    reply_id = await make_reply(people.bob, topic_id, f"@{people.alice.handle} {REPLY}")
    await sign_in(client, people.alice)
    flagged = await client.post_form(
        f"/community/p/{reply_id}/flag", {"reason": "other", "note": FLAG_NOTE}
    )
    assert flagged.status_code == 303, flagged.text
    await run_jobs()
    problems: list[str] = []
    await sign_in(client, people.admin)
    for path, values in (
        ("/community", (CATEGORY, TOPIC)),
        (f"/community/c/{category.id}", (CATEGORY, CATEGORY_TEXT, TOPIC)),
        ("/community/categories", (CATEGORY,)),
        (f"/community/categories/{category.id}", (CATEGORY, CATEGORY_TEXT)),
        (f"/community/t/{topic_id}", (CATEGORY, TOPIC, MEMBER, REPLY)),
        ("/community/new", (CATEGORY,)),
        ("/community/moderation", (FLAG_NOTE, TOPIC, REPLY)),
        ("/community/search?q=HYPERLINK", (TOPIC, REPLY)),
        (f"/community/p/{reply_id}/history", (REPLY,)),
        (f"/community/p/{reply_id}/edit", (REPLY,)),
    ):
        problems += await problems_on(client, path, *values)
    await sign_in(client, people.alice)
    for path, values in (("/notifications", (TOPIC,)), ("/", (TOPIC,))):
        problems += await problems_on(client, path, *values)
    assert not problems, "\n".join(problems)
    # The JSON API carries the same text as data: JSON, never HTML, and the value intact.
    for path, value in (
        ("/api/v1/community/categories", CATEGORY),
        ("/api/v1/community/topics", TOPIC),
        (f"/api/v1/community/topics/{topic_id}", MEMBER),
        ("/api/v1/community/search?q=HYPERLINK", TOPIC),
        ("/api/v1/community/search?q=HYPERLINK", REPLY),
        ("/api/v1/community/notifications", TOPIC),
        ("/api/v1/me", MEMBER),
    ):
        assert any(value in text for text in json_strings(await json_of(client, path))), path


async def _category() -> Any:
    row = await Category.objects().where(Category.name == CATEGORY).first()
    assert row is not None and row.description == CATEGORY_TEXT
    return row


async def test_crm_tokens_and_webhooks_are_escaped(client, settings):
    people = await People.create(client)
    await sign_in(client, people.admin)
    token = await client.post_form(
        "/staff/crm/tokens", {"name": TOKEN, "scopes": ["scores:read"], "expires_in_days": "30"}
    )
    assert token.status_code == 201, token.text
    hook = await client.post_form(
        "/staff/crm/webhooks",
        {"url": WEBHOOK_URL, "events": ["score.updated"], "description": WEBHOOK},
    )
    assert hook.status_code == 201, hook.status_code
    endpoint = await WebhookEndpoint.objects().first()
    assert endpoint is not None and endpoint.description == WEBHOOK
    problems = page_problems(hook.text, WEBHOOK_URL)
    for path, values in (
        ("/staff/crm/tokens", (TOKEN,)),
        ("/staff/crm/webhooks", (WEBHOOK, WEBHOOK_URL)),
        (f"/staff/crm/webhooks/{endpoint.id}", (WEBHOOK_URL,)),
        ("/staff/crm", ()),
    ):
        problems += await problems_on(client, path, *values)
    assert not problems, "\n".join(problems)
    for url in ("javascript:alert(1)", "JavaScript://x.example/%0aalert(1)", "data:text/html,x"):
        refused = await client.post_form(
            "/staff/crm/webhooks", {"url": url, "events": ["score.updated"], "description": "x"}
        )
        assert refused.status_code == 400, url
    assert await WebhookEndpoint.count() == 1


async def test_what_crms_and_webhook_receivers_answer_is_escaped(client, settings):
    """Errors and job states come from servers outside Kizuna: shown as text only."""
    people = await People.create(client)
    answer = hostile("remote answer")
    run = SyncRun(
        crm="salesforce",
        status="partial",
        sent=1,
        failed=1,
        error=answer,
        remote_jobs=[{"id": answer, "state": answer, "error": answer}],
    )
    await run.save()
    await SyncItem.insert(
        SyncItem(
            run=run.id,
            account=people.account.id,
            external_id=CRM_ID,
            outcome="failed",
            error=answer,
            score_updated_at=utcnow(),
        )
    )
    endpoint = WebhookEndpoint(
        url=WEBHOOK_URL,
        description=WEBHOOK,
        events="score.updated",
        sealed_secret="x",
        owner=people.admin.id,
    )
    await endpoint.save()
    delivery = WebhookDelivery(
        endpoint=endpoint.id,
        message_id="msg_1",
        event="score.updated",
        account=people.account.id,
        payload="{}",
        status="failed",
        attempts=1,
        last_status_code=500,
        last_error=answer,
    )
    await delivery.save()
    await WebhookAttempt.insert(WebhookAttempt(delivery=delivery.id, status_code=500, error=answer))
    await sign_in(client, people.admin)
    problems = await problems_on(client, f"/staff/crm/syncs/{run.id}", answer, ACCOUNT, CRM_ID)
    problems += await problems_on(client, f"/staff/crm/webhooks/{endpoint.id}", answer, ACCOUNT)
    problems += await problems_on(client, "/staff/crm")
    refused = await client.post_form("/staff/crm/mapping/salesforce", {"key_field": answer})
    assert refused.status_code == 400
    problems += page_problems(refused.text, answer)
    assert not problems, "\n".join(problems)


async def test_imported_accounts_and_refused_input_sent_back_are_escaped(client, settings):
    await make_account("既存株式会社")
    admin = await make_member(None, role="admin", email="admin@vendor.example")
    await sign_in(client, admin)
    imported = await client.post_form(
        "/staff/accounts/import",
        files={"file": ("a.csv", csv_bytes(["name", "crm_id"], [ACCOUNT, CRM_ID]), "text/csv")},
    )
    assert imported.status_code == 303, imported.text
    assert await Account.exists().where(Account.name == ACCOUNT)
    problems = await problems_on(client, "/staff/accounts", ACCOUNT, CRM_ID)
    bad_arr = "<script>alert(1)</script>"
    refused = await client.post_form(
        "/staff/accounts/import",
        files={
            "file": (
                "<img src=x onerror=alert(1)>.csv",
                csv_bytes(["name", "arr"], [hostile("x"), bad_arr]),
                "text/csv",
            )
        },
    )
    assert refused.status_code == 400
    problems += page_problems(refused.text, bad_arr)
    # Forms refused and sent back show what was typed, inside the attribute, not as markup.
    for path, data, echoed in (
        ("/staff/accounts/new", {"name": ACCOUNT, "arr": "<b>多い</b>"}, ACCOUNT),
        ("/staff/members/invite", {"email": MEMBER, "display_name": MEMBER}, MEMBER),
    ):
        response = await client.post_form(path, data)
        assert response.status_code == 400, (path, response.status_code)
        problems += [f"{path}: {p}" for p in page_problems(response.text, echoed)]
    await client.post_form("/logout")
    for path, data, echoed in (
        ("/login", {"email": MEMBER, "password": "x", "next": MEMBER}, MEMBER),
        ("/signup", {"email": MEMBER, "display_name": MEMBER}, MEMBER),
        ("/password/forgot", {"email": MEMBER}, MEMBER),
    ):
        response = await client.post_form(path, data)
        assert response.status_code in (400, 401), (path, response.status_code)
        problems += [f"{path}: {p}" for p in page_problems(response.text, echoed)]
    missing = await client.get("/community/u/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert missing.status_code == 404
    problems += page_problems(missing.text)
    assert not problems, "\n".join(problems)


async def test_sign_in_never_sends_the_browser_to_a_script_or_another_site(client, settings):
    member = await make_member(None, role="csm", email="csm@vendor.example")
    for target in (
        "javascript:alert(1)",
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "data:text/html,<script>alert(1)</script>",
    ):
        page = await client.get("/login", params={"next": target})
        assert page_problems(page.text) == [], target
        response = await client.post_form(
            "/login", {"email": member.email, "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == "/", target
        await client.post_form("/logout")
