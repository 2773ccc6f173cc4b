"""Across accounts: the mix view (accounts lagging their stage, high-touch accounts without a
human touch, accounts ready for a lighter touch), CSM capacity, the mix targets, playbooks."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from accounts.services import staff_members
from core.errors import DomainError, NotFound
from core.forms import form_failure, read_form, validate
from core.guards import requires_admin, requires_staff
from core.i18n import gettext, lazy
from core.ids import PathId
from core.settings import CoreSettings
from core.timeutil import utcnow
from core.web import flash, redirect
from success.capacity import csm_loads, current_mix_settings, save_mix_settings, set_capacity
from success.mix import statuses
from success.pages import page
from success.playbooks import (
    PLAYBOOK_NOT_FOUND,
    TooBroad,
    evaluate_playbooks,
    preview_count,
    save_playbook,
)
from success.schemas import MixSettings, PlaybookIn
from success.tables import Playbook
from success.triggers import TRIGGERS, Situation, Trigger

MIX_FIELDS = (
    "onboarding_months",
    "adoption_months",
    "onboarding_human",
    "adoption_human",
    "self_reliant_human",
    "tolerance",
    "window_months",
    "no_human_touch_days",
    "hours_high",
    "hours_low",
    "hours_tech",
    "default_capacity_hours",
)


async def situation(settings: CoreSettings) -> Situation:
    return Situation(utcnow(), settings.default_timezone, await current_mix_settings())


class WorkbenchController(Controller):
    """The mix across accounts and the CSMs' capacity."""

    path = "/staff/success"
    guards = [requires_staff]
    include_in_schema = False

    @get("/mix")
    async def mix_page(self, settings: NamedDependency[CoreSettings]) -> Template:
        """Accounts whose mix lags their stage, high-touch accounts no human reached lately,
        and accounts ready for a lighter touch model."""
        mix_settings = await current_mix_settings()
        found = await statuses(mix_settings, settings.default_timezone, utcnow())
        return page(
            "success/mix.html",
            lagging=[s for s in found if s.lags],
            unreached=[s for s in found if s.high_touch_unreached],
            ready=[s for s in found if s.ready_to_move_down],
            mix_settings=mix_settings,
            total=len(found),
        )

    @get("/capacity")
    async def capacity_page(self, settings: NamedDependency[CoreSettings]) -> Template:
        """Each CSM's human-touch hours and planned load against their capacity."""
        mix_settings = await current_mix_settings()
        loads = await csm_loads(mix_settings, settings.default_timezone, utcnow())
        return page("success/capacity.html", loads=loads, mix_settings=mix_settings, errors={})

    @post("/capacity/{csm_id:int}", guards=[requires_admin])
    async def set_capacity(self, request: Request[Any, Any, Any], csm_id: PathId) -> Redirect:
        data = await read_form(request)
        try:
            hours = float(str(data.get("hours") or "").strip())
        except ValueError:
            hours = -1.0
        try:
            await set_capacity(request.user, csm_id, hours)
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            flash(request, lazy("Enter between 1 and 744 hours a month."), "error")
            return redirect("/staff/success/capacity")
        flash(request, lazy("The capacity was saved."), "success")
        return redirect("/staff/success/capacity")

    @get("/settings", guards=[requires_admin])
    async def settings_page(self) -> Template:
        values = (await current_mix_settings()).model_dump()
        return page("success/settings.html", values=values, errors={}, fields=MIX_FIELDS)

    @post("/settings", guards=[requires_admin])
    async def save_settings(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Save the mix targets and the capacity model (a new version)."""
        data = await read_form(request)
        form, errors = validate(MixSettings, {k: v for k, v in data.items() if k in MIX_FIELDS})
        if form is None:
            return page("success/settings.html", 400, values=data, errors=errors, fields=MIX_FIELDS)
        try:
            await save_mix_settings(request.user, form)
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return page(
                "success/settings.html",
                400,
                values=data,
                errors=form_failure(exc),
                fields=MIX_FIELDS,
            )
        flash(request, lazy("The mix targets were saved."), "success")
        return redirect("/staff/success/mix")


def _trigger_choices() -> list[tuple[str, str]]:
    return [(t.value, gettext(spec.label)) for t, spec in TRIGGERS.items()]


async def _playbook_form(
    action: str,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    broad: int | None = None,
) -> Template:
    return page(
        "success/playbook_form.html",
        status,
        action=action,
        values=values,
        errors=errors or {},
        triggers=_trigger_choices(),
        specs={t.value: spec for t, spec in TRIGGERS.items()},
        staff=await staff_members(),
        broad=broad,
    )


class PlaybooksController(Controller):
    """Playbooks: staff read them, admins write them and run them now."""

    path = "/staff/playbooks"
    guards = [requires_staff]
    include_in_schema = False

    @get("/")
    async def index(self, settings: NamedDependency[CoreSettings]) -> Template:
        """Every playbook with how many accounts meet its trigger now."""
        rows = await Playbook.select(
            *Playbook.all_columns(), Playbook.assignee.display_name.as_alias("assignee_name")
        ).order_by(Playbook.id)
        now = await situation(settings)
        counts = {
            row["id"]: await preview_count(row["trigger"], row["threshold"], now) for row in rows
        }
        return page(
            "success/playbooks.html",
            playbooks=rows,
            counts=counts,
            specs={t.value: spec for t, spec in TRIGGERS.items()},
        )

    @get("/new", guards=[requires_admin])
    async def new_page(self) -> Template:
        values = {
            "trigger": Trigger.score_red.value,
            "due_in_days": 3,
            "priority": "normal",
            "active": True,
        }
        return await _playbook_form("/staff/playbooks/new", values)

    @post("/new", guards=[requires_admin])
    async def create(
        self, request: Request[Any, Any, Any], settings: NamedDependency[CoreSettings]
    ) -> Template | Redirect:
        return await self._save(request, None, "/staff/playbooks/new", settings)

    @get("/{playbook_id:int}/edit", guards=[requires_admin])
    async def edit_page(self, playbook_id: PathId) -> Template:
        row = await Playbook.select().where(Playbook.id == playbook_id).first()
        if row is None:
            raise NotFound(PLAYBOOK_NOT_FOUND)
        values = {**row, "assignee_id": row["assignee"]}
        return await _playbook_form(f"/staff/playbooks/{playbook_id}/edit", values)

    @post("/{playbook_id:int}/edit", guards=[requires_admin])
    async def update(
        self,
        request: Request[Any, Any, Any],
        playbook_id: PathId,
        settings: NamedDependency[CoreSettings],
    ) -> Template | Redirect:
        return await self._save(
            request, playbook_id, f"/staff/playbooks/{playbook_id}/edit", settings
        )

    @post("/run", guards=[requires_admin])
    async def run_now(
        self, request: Request[Any, Any, Any], settings: NamedDependency[CoreSettings]
    ) -> Redirect:
        """Evaluate every playbook now (the cron does it hourly)."""
        result = await evaluate_playbooks(await situation(settings))
        flash(
            request,
            lazy(
                "Playbooks evaluated: %(created)s new tasks, %(gone)s causes gone.",
                created=result.created,
                gone=result.gone,
            ),
            "success",
        )
        return redirect("/staff/playbooks")

    async def _save(
        self,
        request: Request[Any, Any, Any],
        playbook_id: int | None,
        action: str,
        settings: CoreSettings,
    ) -> Template | Redirect:
        data = await read_form(request)
        form, errors = validate(PlaybookIn, {k: v for k, v in data.items() if v != ""})
        if form is None:
            return await _playbook_form(action, data, errors, 400)
        try:
            await save_playbook(request.user, playbook_id, form, await situation(settings))
        except TooBroad as exc:
            return await _playbook_form(
                action, data, {"__all__": exc.translated()}, 409, broad=int(exc.params["count"])
            )
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return await _playbook_form(action, data, form_failure(exc), 400)
        flash(request, lazy("The playbook was saved."), "success")
        return redirect("/staff/playbooks")
