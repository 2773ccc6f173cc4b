"""Feedback: attendees rate 1–5 with a comment, once (editable); staff see the summary."""

from __future__ import annotations

from datetime import timedelta

from events.tables import Feedback
from tests.events.attendance_helpers import People, make_event, register
from tests.support import signed_in


async def answers() -> list[dict]:
    return list(await Feedback.select().order_by(Feedback.id))


async def test_an_attendee_rates_and_can_change_the_answer(client, settings):
    people = await People.create()
    event = await make_event("mokumoku")
    mine = await register(event, people.alice, attendance="attended")
    await signed_in(client, people.alice)
    url = f"/events/{event.id}/feedback"
    response = await client.post_form(url, {"rating": "4", "comment": "設定が進みました。"})
    assert response.status_code == 303 and response.headers["location"] == f"/events/{event.id}"
    changed = await client.post_form(url, {"rating": "5", "comment": "とても助かりました！"})
    assert changed.status_code == 303
    [answer] = await answers()
    assert (answer["registration"], answer["rating"]) == (mine["id"], 5)
    assert answer["comment"] == "とても助かりました！"
    page = await client.get(url)
    assert "回答済みです" in page.text and "とても助かりました！" in page.text


async def test_bad_ratings_are_refused_and_nothing_is_stored(client, settings):
    people = await People.create()
    event = await make_event("webinar")
    await register(event, people.alice, attendance="attended")
    await signed_in(client, people.alice)
    url = f"/events/{event.id}/feedback"
    for rating in ("0", "6", "abc", "4.5", None):
        data = {"comment": "よかった"} | ({"rating": rating} if rating is not None else {})
        response = await client.post_form(url, data)
        assert response.status_code == 400, rating
        assert "評価を1〜5から選んでください" in response.text
        assert "よかった" in response.text  # the comment is kept in the form
    long = await client.post_form(url, {"rating": "3", "comment": "あ" * 2001})
    assert long.status_code == 400 and "コメントは 2000 文字以内" in long.text
    assert await answers() == []


async def test_only_attendees_after_the_start_give_feedback(client, settings):
    people = await People.create()
    event = await make_event("webinar")
    await register(event, people.alice)  # registered, attendance unknown
    upcoming = await make_event("mokumoku", starts_in=timedelta(minutes=20))
    await register(upcoming, people.bob, attendance="attended")  # checked in early
    await signed_in(client, people.alice)
    absent = await client.post_form(f"/events/{event.id}/feedback", {"rating": "5"})
    assert absent.status_code == 400 and "出席した方だけ" in absent.text
    await signed_in(client, people.bob)
    early = await client.post_form(f"/events/{upcoming.id}/feedback", {"rating": "5"})
    assert early.status_code == 400 and "イベント開始後に回答できます" in early.text
    assert early.headers["content-type"].startswith("text/html")
    page = await client.get(f"/events/{upcoming.id}")
    assert 'name="rating"' not in page.text  # issue 12: not offered before the start
    form = await client.get(f"/events/{upcoming.id}/feedback")
    assert form.status_code == 400 and "イベント開始後に回答できます" in form.text
    stranger = await client.post_form(f"/events/{event.id}/feedback", {"rating": "5"})
    assert stranger.status_code == 400
    assert await answers() == []


async def test_staff_see_average_count_and_comments(client, other_client, settings):
    people = await People.create()
    event = await make_event("mokumoku")
    for member, rating, comment in (
        (people.alice, "5", "質問にすぐ答えてもらえました。"),
        (people.anna, "4", ""),
        (people.bob, "2", "音声が聞き取りにくかったです。"),
    ):
        await register(event, member, attendance="attended")
        await signed_in(other_client, member)
        response = await other_client.post_form(
            f"/events/{event.id}/feedback", {"rating": rating, "comment": comment}
        )
        assert response.status_code == 303
    await signed_in(client, people.csm)
    page = await client.get(f"/staff/events/{event.id}/attendance")
    assert "3 件の回答の平均は 5 点中 3.7 点です" in page.text
    assert "質問にすぐ答えてもらえました。" in page.text
    assert "音声が聞き取りにくかったです。" in page.text and "坊 太郎" in page.text
    await signed_in(other_client, people.alice)
    assert (await other_client.get(f"/staff/events/{event.id}/attendance")).status_code == 403
