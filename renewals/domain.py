"""What renewals bring: renewal outcomes (entered, imported, and later pulled from the CRM),
the backtest of the score against them, their JSON, and the demo's two years of history."""

from __future__ import annotations

from core.i18n import N_
from core.web import nav
from core.wiring import Domain
from renewals.api import RenewalsApiController
from renewals.controllers import RenewalsController
from renewals.demo import load_renewals_demo

DOMAIN = Domain(
    name="renewals",
    routes=(RenewalsController, RenewalsApiController),
    nav=(nav(N_("Renewals"), "/staff/renewals", {"csm", "admin"}, 23),),
    demo=load_renewals_demo,
)
