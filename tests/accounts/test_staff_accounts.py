"""Staff create, edit, search, deactivate and activate customer accounts."""

from __future__ import annotations

from accounts.tables import Account, AccountDomain
from tests.factories import PASSWORD, make_account, make_member
from tests.support import sign_in_as


def _form(**fields: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "株式会社あおば",
        "domains": "aoba.example, @Aoba.co.jp",
        "crm_external_id": "0015AOBA",
        "arr": "¥3,600,000",
        "plan": "Business",
        "touch_tier": "high",
        "allow_self_signup": "1",
    }
    values.update(fields)
    return {key: value for key, value in values.items() if value is not None}


async def test_staff_create_an_account(client, settings):
    csm = await sign_in_as(client, "csm", name="担当 CSM")
    response = await client.post_form("/staff/accounts/new", _form(owner_id=csm.id))
    assert response.status_code == 303
    account = await Account.objects().where(Account.crm_external_id == "0015AOBA").first()
    assert account.name == "株式会社あおば" and account.arr == 3_600_000
    assert account.touch_tier == "high" and account.owner == csm.id
    assert account.allow_self_signup and not account.score_self_view
    domains = await AccountDomain.select(AccountDomain.domain).where(
        AccountDomain.account == account.id
    )
    assert sorted(d["domain"] for d in domains) == ["aoba.co.jp", "aoba.example"]
    listing = await client.get("/staff/accounts")
    assert "株式会社あおば" in listing.text and "担当 CSM" in listing.text
    assert "3,600,000" in listing.text and "ハイタッチ" in listing.text


async def test_bad_account_input_is_refused_and_nothing_is_written(client, settings):
    await make_account("既存株式会社", domains="taken.example", crm_external_id="CRM-1")
    await sign_in_as(client, "admin")
    cases = [
        (_form(name=""), 400, "この項目は必須です"),
        (_form(arr="たくさん"), 400, "整数を入力してください"),
        (_form(arr="-5"), 400, "0以上の値を入力してください"),
        (_form(touch_tier="ultra"), 400, "選択肢から選んでください"),
        (_form(domains="not a domain!"), 400, "有効なメールドメインではありません"),
        (_form(domains="taken.example"), 409, "taken.example はすでに別の顧客企業のドメインです"),
        (_form(crm_external_id="CRM-1"), 409, "このCRM IDはすでに別の顧客企業で使われています"),
        (_form(owner_id="999"), 400, "担当者は有効なCSMまたは管理者にしてください"),
    ]
    for form, status, message in cases:
        response = await client.post_form("/staff/accounts/new", form)
        assert response.status_code == status, (form, response.text)
        assert message in response.text, form
    assert await Account.count() == 1
    assert await AccountDomain.count() == 1


async def test_staff_edit_an_account(client, settings):
    account = await make_account("旧名株式会社", domains="old.example", crm_external_id="C-9")
    await sign_in_as(client, "admin")
    page = await client.get(f"/staff/accounts/{account.id}/edit")
    assert page.status_code == 200
    assert "旧名株式会社" in page.text and "old.example" in page.text
    response = await client.post_form(
        f"/staff/accounts/{account.id}/edit",
        _form(
            name="新名株式会社", domains="new.example", crm_external_id="C-9", score_self_view="1"
        ),
    )
    assert response.status_code == 303
    stored = await Account.objects().where(Account.id == account.id).first()
    assert stored.name == "新名株式会社" and stored.score_self_view
    domains = await AccountDomain.select(AccountDomain.domain).where(
        AccountDomain.account == account.id
    )
    assert [d["domain"] for d in domains] == ["new.example"]
    assert (await client.get("/staff/accounts/99999/edit")).status_code == 404
    missing = await client.post_form("/staff/accounts/99999/edit", _form())
    assert missing.status_code == 404
    assert "この顧客企業は存在しません" in missing.text


async def test_search_accounts_by_name_and_domain(client, settings):
    await make_account("株式会社ひかり", domains="hikari.example")
    await make_account("Orbit Inc.", domains="orbit.example")
    await sign_in_as(client, "csm")
    by_name = await client.get("/staff/accounts", params={"q": "ひかり"})
    assert "株式会社ひかり" in by_name.text and "Orbit Inc." not in by_name.text
    by_domain = await client.get("/staff/accounts", params={"q": "ORBIT.example"})
    assert "Orbit Inc." in by_domain.text and "株式会社ひかり" not in by_domain.text
    by_case = await client.get("/staff/accounts", params={"q": "orbit inc"})
    assert "Orbit Inc." in by_case.text
    assert (await client.get("/staff/accounts?page=0")).status_code == 400


async def test_deactivating_an_account_stops_its_members_signing_in(client, other_client, settings):
    account = await make_account("休止株式会社")
    member = await make_member(account, email="user@pause.example")
    other = await make_member(await make_account(), email="user@other.example")
    await other_client.login(member.email, PASSWORD)
    assert (await other_client.get("/api/v1/me")).status_code == 200

    await sign_in_as(client, "csm")
    response = await client.post_form(f"/staff/accounts/{account.id}/deactivate")
    assert response.status_code == 303
    page = await client.get(f"/staff/accounts/{account.id}/edit")
    assert "この顧客企業は無効です" in page.text

    assert (await other_client.get("/api/v1/me")).status_code == 401
    refused = await other_client.post_form("/login", {"email": member.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert "メールアドレスまたはパスワードが正しくありません" in refused.text
    fine = await other_client.post_form("/login", {"email": other.email, "password": PASSWORD})
    assert fine.status_code == 303

    assert (await client.post_form(f"/staff/accounts/{account.id}/activate")).status_code == 303
    stored = await Account.objects().where(Account.id == account.id).first()
    assert stored.active
    assert (await client.post_form("/staff/accounts/99999/deactivate")).status_code == 404
