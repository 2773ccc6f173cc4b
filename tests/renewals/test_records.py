"""Renewal records on both backends: entered, edited and deleted by staff; refused with a clear
message and nothing written when wrong (a date before the contract start, an ARR that does
not fit the outcome, a negative or non-numeric ARR, an unknown account, a second record for the
same period); imported from a CSV in UTF-8 or Shift_JIS, all rows or none; the JSON API."""

from __future__ import annotations

from datetime import date, timedelta

from renewals.tables import Renewal
from tests.factories import make_account, make_member
from tests.support import signed_in

DAY = (date.today() - timedelta(days=20)).isoformat()


async def _staff(client):
    csm = await make_member(None, role="csm")
    await signed_in(client, csm)
    return csm


def form(account_id: int, **values) -> dict[str, str]:
    return {
        "account_id": str(account_id),
        "renewal_date": DAY,
        "outcome": "renewed",
        "arr_before": "",
        "arr_after": "",
        **values,
    }


async def test_staff_record_edit_and_delete_a_renewal(settings, client) -> None:
    account = await make_account("株式会社さくら", arr=2_400_000)
    await _staff(client)
    created = await client.post_form("/staff/renewals", form(account.id, outcome="churned"))
    assert created.status_code == 303
    [row] = await Renewal.select()
    assert (row["outcome"], row["arr_before"], row["arr_after"], row["source"]) == (
        "churned",
        2_400_000,
        0,
        "manual",
    )
    listing = await client.get("/staff/renewals")
    assert "株式会社さくら" in listing.text and "解約" in listing.text
    edit = await client.get(f"/staff/renewals/{row['id']}/edit")
    assert edit.status_code == 200 and f'value="{DAY}"' in edit.text
    changed = await client.post_form(
        f"/staff/renewals/{row['id']}",
        form(account.id, outcome="expanded", arr_after="¥3,000,000"),
    )
    assert changed.status_code == 303
    [row] = await Renewal.select()
    assert (row["outcome"], row["arr_after"]) == ("expanded", 3_000_000)
    deleted = await client.post_form(f"/staff/renewals/{row['id']}/delete")
    assert deleted.status_code == 303 and await Renewal.count() == 0
    gone = await client.post_form(f"/staff/renewals/{row['id']}/delete")
    assert gone.status_code == 404


async def test_wrong_renewals_are_refused_in_japanese_and_nothing_is_written(
    settings, client
) -> None:
    account = await make_account("株式会社みなと", contract_start=date.today() - timedelta(days=5))
    await _staff(client)
    cases = [
        (form(account.id), "契約開始日より前"),  # 20 days ago, the contract began 5 days ago
        (form(account.id, renewal_date=date.today().isoformat(), arr_after="100"), None),
        (
            form(
                account.id,
                renewal_date=date.today().isoformat(),
                outcome="churned",
                arr_after="100",
            ),
            "解約した顧客企業の更新後ARRは0",
        ),
        (
            form(
                account.id,
                renewal_date=date.today().isoformat(),
                outcome="expanded",
                arr_before="100",
                arr_after="50",
            ),
            "拡大",
        ),
        (form(account.id, arr_before="-5"), None),
        (form(account.id, arr_before="たくさん"), None),
        (form(999_999), "一覧から顧客企業を選んでください"),
        (form(account.id, outcome="maybe"), None),
    ]
    for data, message in cases[:1] + cases[2:]:
        answer = await client.post_form("/staff/renewals", data)
        assert answer.status_code in (400, 404, 422), (data, answer.status_code)
        assert 'role="alert"' in answer.text or "has-error" in answer.text
        if message:
            assert message in answer.text, (data, answer.text[:2000])
    assert await Renewal.count() == 0
    ok = await client.post_form("/staff/renewals", cases[1][0])
    assert ok.status_code == 303 and await Renewal.count() == 1
    again = await client.post_form("/staff/renewals", cases[1][0])  # the same period again
    assert again.status_code == 409 and "同じ日の更新が既にあります" in again.text
    assert await Renewal.count() == 1


async def _upload(client, data: bytes, name: str = "renewals.csv"):
    token = await client.csrf_token()
    return await client.raw.post(
        "/staff/renewals/import",
        data={"_csrf_token": token},
        files={"file": (name, data, "text/csv")},
    )


async def test_a_csv_is_imported_whole_in_utf8_or_shift_jis(settings, client) -> None:
    sakura = await make_account("株式会社さくら", arr=2_000_000)
    minato = await make_account("株式会社みなと", crm_external_id="0015g00000MINATO")
    await _staff(client)
    text = (
        "会社名,crm_id,更新日,結果,更新前ARR,更新後ARR\n"
        '株式会社さくら,,2025/4/1,拡大,"2,000,000",2400000\n'
        ",0015g00000MINATO,2025-10-01,解約,,\n"
    )
    answer = await _upload(client, text.encode("cp932"))
    assert answer.status_code == 303, answer.text
    rows = {r["account"]: r for r in await Renewal.select()}
    assert rows[sakura.id]["outcome"] == "expanded" and rows[sakura.id]["arr_after"] == 2_400_000
    assert rows[minato.id]["outcome"] == "churned" and rows[minato.id]["source"] == "csv"
    again = await _upload(client, text.replace("拡大", "更新").replace("2400000", "").encode())
    assert again.status_code == 303 and await Renewal.count() == 2  # replaced, not doubled
    [row] = await Renewal.select().where(Renewal.account == sakura.id)
    assert (row["outcome"], row["arr_after"]) == ("renewed", 2_000_000)


async def test_a_csv_with_any_wrong_row_imports_nothing(settings, client) -> None:
    await make_account("株式会社さくら", contract_start=date(2025, 1, 1))
    await _staff(client)
    text = (
        "account,renewal_date,outcome,arr_before,arr_after\n"
        "株式会社さくら,2025-06-01,renewed,100,100\n"  # fine
        "株式会社さくら,2024-06-01,renewed,100,100\n"  # before the contract start
        "株式会社ないしょ,2025-06-01,renewed,100,100\n"  # unknown account
        "株式会社さくら,2025-13-01,renewed,100,100\n"  # not a date
        "株式会社さくら,2025-07-01,たぶん,100,100\n"  # not an outcome
        "株式会社さくら,2025-08-01,renewed,-100,100\n"  # negative ARR
        "株式会社さくら,2025-06-01,churned,100,0\n"  # the same period as line 2
    )
    answer = await _upload(client, text.encode())
    assert answer.status_code == 400
    body = answer.text
    for line in (4, 5, 6, 7):
        assert f"{line}行目" in body, line
    assert await Renewal.count() == 0
    answer = await _upload(
        client,
        (
            text.splitlines()[0] + "\n" + text.splitlines()[1] + "\n" + text.splitlines()[7] + "\n"
        ).encode(),
    )
    assert answer.status_code == 400 and "2行目と同じ顧客企業と日付" in answer.text
    assert await Renewal.count() == 0
    wrong = await _upload(client, "account\tdate\n".encode("utf-16"))
    assert wrong.status_code == 400 and await Renewal.count() == 0
    header = await _upload(client, b"name,arr\nx,1\n")
    assert header.status_code == 400 and "renewal_date" in header.text


async def test_the_api_records_lists_updates_and_deletes(settings, client) -> None:
    account = await make_account("株式会社さくら", arr=1_000_000)
    await _staff(client)
    body = {
        "account_id": account.id,
        "renewal_date": DAY,
        "outcome": "downgraded",
        "arr_after": 600_000,
    }
    created = await client.api("POST", "/api/v1/renewals", json=body)
    assert created.status_code == 201, created.text
    renewal = created.json()
    assert (renewal["arr_before"], renewal["account_name"]) == (1_000_000, "株式会社さくら")
    assert (await client.api("POST", "/api/v1/renewals", json=body)).status_code == 409
    listed = (await client.api("GET", f"/api/v1/renewals?account_id={account.id}")).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == renewal["id"]
    wrong = await client.api(
        "PUT", f"/api/v1/renewals/{renewal['id']}", json={**body, "arr_after": 2_000_000}
    )
    assert wrong.status_code == 422  # a downgrade cannot raise the ARR
    assert (
        await client.api(
            "PUT",
            f"/api/v1/renewals/{renewal['id']}",
            json={**body, "outcome": "renewed", "arr_after": None},
        )
    ).json()["arr_after"] == 1_000_000
    assert (
        await client.api("POST", "/api/v1/renewals", json={**body, "arr_before": "many"})
    ).status_code == 400
    assert (await client.api("GET", "/api/v1/renewals/999999")).status_code == 404
    deleted = await client.api("DELETE", f"/api/v1/renewals/{renewal['id']}")
    assert deleted.status_code == 204 and await Renewal.count() == 0


async def test_customers_see_no_renewal(settings, client) -> None:
    account = await make_account("株式会社さくら")
    await signed_in(client, await make_member(account))
    assert (await client.get("/staff/renewals")).status_code == 403
    assert (await client.api("GET", "/api/v1/renewals")).status_code == 403
