"""The settings of events: the largest attendance report accepted."""

from __future__ import annotations

from core.settings import CoreSettings


class EventsSettings(CoreSettings):
    """The settings of events: the largest attendance report accepted."""

    attendance_max_bytes: int = 10 * 1024 * 1024
    """Largest attendance report (Zoom or Teams export) staff may upload for an event."""
