"""What content brings: the library for members (tracked links, done marks) and for staff,
its JSON, what is new on the home page, and the demo's library."""

from __future__ import annotations

from content.controllers import ROUTES, home_section
from content.demo import load_content_demo
from core.i18n import N_
from core.web import nav
from core.wiring import Domain

DOMAIN = Domain(
    name="content",
    routes=ROUTES,
    nav=(nav(N_("Content"), "/content", {"customer", "csm", "admin"}, 17),),
    home_sections=(home_section,),
    demo=lambda _settings: load_content_demo(),
)
