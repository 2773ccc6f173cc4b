"""The app, as the ordered list of its domains: `app.create_app` and `worker` both build
their `Wiring` from it (core.wiring). The order is the home page's order of sections and the
order the demo data loads in; a new domain is one line here."""

from __future__ import annotations

import accounts.domain
import community.domain
import content.domain
import core.domain
import crm.domain
import engagement.domain
import events.domain
import renewals.domain
import success.domain
from core.wiring import Domain

DOMAINS: tuple[Domain, ...] = (
    core.domain.DOMAIN,
    accounts.domain.DOMAIN,
    community.domain.DOMAIN,
    engagement.domain.DOMAIN,
    events.domain.DOMAIN,
    content.domain.DOMAIN,
    renewals.domain.DOMAIN,
    success.domain.DOMAIN,
    crm.domain.DOMAIN,
)
