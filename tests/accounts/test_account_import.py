"""Account CSV import: row errors, nothing imported from a wrong file, updates by CRM id."""

from __future__ import annotations

from accounts.tables import Account, AccountDomain
from tests.factories import make_account
from tests.support import sign_in_as

NOTHING = "何もインポートしていません"


async def _upload(client, content: bytes, filename: str = "accounts.csv", kind: str = "text/csv"):
    return await client.post_form(
        "/staff/accounts/import", files={"file": (filename, content, kind)}
    )


async def test_a_bad_row_imports_nothing_and_names_its_line(client, settings):
    await sign_in_as(client, "csm")
    content = (
        "name,domain,crm_id,arr\n"
        "株式会社いろは,iroha.example,CRM-A,1200000\n"
        ",empty.example,CRM-B,100\n"
        "株式会社ほへと,hoheto.example,CRM-C,たくさん\n"
    ).encode()
    response = await _upload(client, content)
    assert response.status_code == 400
    assert NOTHING in response.text
    assert "3行目: 名前が空です" in response.text
    assert "4行目: 年間契約額「たくさん」は円の整数ではありません" in response.text
    assert await Account.count() == 0
    assert await AccountDomain.count() == 0


async def test_a_good_file_creates_and_updates_by_crm_id(client, settings):
    existing = await make_account("旧社名", domains="kept.example", crm_external_id="CRM-1", arr=1)
    await sign_in_as(client, "admin")
    content = (
        "name,domain,crm_id,arr\n"
        '新社名株式会社,kept.example,CRM-1,"2,400,000"\n'
        "株式会社ちりぬ,chirinu.example,CRM-2,500000\n"
        "ドメインなし株式会社,,,0\n"
    ).encode()
    response = await _upload(client, content)
    assert response.status_code == 303, response.text
    listing = await client.get("/staff/accounts")
    assert "インポートしました（新規 2 件、更新 1 件）" in listing.text
    updated = await Account.objects().where(Account.id == existing.id).first()
    assert updated.name == "新社名株式会社" and updated.arr == 2_400_000
    assert await Account.count() == 3
    created = await Account.objects().where(Account.crm_external_id == "CRM-2").first()
    domains = await AccountDomain.select(AccountDomain.domain).where(
        AccountDomain.account == created.id
    )
    assert [d["domain"] for d in domains] == ["chirinu.example"]


async def test_a_domain_of_another_account_imports_nothing(client, settings):
    await make_account("持ち主株式会社", domains="owned.example")
    await sign_in_as(client, "admin")
    content = "name,domain\n新規株式会社,new.example\n横取り株式会社,owned.example\n".encode()
    response = await _upload(client, content)
    assert response.status_code == 400
    assert "3行目: ドメイン owned.example は別の顧客企業のものです" in response.text
    assert await Account.count() == 1


async def test_a_shift_jis_file_from_excel_is_accepted(client, settings):
    await sign_in_as(client, "admin")
    content = '会社名,ドメイン,年間契約額\r\n株式会社わかよ,wakayo.example,"￥1,000"\r\n'.encode(
        "cp932"
    )
    response = await _upload(client, content, kind="application/vnd.ms-excel")
    assert response.status_code == 303, response.text
    account = await Account.objects().where(Account.name == "株式会社わかよ").first()
    assert account is not None and account.arr == 1000


async def test_files_that_are_not_csv_are_refused(client, settings):
    await sign_in_as(client, "admin")
    xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(64)
    response = await _upload(client, xlsx, "accounts.xlsx", "application/octet-stream")
    assert response.status_code == 400
    assert "CSVファイル（.csv）をアップロードしてください" in response.text
    renamed = await _upload(client, xlsx, "accounts.csv")
    assert renamed.status_code == 400
    assert "このファイルはCSVのテキストではありません" in renamed.text
    missing = await client.post_form("/staff/accounts/import", {"note": "no file"})
    assert missing.status_code == 400
    assert "アップロードするCSVファイルを選んでください" in missing.text
    no_header = await _upload(client, b"domain,arr\nx.example,1\n")
    assert no_header.status_code == 400
    assert "「name」列" in no_header.text
    assert await Account.count() == 0


async def test_a_file_over_one_megabyte_is_refused(client, settings):
    await sign_in_as(client, "admin")
    row = "株式会社おおきい,,,1\n".encode()
    content = b"name,domain,crm_id,arr\n" + row * (1024 * 1024 // len(row) + 10)
    response = await _upload(client, content)
    assert response.status_code == 413
    assert "ファイルが1 MBを超えています" in response.text
    assert await Account.count() == 0


async def test_a_body_over_the_request_limit_is_refused_in_japanese(client, settings):
    await sign_in_as(client, "admin")
    content = b"name\n" + b"x" * settings.max_request_body_bytes
    response = await _upload(client, content)
    assert response.status_code == 413
    assert "リクエストが大きすぎます" in response.text
    assert await Account.count() == 0


async def test_reimport_without_crm_id_updates_instead_of_duplicating(client, settings):
    from accounts.csv_import import import_accounts_csv
    from accounts.tables import Account

    data = "name,domain,crm_id,arr\n合同会社つばめ,,,100\n".encode()
    first = await import_accounts_csv(data)
    second = await import_accounts_csv(data.replace(b"100", b"250"))
    assert (first.created, second.created, second.updated) == (1, 0, 1)
    rows = await Account.select(Account.arr).where(Account.name == "合同会社つばめ")
    assert rows == [{"arr": 250}]


async def test_contract_dates_are_imported_and_checked(client, settings):
    await sign_in_as(client, "csm")
    content = (
        "会社名,契約開始日,更新日\n"
        "株式会社日付,2026/4/1,2027-03-31\n"
        "株式会社逆順,2026-04-01,2026-03-01\n"
        "株式会社誤記,2026-02-30,\n"
    ).encode()
    response = await _upload(client, content)
    assert response.status_code == 400 and NOTHING in response.text
    assert "3行目: 更新日が契約開始日より前です" in response.text
    assert "4行目: 「2026-02-30」は日付ではありません" in response.text
    assert await Account.count() == 0
    good = await _upload(
        client, "会社名,契約開始日,更新日\n株式会社日付,2026/4/1,2027-03-31\n".encode()
    )
    assert good.status_code == 303
    row = await Account.select(Account.contract_start, Account.renewal_date).first()
    assert (str(row["contract_start"]), str(row["renewal_date"])) == ("2026-04-01", "2027-03-31")
    # A file without the columns keeps the dates.
    await _upload(client, "会社名,年間契約額\n株式会社日付,100\n".encode())
    row = await Account.select(Account.contract_start).first()
    assert str(row["contract_start"]) == "2026-04-01"


async def test_the_account_form_takes_contract_dates(client, settings):
    await sign_in_as(client, "admin")
    form = {"name": "日付株式会社", "touch_tier": "low", "arr": "0"}
    wrong = await client.post_form(
        "/staff/accounts/new",
        {**form, "contract_start": "2026-05-01", "renewal_date": "2026-04-01"},
    )
    assert wrong.status_code == 400 and "更新日は契約開始日以降にしてください" in wrong.text
    assert await Account.count() == 0
    saved = await client.post_form(
        "/staff/accounts/new",
        {**form, "contract_start": "2026-05-01", "renewal_date": "2027-04-30"},
    )
    assert saved.status_code == 303
    account = await Account.select(Account.id, Account.renewal_date).first()
    api = await client.get(f"/api/v1/accounts/{account['id']}")
    assert (
        api.json()["contract_start"] == "2026-05-01" and api.json()["renewal_date"] == "2027-04-30"
    )
