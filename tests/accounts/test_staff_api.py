"""The staff API's writes on accounts and members: what the pages do, with the pages' checks,
for staff sessions (with CSRF) and API tokens (scopes; acting as their creator)."""

from __future__ import annotations

from accounts.tables import Account, AccountDomain, Invitation, Member
from crm.pull.tokens import create_token
from tests.factories import make_account, make_member
from tests.support import sign_in_as, subject_of

BODY = {
    "name": "API株式会社",
    "domains": ["api.example", "API.co.jp"],
    "crm_external_id": "001API",
    "arr": 2400000,
    "plan": "Business",
    "contract_start": "2026-04-01",
    "renewal_date": "2027-03-31",
    "touch_tier": "high",
}


async def test_a_csm_creates_updates_and_deactivates_an_account(app, client) -> None:
    await sign_in_as(client, "csm")
    created = await client.api("POST", "/api/v1/accounts/", json=BODY)
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["domains"] == ["api.co.jp", "api.example"] and account["arr"] == 2400000
    member = await make_member(await Account.objects().get(Account.id == account["id"]))
    changed = await client.api(
        "PUT",
        f"/api/v1/accounts/{account['id']}",
        json={**BODY, "name": "API株式会社（新）", "domains": ["api.example"]},
    )
    assert changed.status_code == 200
    assert changed.json()["name"] == "API株式会社（新）"
    assert await AccountDomain.count().where(AccountDomain.account == account["id"]) == 1
    off = await client.api("POST", f"/api/v1/accounts/{account['id']}/deactivate")
    assert off.status_code == 200 and off.json()["active"] is False
    assert (await Member.objects().get(Member.id == member.id)).active is False
    on = await client.api("POST", f"/api/v1/accounts/{account['id']}/activate")
    assert on.json()["active"] is True


async def test_the_pages_checks_refuse_with_nothing_written(app, client) -> None:
    await make_account("先客", domains="api.example")
    await sign_in_as(client, "admin")
    taken = await client.api("POST", "/api/v1/accounts/", json=BODY)
    assert taken.status_code in (409, 422)  # the pages' rule, not the schema
    assert "api.example" in taken.json()["detail"]
    backwards = await client.api(
        "POST",
        "/api/v1/accounts/",
        json={**BODY, "domains": [], "contract_start": "2027-01-01", "renewal_date": "2026-01-01"},
    )
    assert backwards.status_code == 422
    assert "更新日" in backwards.json()["detail"]
    for bad in ({**BODY, "color": "red"}, {**BODY, "arr": True}, {**BODY, "arr": -1}, {}):
        refused = await client.api("POST", "/api/v1/accounts/", json=bad)
        assert refused.status_code == 400, bad
    assert await Account.count() == 1
    missing = await client.api("PUT", "/api/v1/accounts/999999", json=BODY)
    assert missing.status_code == 404


async def test_tokens_write_by_scope_without_csrf_and_act_as_their_admin(
    app, client, other_client, mailbox, run_jobs
) -> None:
    admin = await sign_in_as(client, "admin")
    writer = (await create_token("hr-sync", ["accounts:write"], None, admin)).secret
    reader = (await create_token("bi", ["accounts:read"], None, admin)).secret
    raw = other_client.raw
    created = await raw.post(
        "/api/v1/accounts/", json=BODY, headers={"Authorization": f"Bearer {writer}"}
    )
    assert created.status_code == 201, created.text
    account_id = created.json()["id"]
    refused = await raw.post(
        "/api/v1/accounts/",
        json={**BODY, "crm_external_id": None, "domains": []},
        headers={"Authorization": f"Bearer {reader}"},
    )
    assert refused.status_code == 403
    invited = await raw.post(
        "/api/v1/members/invitations",
        json={"email": "new@api.example", "display_name": "新人", "account_id": account_id},
        headers={"Authorization": f"Bearer {writer}"},
    )
    assert invited.status_code == 201, invited.text
    invitation = await Invitation.objects().get(Invitation.email == "new@api.example")
    assert invitation.invited_by == admin.id
    await run_jobs()
    [message] = mailbox.to("new@api.example")
    assert "招待" in subject_of(message)
    again = await raw.post(
        "/api/v1/members/invitations",
        json={"email": "new@api.example", "account_id": account_id},
        headers={"Authorization": f"Bearer {writer}"},
    )
    assert again.status_code == 201  # a pending invitation is sent again, as the page does
    # The admin is no longer an admin: their tokens act no more.
    await Member.update({Member.role: "csm"}).where(Member.id == admin.id)
    demoted = await raw.post(
        f"/api/v1/accounts/{account_id}/deactivate",
        headers={"Authorization": f"Bearer {writer}"},
    )
    assert demoted.status_code == 403
    assert (await Account.objects().get(Account.id == account_id)).active is True


async def test_members_are_changed_within_the_pages_rules(app, client) -> None:
    account = await make_account("会員株式会社")
    customer = await make_member(account, name="顧客 一郎")
    await sign_in_as(client, "csm")
    renamed = await client.api(
        "PUT",
        f"/api/v1/members/{customer.id}",
        json={"display_name": "顧客 二郎", "role": "customer", "account_id": account.id},
    )
    assert renamed.status_code == 200 and renamed.json()["display_name"] == "顧客 二郎"
    promote = await client.api(
        "PUT",
        f"/api/v1/members/{customer.id}",
        json={"display_name": "顧客 二郎", "role": "admin", "account_id": None},
    )
    assert promote.status_code == 403
    assert (await Member.objects().get(Member.id == customer.id)).role == "customer"
    shown = await client.get(f"/api/v1/members/{customer.id}")
    assert shown.json()["email"] == customer.email
    off = await client.api("POST", f"/api/v1/members/{customer.id}/deactivate")
    assert off.status_code == 200 and off.json()["active"] is False
    unknown = await client.api("POST", "/api/v1/members/999999/deactivate")
    assert unknown.status_code == 404
    no_csrf = await client.raw.post(f"/api/v1/members/{customer.id}/deactivate")
    assert no_csrf.status_code == 403
    for address in ("nobody@host.test", "not-an-address"):
        bad = await client.api(
            "POST", "/api/v1/members/invitations", json={"email": address, "account_id": account.id}
        )
        assert bad.status_code == 422, address
        assert bad.json()["errors"]["email"] == "有効なメールアドレスを入力してください。"
    assert await Invitation.count() == 0
