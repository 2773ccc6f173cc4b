"""Homework: the member sees it and marks it done (the content is completed with it), done in
the library counts too, the CSM sees each item's status; someone else's homework is not
found."""

from __future__ import annotations

import pytest

from content.services import complete_item, open_item
from content.tables import ContentProgress
from core.errors import NotFound
from engagement.tables import Signal
from success.homework import complete_homework, on_content_completed
from success.schemas import HomeworkIn
from success.tables import Homework
from tests.success.helpers import Cast, content, logged
from tests.support import signed_in


async def _kinds() -> list[str]:
    """The signal kinds written, but the daily visit a signed-in page records."""
    rows = await Signal.select(Signal.kind).where(Signal.kind != "daily_visit")
    return sorted(row["kind"] for row in rows)


async def test_the_member_marks_homework_done_and_the_csm_sees_it(
    app, client, other_client
) -> None:
    cast = await Cast.create()
    item = await content(cast.admin, "ダッシュボード活用")
    touch_id = await logged(cast, cast.alice, homework=[HomeworkIn(item_id=item)])
    [homework] = await Homework.select().where(Homework.touch == touch_id)

    await signed_in(client, cast.alice)
    home = await client.get("/")
    assert "あなたの宿題" in home.text and "ダッシュボード活用" in home.text
    done = await client.post_form(f"/homework/{homework['id']}/done", {"next": "/"})
    assert done.status_code == 303 and done.headers["location"] == "/"
    again = await client.post_form(f"/homework/{homework['id']}/done", {"next": "/"})
    assert again.status_code == 303
    assert await _kinds() == ["content_completed", "homework_completed", "meeting_attended"]
    progress = await ContentProgress.select().where(ContentProgress.member == cast.alice.id).first()
    assert progress["completed_at"] is not None

    await signed_in(other_client, cast.csm)
    page = await other_client.get(f"/staff/success/touches/{touch_id}")
    assert page.status_code == 200
    assert "完了" in page.text.split('id="homework"')[1]


async def test_completing_the_content_in_the_library_completes_the_homework(app) -> None:
    cast = await Cast.create()
    item = await content(cast.admin)
    await logged(cast, cast.alice, cast.bob, homework=[HomeworkIn(item_id=item)])
    await open_item(cast.alice, item)
    assert await complete_item(cast.alice, item, [on_content_completed])
    rows = await Homework.select(Homework.member, Homework.completed_at).order_by(Homework.member)
    assert [(r["member"], r["completed_at"] is not None) for r in rows] == [
        (cast.alice.id, True),
        (cast.bob.id, False),
    ]
    assert await Signal.count().where(Signal.kind == "homework_completed") == 1


async def test_homework_given_after_the_content_was_done_is_done_on_the_first_click(app) -> None:
    cast = await Cast.create()
    item = await content(cast.admin)
    assert await complete_item(cast.alice, item, [on_content_completed])
    await logged(cast, cast.alice, homework=[HomeworkIn(item_id=item)])
    [homework] = await Homework.select()
    assert homework["completed_at"] is None
    assert await complete_homework(cast.alice, homework["id"], [on_content_completed])
    assert await complete_homework(cast.alice, homework["id"], [on_content_completed]) is False
    assert await Signal.count().where(Signal.kind == "homework_completed") == 1


async def test_someone_elses_homework_is_not_found(app, client) -> None:
    cast = await Cast.create()
    item = await content(cast.admin)
    await logged(cast, cast.alice, homework=[HomeworkIn(item_id=item)])
    [homework] = await Homework.select()
    with pytest.raises(NotFound):
        await complete_homework(cast.bob, homework["id"], [on_content_completed])
    await signed_in(client, cast.olga)
    response = await client.post_form(f"/homework/{homework['id']}/done", {})
    assert response.status_code == 404 and "この宿題は存在しません" in response.text
    api = await client.api("POST", f"/api/v1/homework/{homework['id']}/complete")
    assert api.status_code == 404
    assert (await Homework.select().first())["completed_at"] is None
