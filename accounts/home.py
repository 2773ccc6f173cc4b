"""The home page: a landing page for visitors, the member's start page once signed in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from accounts.tables import Account

HomeSection = Callable[[Any], Awaitable[tuple[str, dict[str, Any]] | None]]
HOME_SECTIONS: list[HomeSection] = []


def register_home_section(section: HomeSection) -> None:
    """Domains add a block to the member's home page: (template, context) or None to skip."""
    HOME_SECTIONS.append(section)


class HomeController(Controller):
    @get("/", include_in_schema=False)
    async def home(self, request: Request[Any, Any, Any]) -> Template:
        """Landing page, or the signed-in member's start page."""
        user = request.scope.get("user")
        if user is None:
            return Template("home_public.html", context={})
        account = None
        if user.account is not None:
            account = await Account.objects().where(Account.id == user.account).first()
        sections = []
        for section in HOME_SECTIONS:
            block = await section(user)
            if block is not None:
                sections.append(block)
        return Template("home.html", context={"account": account, "sections": sections})
