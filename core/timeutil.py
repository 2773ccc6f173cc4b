"""Clock and time-zone helpers: store UTC, show in the viewer's zone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, available_timezones


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_zone(moment: datetime, zone: str) -> datetime:
    """`moment` (UTC if naive) seen in `zone`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone))


def is_valid_timezone(zone: str) -> bool:
    return zone in _zones()


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def to_utc(value: datetime | None, zone: str) -> datetime | None:
    """A form's wall-clock time in `zone` (or an API time with an offset) in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)


MAX_RETRY_AFTER = 86400  # a day


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """An HTTP answer's Retry-After as seconds (a delta or an HTTP date), capped at a day."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - utcnow()).total_seconds()
        except (TypeError, ValueError):
            return None
    return max(0.0, min(seconds, MAX_RETRY_AFTER))
