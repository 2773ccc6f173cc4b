"""The score fields an export can carry, and how each is written as a value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from core.i18n import N_
from core.timeutil import to_zone

Kind = Literal["int", "number", "text", "date", "datetime"]


@dataclass(frozen=True)
class ScoreField:
    name: str
    label: str  # msgid
    kind: Kind
    """How CRMs take it: Last_Engagement_Date__c is a Date, so the last activity is a date."""


SCORE_FIELDS: tuple[ScoreField, ...] = (
    ScoreField("score", N_("Engagement score"), "number"),
    ScoreField("band", N_("Band"), "text"),
    ScoreField("trend", N_("Trend"), "text"),
    ScoreField("community", N_("Community measure"), "number"),
    ScoreField("events", N_("Events measure"), "number"),
    ScoreField("breadth", N_("Breadth measure"), "number"),
    ScoreField("recency", N_("Recency measure"), "number"),
    ScoreField("last_activity_at", N_("Last activity date"), "date"),
    ScoreField("updated_at", N_("Score updated at"), "datetime"),
    # The CSM's workbench (success.figures): empty in a webhook, which a score change sends.
    ScoreField("human_share", N_("Human share of touch, last 30 days, in percent"), "number"),
    ScoreField("last_human_touch_at", N_("Last 1:1 touch"), "date"),
    ScoreField("open_tasks", N_("Open tasks"), "int"),
)
FIELDS_BY_NAME = {f.name: f for f in SCORE_FIELDS}


def number_text(value: float | int) -> str:
    """A number as CRMs parse it: no exponent, no thousands separator, at most 2 decimals."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    rounded = round(float(value), 2)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.2f}".rstrip("0")


def json_number(value: float | int) -> float | int:
    rounded = round(float(value), 2)
    return int(rounded) if rounded == int(rounded) else rounded


def iso_datetime(moment: datetime) -> str:
    """ISO 8601 with offset, to the second (Salesforce: yyyy-MM-ddTHH:mm:ss+00:00)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def local_date(moment: datetime | date, zone: str) -> str:
    """yyyy-MM-dd of `moment` as seen in `zone` (the vendor's business day)."""
    if isinstance(moment, datetime):
        return to_zone(moment, zone).date().isoformat()
    return moment.isoformat()


def crm_text(field: ScoreField, value: Any, zone: str) -> str | None:
    """The value of `field` as CRM file text; None when it is null."""
    if value is None:
        return None
    if field.kind in ("number", "int"):
        return number_text(value)
    if field.kind == "date":
        return local_date(value, zone)
    if field.kind == "datetime":
        return iso_datetime(value)
    return str(value)


def crm_json(field: ScoreField, value: Any, zone: str) -> Any:
    """The value of `field` for a JSON body: numbers stay numbers, dates become text."""
    if value is None:
        return None
    if field.kind in ("number", "int"):
        return json_number(value)
    return crm_text(field, value, zone)
