"""The settings of events: the largest attendance report accepted."""

from __future__ import annotations

from pydantic import SecretStr

from core.settings import CoreSettings


class EventsSettings(CoreSettings):
    """The settings of events: the largest attendance report accepted, and the Zoom
    connection attendance is pulled through."""

    attendance_max_bytes: int = 10 * 1024 * 1024
    """Largest attendance report (Zoom or Teams export) staff may upload for an event."""
    zoom_account_id: str | None = None
    """Zoom Server-to-Server OAuth app: account ID (with the client ID and secret, attendance
    of events whose join URL is a Zoom meeting is pulled when the meeting ends)."""
    zoom_client_id: str | None = None
    """Zoom Server-to-Server OAuth app: client ID."""
    zoom_client_secret: SecretStr | None = None
    """Zoom Server-to-Server OAuth app: client secret."""
    zoom_webhook_secret: SecretStr | None = None
    """The Zoom app's webhook Secret Token: signs meeting.ended events sent to /webhooks/zoom."""
    zoom_api_url: str = "https://api.zoom.us/v2"
    """Zoom's REST API (a stand-in server in tests)."""
    zoom_oauth_url: str = "https://zoom.us/oauth/token"
    """Zoom's OAuth token endpoint."""
    zoom_retry_seconds: float = 300.0
    """Wait before asking Zoom again for a report it has not made yet (up to 12 times)."""

    @property
    def zoom_configured(self) -> bool:
        return bool(self.zoom_account_id and self.zoom_client_id and self.zoom_client_secret)
