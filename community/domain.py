"""What the forum brings: its pages and API, the notification emails, the member's inbox on
the home page, and its topics as named subjects of the signals."""

from __future__ import annotations

from community.controllers import ROUTES
from community.demo import load_community_demo
from community.inbox import home_section
from community.jobs import email_notification
from community.subjects import topic_links
from core.i18n import N_
from core.web import nav
from core.wiring import Domain

DOMAIN = Domain(
    name="community",
    routes=ROUTES,
    jobs=(email_notification,),
    nav=(
        nav(N_("Community"), "/community", {"customer", "csm", "admin"}, 10),
        nav(N_("Moderation"), "/community/moderation", {"csm", "admin"}, 60),
    ),
    home_sections=(home_section,),
    subject_links={"topic": topic_links},
    demo=lambda _settings: load_community_demo(),
)
