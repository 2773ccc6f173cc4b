"""How events name the subjects of their signals on other domains' pages: a registration as
its event's title, linked to the event page (`Domain.subject_links`)."""

from __future__ import annotations

from core.subjects import SubjectLink
from events.tables import Registration


async def registration_links(ids: list[int]) -> dict[int, SubjectLink]:
    """{registration id: link to its event}."""
    rows = await Registration.select(
        Registration.id, Registration.event, Registration.event.title.as_alias("title")
    ).where(Registration.id.is_in(ids))
    return {
        row["id"]: SubjectLink(title=row["title"], href=f"/events/{row['event']}") for row in rows
    }
