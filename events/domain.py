"""What events bring: their pages, check-in and attendance, the member's upcoming events on
the home page, and the sweeps: reminders, lottery draws, no-shows."""

from __future__ import annotations

from core.i18n import N_
from core.jobs import cron
from core.web import nav
from core.wiring import Domain
from events.attendance.noshow import mark_no_shows, sweep_no_shows
from events.attendance.pages import ATTENDANCE_ROUTES
from events.attendance.zoom_pull import (
    ZoomPullController,
    ZoomWebhookController,
    poll_ended_zoom_events,
    pull_zoom_attendance,
)
from events.controllers import ROUTES, home_section
from events.demo import load_events_demo
from events.emails import event_email
from events.jobs import sweep_lotteries, sweep_reminders
from events.subjects import registration_links

EVERY_MINUTE = set(range(60))

DOMAIN = Domain(
    name="events",
    routes=(*ATTENDANCE_ROUTES, *ROUTES, ZoomPullController, ZoomWebhookController),
    jobs=(mark_no_shows, event_email, pull_zoom_attendance),
    crons=(
        cron(sweep_reminders, minute=EVERY_MINUTE),
        cron(sweep_lotteries, minute=EVERY_MINUTE),
        cron(sweep_no_shows, minute={0, 15, 30, 45}),
        # The fallback for lost webhooks: Zoom-hosted events that ended without a pull.
        cron(poll_ended_zoom_events, minute={7, 22, 37, 52}),
    ),
    nav=(nav(N_("Events"), "/events", {"customer", "csm", "admin"}, 15),),
    home_sections=(home_section,),
    subject_links={"registration": registration_links},
    demo=lambda _settings: load_events_demo(),
)
