"""What accounts bring: sign-in and preferences, the home page, the staff directory of
accounts and members, and the demo's accounts (whose absence starts every demo loader)."""

from __future__ import annotations

from accounts.api import AccountsApiController, MembersApiController
from accounts.controllers import ROUTES
from accounts.demo import load_demo_data
from accounts.directory import ROUTES as DIRECTORY_ROUTES
from accounts.home import HomeController
from core.i18n import N_
from core.web import nav
from core.wiring import Domain

STAFF = {"csm", "admin"}

DOMAIN = Domain(
    name="accounts",
    routes=(
        HomeController,
        *ROUTES,
        *DIRECTORY_ROUTES,
        AccountsApiController,
        MembersApiController,
    ),
    nav=(
        nav(N_("Accounts"), "/staff/accounts", STAFF, 80, group="admin"),
        nav(N_("Members"), "/staff/members", STAFF, 81, group="admin"),
    ),
    demo=load_demo_data,
)
