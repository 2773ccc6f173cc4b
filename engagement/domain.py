"""What engagement brings: the score pages and API, the score jobs and the nightly pass, the
member's score on the home page, and the demo's two years of signals."""

from __future__ import annotations

from core.i18n import N_
from core.jobs import cron
from core.web import nav
from core.wiring import Domain
from engagement.controllers import ROUTES, home_section
from engagement.demo import load_engagement_demo
from engagement.jobs import (
    NIGHTLY_HOUR_UTC,
    nightly_scores,
    recompute_account_score,
    recompute_all_scores,
)

DOMAIN = Domain(
    name="engagement",
    routes=ROUTES,
    jobs=(recompute_account_score, recompute_all_scores),
    crons=(cron(nightly_scores, hour={NIGHTLY_HOUR_UTC}, minute={0}),),
    nav=(nav(N_("Engagement score"), "/staff/engagement", {"csm", "admin"}, 20),),
    home_sections=(home_section,),
    demo=load_engagement_demo,
)
