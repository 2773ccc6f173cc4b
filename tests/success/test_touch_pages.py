"""The touch form: a calendar file read into it (attendees matched by email, another
account's member not), the same meeting not logged twice, a file in the wrong encoding or
not a calendar refused; form refusals in the user's language with nothing written."""

from __future__ import annotations

from datetime import date, timedelta

from success.tables import Touch
from tests.success.helpers import Cast, content
from tests.support import signed_in

START = (date.today() - timedelta(days=1)).strftime("%Y%m%d")


def meeting(*attendees: str, uid: str = "meeting-1@example.com") -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Test//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTART:{START}T010000Z",
        f"DTEND:{START}T013000Z",
        "SUMMARY:月次定例",
        "ORGANIZER;CN=佐藤:mailto:csm@vendor.example",
        *[f"ATTENDEE;CN=x:mailto:{a}" for a in attendees],
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


async def _import(client, cast: Cast, data: bytes, name: str = "meeting.ics"):
    token = await client.csrf_token()
    return await client.raw.post(
        f"/staff/success/accounts/{cast.account.id}/touches/import",
        data={"_csrf_token": token},
        files={"file": (name, data, "text/calendar")},
    )


async def test_a_calendar_meeting_fills_the_form(app, client) -> None:
    cast = await Cast.create()
    await signed_in(client, cast.csm)
    page = await _import(
        client, cast, meeting("ALICE@sakura.example", cast.olga.email, "x@else.example")
    )
    assert page.status_code == 200
    assert 'value="月次定例"' in page.text and 'value="30"' in page.text
    assert f'name="participant_ids" value="{cast.alice.id}" checked' in page.text
    assert f'name="participant_ids" value="{cast.bob.id}" checked' not in page.text
    assert "olga@minato.example" in page.text and "x@else.example" in page.text  # unmatched
    assert 'name="ics_uid" value="meeting-1@example.com"' in page.text
    assert await Touch.count() == 0  # nothing saved before the CSM checks it

    form = {
        "ics_uid": "meeting-1@example.com",
        "occurred_at": f"{(date.today() - timedelta(days=1)).isoformat()}T10:00",
        "duration_minutes": "30",
        "participant_ids": str(cast.alice.id),
    }
    url = f"/staff/success/accounts/{cast.account.id}/touches/new"
    assert (await client.post_form(url, form)).status_code == 303
    twice = await client.post_form(url, form)
    assert twice.status_code == 400 and "このカレンダーの予定は記録済みです" in twice.text
    assert await Touch.count() == 1


async def test_files_that_are_not_calendars_are_refused(app, client) -> None:
    cast = await Cast.create()
    await signed_in(client, cast.csm)
    cases = [
        ("月次定例".encode("cp932"), "UTF-8 のテキストではありません"),
        (b"name,email\nx,y\n", "カレンダーファイル（.ics）ではありません"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "予定が含まれていません"),
        (b"", "ファイルが空です"),
    ]
    for data, message in cases:
        response = await _import(client, cast, data)
        assert response.status_code == 400 and message in response.text, (
            data,
            response.text[:3000],
        )


async def test_the_touch_form_refuses_in_the_users_language(app, client) -> None:
    cast = await Cast.create()
    item = await content(cast.admin)
    await signed_in(client, cast.csm)
    url = f"/staff/success/accounts/{cast.account.id}/touches/new"
    when = f"{(date.today() - timedelta(days=1)).isoformat()}T10:00"
    cases = [
        (
            {"occurred_at": "昨日", "participant_ids": str(cast.alice.id)},
            400,
            "有効な日時を入力してください",
        ),
        (
            {"occurred_at": when, "participant_ids": str(cast.olga.id)},
            400,
            "参加者はこの顧客企業のメンバーから選んでください",
        ),
        (
            {
                "occurred_at": when,
                "participant_ids": str(cast.alice.id),
                "homework_items": str(item),
                "homework_members": str(cast.bob.id),
            },
            400,
            "宿題はミーティングに参加したメンバーにだけ出せます",
        ),
        (
            {
                "occurred_at": when,
                "participant_ids": str(cast.alice.id),
                "homework_items": str(item),
                "homework_due_on": (date.today() - timedelta(days=2)).isoformat(),
            },
            400,
            "期限が過去の日付です",
        ),
        (
            {"occurred_at": when, "participant_ids": str(cast.alice.id), "duration_minutes": "0"},
            400,
            "1以上の値を入力してください",
        ),
        (
            {"occurred_at": when, "participant_ids": "99999999"},
            400,
            "参加者はこの顧客企業のメンバーから選んでください",
        ),
    ]
    for form, status, message in cases:
        response = await client.post_form(url, form)
        assert response.status_code == status, (form, response.status_code)
        assert message in response.text, (form, response.text[:3000])
    assert await Touch.count() == 0
    unknown = await client.post_form(
        "/staff/success/accounts/99999999/touches/new", {"occurred_at": when}
    )
    assert unknown.status_code == 404
