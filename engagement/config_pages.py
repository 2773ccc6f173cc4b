"""The scoring configuration page (admins): the form of every setting and the version history."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from core.forms import read_form
from core.guards import requires_admin
from core.i18n import gettext, lazy
from core.web import flash, redirect
from engagement.config_service import (
    BOOLEAN_FIELDS,
    GROUPS,
    form_values,
    parse_settings,
    save_config,
    version_history,
)
from engagement.versions import current_config


async def _config_page(
    values: dict[str, Any], errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    version, _ = await current_config()
    if errors:
        errors = {
            **errors,
            "__all__": gettext("The configuration was not saved. Check the fields."),
        }
    return Template(
        "engagement/config.html",
        context={
            "groups": GROUPS,
            "booleans": BOOLEAN_FIELDS,
            "values": values,
            "errors": errors or {},
            "version": version,
            "history": await version_history(),
        },
        status_code=status,
    )


class ScoringConfigController(Controller):
    """Scoring weights, decay, measures, bands, trend, tiers, alerts and re-engagement."""

    path = "/staff/engagement/config"
    guards = [requires_admin]
    include_in_schema = False

    @get("/")
    async def config_page(self) -> Template:
        """The settings in force, and who changed what before."""
        _, settings = await current_config()
        return await _config_page(form_values(settings))

    @post("/")
    async def save(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Save a new version and recompute every score; a bad value saves nothing."""
        data = await read_form(request)
        settings, errors = parse_settings(data)
        if settings is None:
            return await _config_page(data, errors, 400)
        version = await save_config(settings, request.user.id)
        flash(
            request,
            lazy("Saved as version %(version)s. Every score is being recomputed.", version=version),
            "success",
        )
        return redirect("/staff/engagement/config")
