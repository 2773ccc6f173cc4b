"""The home page: a landing page for visitors, the member's start page once signed in."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from accounts.tables import Account
from core.wiring import Wiring


class HomeController(Controller):
    @get("/", include_in_schema=False)
    async def home(self, request: Request[Any, Any, Any]) -> Template:
        """Landing page, or the signed-in member's start page: each domain's section (its
        `Domain.home_sections`), in the order of the domains."""
        user = request.scope.get("user")
        if user is None:
            return Template("home_public.html", context={})
        account = None
        if user.account is not None:
            account = await Account.objects().where(Account.id == user.account).first()
        sections = []
        wiring: Wiring = request.app.state.wiring
        for section in wiring.home_sections:
            block = await section(user)
            if block is not None:
                sections.append(block)
        return Template("home.html", context={"account": account, "sections": sections})
