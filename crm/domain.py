"""What the CRM export brings: its pages and pull API, webhook deliveries written whenever a
score changes (a listener of engagement's SCORE_CHANGED), the Salesforce and HubSpot sync
jobs, the pulls of accounts and renewal outcomes from them (on demand and nightly), and the
`scores` CLI with the API's security schemes (CrmPlugin)."""

from __future__ import annotations

from core.i18n import N_
from core.jobs import cron
from core.web import nav
from core.wiring import Domain, Listener
from crm.cli import CrmPlugin
from crm.controllers import ROUTES
from crm.imports.jobs import pull_crms_nightly, pull_from_crm
from crm.imports.pages import CrmPullPagesController
from crm.pushes.jobs import poll_salesforce_sync, push_hubspot_sync, run_crm_sync
from crm.webhooks.endpoints import emit_score_events
from crm.webhooks.jobs import deliver_webhook, repair_stalled_deliveries
from engagement.hooks import SCORE_CHANGED

DOMAIN = Domain(
    name="crm",
    routes=(*ROUTES, CrmPullPagesController),
    jobs=(
        deliver_webhook,
        run_crm_sync,
        poll_salesforce_sync,
        push_hubspot_sync,
        pull_from_crm,
    ),
    crons=(
        cron(repair_stalled_deliveries, minute={5, 15, 25, 35, 45, 55}),
        # 19:20 UTC (04:20 in Japan): accounts, then renewals, from each connected CRM.
        cron(pull_crms_nightly, hour={19}, minute={20}),
    ),
    nav=(nav(N_("CRM export"), "/staff/crm", {"admin", "csm"}, 95, group="admin"),),
    listeners=(Listener(SCORE_CHANGED, emit_score_events),),
    plugins=(CrmPlugin(),),
)
