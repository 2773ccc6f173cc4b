"""The forum's subjects as links (core.subjects): topics by id, with their titles.

Hidden topics are left out — the account page that shows them may be a customer's own view —
and are shown there as a topic no longer visible.
"""

from __future__ import annotations

from community.tables import Topic
from core.subjects import SubjectLink


async def topic_links(ids: list[int]) -> dict[int, SubjectLink]:
    rows = await Topic.select(Topic.id, Topic.title).where(
        Topic.id.is_in(ids) & (Topic.hidden == False)  # noqa: E712 - SQL, not Python
    )
    return {row["id"]: SubjectLink(row["title"], f"/community/t/{row['id']}") for row in rows}
