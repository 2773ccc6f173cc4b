"""Check-in: registrants with their code in the window, staff from the roster, QR, panel."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from core import i18n
from core.templating import environment
from engagement.tables import Signal
from events.attendance.pages import checkin_url, qr_svg
from tests.events.attendance_helpers import People, make_event, register, registration
from tests.support import signed_in

NOW = timedelta(minutes=-10)  # started ten minutes ago: inside the window


async def attended_signals() -> list[dict]:
    return list(
        await Signal.select()
        .where(Signal.kind.is_in(["webinar_attended", "mokumoku_attended"]))
        .order_by(Signal.id)
    )


async def test_registrant_checks_in_with_their_code(client, settings):
    people = await People.create()
    event = await make_event("webinar", starts_in=NOW, minutes=90)
    mine = await register(event, people.alice, code="ABC234")
    await signed_in(client, people.alice)
    # Typed from a phone: lower case, full width, with a dash.
    response = await client.post_form(f"/events/{event.id}/checkin", {"code": "ａｂｃ-２３４"})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/events/{event.id}"
    row = await registration(mine["id"])
    assert row["attendance"] == "attended" and row["checked_in_at"] is not None
    assert row["checked_in_by"] == people.alice.id
    [signal] = await attended_signals()
    assert (signal["kind"], signal["value"]) == ("webinar_attended", 90)
    assert signal["dedupe_key"] == f"attended:{mine['id']}"
    again = await client.post_form(f"/events/{event.id}/checkin", {"code": "ABC234"})
    assert again.status_code == 303
    assert len(await attended_signals()) == 1


async def test_wrong_code_and_another_events_code_are_refused(client, settings):
    people = await People.create()
    event = await make_event("mokumoku", starts_in=NOW, title="11月のもくもく会")
    other = await make_event("mokumoku", starts_in=timedelta(days=7), title="12月のもくもく会")
    mine = await register(event, people.alice, code="ABC234")
    await register(other, people.alice, code="XYZ789")
    await signed_in(client, people.alice)
    wrong = await client.post_form(f"/events/{event.id}/checkin", {"code": "ZZZ999"})
    assert wrong.status_code == 400
    assert "出席コードが正しくありません" in wrong.text
    elsewhere = await client.post_form(f"/events/{event.id}/checkin", {"code": "xyz789"})
    assert elsewhere.status_code == 400
    assert "この出席コードは別のイベント（12月のもくもく会）のものです" in elsewhere.text
    blank = await client.post_form(f"/events/{event.id}/checkin", {"code": " "})
    assert blank.status_code == 400 and "出席コードを入力してください" in blank.text
    assert (await registration(mine["id"]))["attendance"] == ""
    assert await attended_signals() == []


async def test_check_in_only_during_the_window(client, settings):
    people = await People.create()
    later = await make_event("webinar", starts_in=timedelta(minutes=45))
    soon = await make_event("webinar", starts_in=timedelta(minutes=25))
    ended = await make_event("webinar", starts_in=timedelta(hours=-2), minutes=60)
    codes = {}
    for event in (later, soon, ended):
        codes[event.id] = (await register(event, people.alice))["checkin_code"]
    await signed_in(client, people.alice)
    early = await client.post_form(f"/events/{later.id}/checkin", {"code": codes[later.id]})
    assert early.status_code == 400 and "受付は開始の30分前からです" in early.text
    late = await client.post_form(f"/events/{ended.id}/checkin", {"code": codes[ended.id]})
    assert late.status_code == 400 and "受付は締め切りました" in late.text
    ok = await client.post_form(f"/events/{soon.id}/checkin", {"code": codes[soon.id]})
    assert ok.status_code == 303
    assert len(await attended_signals()) == 1


async def test_only_confirmed_registrants_check_in(client, settings):
    people = await People.create()
    event = await make_event("webinar", starts_in=NOW)
    await register(event, people.alice, status="waitlisted", code="WAIT23")
    await signed_in(client, people.alice)
    waiting = await client.post_form(f"/events/{event.id}/checkin", {"code": "WAIT23"})
    assert waiting.status_code == 400 and "参加確定の方だけ" in waiting.text
    await signed_in(client, people.bob)
    stranger = await client.post_form(f"/events/{event.id}/checkin", {"code": "WAIT23"})
    assert stranger.status_code == 400 and "参加申込をしていないため" in stranger.text


async def test_staff_check_in_from_the_roster_with_one_click_and_undo(client, settings):
    people = await People.create()
    event = await make_event("mokumoku", starts_in=timedelta(hours=-3), minutes=120)
    alice = await register(event, people.alice)
    await signed_in(client, people.csm)
    page = await client.get(f"/staff/events/{event.id}/attendance")
    action = f"/staff/events/{event.id}/roster/{alice['id']}/checkin"
    assert page.status_code == 200 and f'action="{action}"' in page.text
    response = await client.post_form(action, {"next": f"/staff/events/{event.id}/attendance"})
    assert response.status_code == 303
    row = await registration(alice["id"])
    assert row["attendance"] == "attended" and row["checked_in_by"] == people.csm.id
    [signal] = await attended_signals()
    assert (signal["kind"], signal["value"]) == ("mokumoku_attended", 120)
    page = await client.get(response.headers["location"])
    assert "受付しました。" in page.text and f"{action}/undo" in page.text
    assert (await client.post_form(action)).status_code == 303
    assert len(await attended_signals()) == 1  # a second click records nothing

    undo = await client.post_form(f"{action}/undo", {"next": "https://evil.example/"})
    assert undo.status_code == 303
    assert undo.headers["location"] == f"/staff/events/{event.id}/attendance"
    row = await registration(alice["id"])
    assert row["attendance"] == "" and row["checked_in_at"] is None
    assert len(await attended_signals()) == 1  # the ledger is append-only


async def test_customers_cannot_check_others_in(client, settings):
    people = await People.create()
    event = await make_event("webinar", starts_in=NOW)
    anna = await register(event, people.anna, code="ANNA23")
    await register(event, people.alice, code="ALIC23")
    await signed_in(client, people.alice)
    roster = await client.post_form(f"/staff/events/{event.id}/roster/{anna['id']}/checkin")
    assert roster.status_code == 403
    by_code = await client.post_form(f"/events/{event.id}/checkin", {"code": "ANNA23"})
    assert by_code.status_code == 400 and "出席コードが正しくありません" in by_code.text
    assert (await registration(anna["id"]))["attendance"] == ""
    assert await attended_signals() == []


async def test_staff_scan_a_code_after_the_event(client, settings):
    people = await People.create()
    event = await make_event("webinar", starts_in=timedelta(hours=-5))
    bob = await register(event, people.bob, code="BOB234")
    await signed_in(client, people.csm)
    page = await client.get(f"/events/{event.id}/checkin?code=bob234")
    assert page.status_code == 200 and "この出席コードは 坊 太郎 さんのものです" in page.text
    response = await client.post_form(f"/events/{event.id}/checkin", {"code": "BOB234"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/events/{event.id}/attendance"
    assert (await registration(bob["id"]))["checked_in_by"] == people.csm.id
    unknown = await client.post_form(f"/events/{event.id}/checkin", {"code": "NONE22"})
    assert unknown.status_code == 400


async def test_roster_search_by_name_email_or_code(client, settings):
    people = await People.create()
    event = await make_event("webinar")
    await register(event, people.alice, code="ALIC23")
    await register(event, people.bob, code="BOBB23")
    await register(event, people.carol, code="CARO23")
    await signed_in(client, people.csm)
    base = f"/staff/events/{event.id}/attendance"
    by_name = await client.get(base, params={"q": "坊"})
    assert "bob@b.example" in by_name.text and "alice@a.example" not in by_name.text
    by_email = await client.get(base, params={"q": "ALICE@A"})
    assert "有栖 花子" in by_email.text and "bob@b.example" not in by_email.text
    by_code = await client.get(base, params={"q": "caro23"})
    assert "キャロル 髙橋" in by_code.text and "有栖 花子" not in by_code.text
    nobody = await client.get(base, params={"q": "100%_"})
    assert "「100%_」に一致する参加者はいません" in nobody.text


async def test_qr_code_encodes_the_check_in_url_of_the_viewers_code(client, settings):
    people = await People.create()
    event = await make_event("webinar", starts_in=timedelta(days=1))
    await register(event, people.alice, code="QRC234")
    await signed_in(client, people.alice)
    response = await client.get(f"/events/{event.id}/checkin/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    url = checkin_url(settings, event.id, "QRC234")
    assert url == f"http://testserver.local/events/{event.id}/checkin?code=QRC234"
    assert response.content == qr_svg(url) and b"<svg" in response.content
    await signed_in(client, people.bob)
    assert (await client.get(f"/events/{event.id}/checkin/qr.svg")).status_code == 404


def render(template: str, **context) -> str:
    request = SimpleNamespace(url=SimpleNamespace(path="/events/1", query=""))
    with i18n.using_locale("ja"):
        return (
            environment()
            .get_template(template)
            .render(csrf_token=lambda: "token", request=request, **context)
        )


async def test_the_event_page_panel(settings):
    event = await make_event("mokumoku", starts_in=timedelta(days=1), online=False)
    base = {"id": 5, "status": "confirmed", "attendance": "", "checkin_code": "PNL234"}
    panel = render("events/_attendance_panel.html", event=event, registration=base, is_staff=False)
    assert "PNL234" in panel and f"/events/{event.id}/checkin/qr.svg" in panel
    assert f'action="/events/{event.id}/checkin"' in panel and "feedback" not in panel
    attended = {**base, "attendance": "attended"}
    panel = render(
        "events/_attendance_panel.html",
        event=event,
        registration=attended,
        is_staff=False,
        feedback_open=True,
    )
    assert f'action="/events/{event.id}/feedback"' in panel and 'name="rating"' in panel
    assert "PNL234" not in panel
    early = render(
        "events/_attendance_panel.html",
        event=event,
        registration=attended,
        is_staff=False,
        feedback_open=False,
    )
    assert 'name="rating"' not in early  # issue 12: no feedback form before the start
    online = event.replace(online=True)
    panel = render("events/_attendance_panel.html", event=online, registration=base, is_staff=False)
    assert "qr.svg" not in panel and "/checkin" not in panel  # a webinar has no reception
    none = render("events/_attendance_panel.html", event=event, registration=None, is_staff=False)
    assert none.strip() == ""
    staff = render("events/_attendance_panel.html", event=event, registration=None, is_staff=True)
    assert f"/staff/events/{event.id}/attendance" in staff
    row = {**base, "id": 9, "checked_in_at": None, "member_name": ""}
    cell = render("events/_roster_checkin.html", event=event, row=row)
    assert f"/staff/events/{event.id}/roster/9/checkin" in cell and 'value="/events/1"' in cell
