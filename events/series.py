"""Recurring mokumoku-kai: a series generates N occurrences, weekly or monthly.

The series keeps its template (the first occurrence as written: wall-clock times in its time
zone). Occurrence i starts i weeks or i months after the first, at the same local time (a
monthly date past the month's end falls on its last day); the other times keep their offset
to the start. Editing the series rewrites the template and changes the occurrences that are
still ahead and were not edited on their own (`series_detached`); past ones keep their values.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Any

from accounts.tables import Member
from core.database import transaction
from core.errors import NotFound
from core.i18n import N_
from core.templating import get_timezone
from core.timeutil import utcnow
from events.locking import lock_event
from events.rows import EventRow
from events.rules import require_staff
from events.schemas import SeriesIn
from events.services import apply_event_values, clean_event, insert_event
from events.tables import Event, EventSeries, EventStatus, Frequency

SERIES_NOT_FOUND = N_("This series does not exist.")
SHIFTED = (
    "ends_at",
    "draw_at",
    "registration_opens_at",
    "registration_closes_at",
    "cancellation_deadline",
)


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def occurrence_input(data: SeriesIn, index: int) -> SeriesIn:
    """The form of occurrence `index` (0 = the first): its times moved by the recurrence."""
    start = data.starts_at
    if data.repeat == Frequency.weekly.value:
        new_start = start + timedelta(weeks=index)
    else:
        new_start = add_months(start, index)
    changes: dict[str, Any] = {"starts_at": new_start}
    for name in SHIFTED:
        value = getattr(data, name)
        if value is not None:
            # Same offset to the start, in the same zone (naive local times move as such).
            offset = value.replace(tzinfo=None) - start.replace(tzinfo=None)
            moved = new_start.replace(tzinfo=None) + offset
            changes[name] = moved.replace(tzinfo=value.tzinfo)
    return data.model_copy(update=changes)


async def get_series(series_id: int) -> dict[str, Any]:
    row = await EventSeries.select().where(EventSeries.id == series_id).output(load_json=True)
    if not row:
        raise NotFound(SERIES_NOT_FOUND)
    return row[0]


async def series_events(series_id: int) -> list[EventRow]:
    rows = await Event.select().where(Event.series == series_id).order_by(Event.series_index)
    return [EventRow.of(row) for row in rows]


def series_form(series: dict[str, Any]) -> SeriesIn:
    """The stored template as the form it was written with."""
    template = dict(series["template"])
    template.update(repeat=series["frequency"], occurrences=series["occurrences"])
    return SeriesIn.model_validate(template)


async def create_series(actor: Member, data: SeriesIn, publish: bool = False) -> int:
    """A series and its occurrences (drafts, or published at once)."""
    require_staff(actor)
    data = data.model_copy(update={"timezone": data.timezone or get_timezone()})
    cleaned = [await clean_event(occurrence_input(data, i)) for i in range(data.occurrences)]
    status = EventStatus.published.value if publish else EventStatus.draft.value
    template = data.model_dump(mode="json", exclude={"repeat", "occurrences"})
    async with transaction():
        series = EventSeries(
            frequency=data.repeat,
            occurrences=data.occurrences,
            template=template,
            created_by=actor.id,
        )
        await series.save()
        for index, (values, hosts, accounts) in enumerate(cleaned, start=1):
            await insert_event(
                actor,
                values,
                hosts,
                accounts,
                status=status,
                series=series.id,
                series_index=index,
            )
    return int(series.id)


async def update_series(actor: Member, series_id: int, data: SeriesIn) -> int:
    """Save the series template and apply it to its future, non-detached occurrences (the
    recurrence and the number of occurrences stay). Returns how many occurrences changed.
    A refusal for any occurrence (e.g. a capacity below its confirmed count) changes none."""
    require_staff(actor)
    series = await get_series(series_id)
    data = data.model_copy(
        update={
            "repeat": series["frequency"],
            "occurrences": series["occurrences"],
            "timezone": data.timezone or get_timezone(),
        }
    )
    occurrences = await series_events(series_id)
    now = utcnow()
    changed = 0
    template = data.model_dump(mode="json", exclude={"repeat", "occurrences"})
    planned = []
    for event in occurrences:
        values, hosts, accounts = await clean_event(
            occurrence_input(data, (event.series_index or 1) - 1)
        )
        planned.append((event.id, values, hosts, accounts))
    async with transaction():
        await EventSeries.update({EventSeries.template: template}).where(
            EventSeries.id == series_id
        )
        for event_id, values, hosts, accounts in planned:
            event = await lock_event(event_id)
            if event.series_detached or event.starts_at <= now:
                continue
            if event.status not in (EventStatus.draft.value, EventStatus.published.value):
                continue
            await apply_event_values(event, values, hosts, accounts)
            changed += 1
    return changed


async def publish_series(actor: Member, series_id: int) -> int:
    """Publish every draft occurrence of the series that is still ahead."""
    require_staff(actor)
    await get_series(series_id)
    async with transaction():
        published = await (
            Event.update({Event.status: EventStatus.published.value, Event.updated_at: utcnow()})
            .where(
                (Event.series == series_id)
                & (Event.status == EventStatus.draft.value)
                & (Event.starts_at > utcnow())
            )
            .returning(Event.id)
        )
    return len(published)
