"""Server-side sessions are written when, and only when, their content changed — including a
change inside a value (a list appended to), which a shallow comparison would miss."""

from __future__ import annotations

import re

from tests.events.event_helpers import Cast, new_event
from tests.support import FormClient, signed_in

FLASH = re.compile(r'<p class="flash flash-\w+" role="status">(.*?)</p>')


def writes_session(response) -> bool:
    return any(h.startswith("kizuna_session=") for h in response.headers.get_list("set-cookie"))


async def test_a_second_message_before_a_page_is_shown_is_kept(client: FormClient) -> None:
    cast = await Cast.create()
    first = await new_event(cast.csm, title="もくもく会 A")
    second = await new_event(cast.csm, title="もくもく会 B")
    await signed_in(client, cast.alice)

    # Two clicks whose redirects are not followed before the next one (no page shows the
    # first message in between): both messages wait in the session.
    for event_id in (first, second):
        response = await client.post_form(f"/events/{event_id}/register")
        assert response.status_code == 303
        assert writes_session(response)

    page = await client.get(f"/events/{second}")
    assert len(FLASH.findall(page.text)) == 2
    again = await client.get(f"/events/{second}")
    assert FLASH.findall(again.text) == []


async def test_an_unchanged_session_is_not_written_again(client: FormClient) -> None:
    cast = await Cast.create()
    event_id = await new_event(cast.csm, title="もくもく会 A")
    await signed_in(client, cast.alice)

    first_view = await client.get(f"/events/{event_id}")  # the day's visit is noted once
    second_view = await client.get(f"/events/{event_id}")

    assert first_view.status_code == second_view.status_code == 200
    assert writes_session(first_view)
    assert not writes_session(second_view)
