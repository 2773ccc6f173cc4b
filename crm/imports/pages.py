"""The pull pages (admins): start a pull of accounts or renewals, the pull fields of each CRM,
the runs with their logs, and the accounts the CRM no longer has."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.errors import DomainError, NotFound
from core.forms import read_form
from core.guards import requires_admin
from core.i18n import N_, gettext, lazy
from core.ids import PathId
from core.web import flash, redirect
from crm.files.mapping import CRM_LABELS, CRMS
from crm.imports.fields import (
    ACCOUNT_FIELDS,
    RENEWAL_FIELDS,
    load_pull_map,
    parse_pull_form,
    save_pull_map,
)
from crm.imports.jobs import connected, start_pull
from crm.imports.sync import KINDS, get_pull
from crm.settings import CrmSettings
from crm.tables import GoneFromCrm, PullRun

KIND_LABELS = {"accounts": N_("Accounts"), "renewals": N_("Renewal outcomes")}
ACTION_LABELS = {
    "created": N_("Created"),
    "updated": N_("Updated"),
    "gone": N_("Gone from the CRM"),
    "back": N_("Back in the CRM"),
}


def _check(crm: str, kind: str | None = None) -> None:
    if crm not in CRMS or (kind is not None and kind not in KINDS):
        raise NotFoundException()


class CrmPullPagesController(Controller):
    path = "/staff/crm/pulls"
    guards = [requires_admin]
    include_in_schema = False

    @get("/")
    async def pulls(self, settings: NamedDependency[CrmSettings]) -> Template:
        """Pull buttons and fields per CRM, the latest runs, the accounts gone from the CRM."""
        return await _pulls_page(settings)

    @post("/{crm:str}/{kind:str}")
    async def start(
        self,
        request: Request[Any, Any, Any],
        crm: FromPath[str],
        kind: FromPath[str],
        settings: NamedDependency[CrmSettings],
    ) -> Template | Redirect:
        """Pull accounts or renewals from a CRM now, as a job."""
        _check(crm, kind)
        if not await connected(crm, settings):
            message = gettext(N_("Connect %(crm)s first."), crm=CRM_LABELS[crm])
            return await _pulls_page(settings, 400, crm, {"__all__": message})
        try:
            run_id = await start_pull(crm, kind, request.user.id)
        except DomainError as exc:
            return await _pulls_page(settings, exc.status_code, crm, {"__all__": exc.translated()})
        flash(request, lazy("The pull has started. Refresh this page to follow it."), "success")
        return redirect(f"/staff/crm/pulls/runs/{run_id}")

    @post("/{crm:str}/fields")
    async def save_fields(
        self,
        request: Request[Any, Any, Any],
        crm: FromPath[str],
        settings: NamedDependency[CrmSettings],
    ) -> Template | Redirect:
        """Save which CRM fields a pull reads; a bad name saves nothing."""
        _check(crm)
        data = await read_form(request)
        try:
            pull = parse_pull_form(crm, data)
        except DomainError as exc:
            errors = {k: gettext(v) for k, v in exc.field_errors.items()}
            return await _pulls_page(
                settings, 400, crm, errors | {"__all__": exc.translated()}, data
            )
        await save_pull_map(pull, request.user)
        flash(request, lazy("The pull fields have been saved."), "success")
        return redirect("/staff/crm/pulls")

    @get("/runs/{pull_id:int}")
    async def run(self, pull_id: PathId) -> Template:
        """One pull: counts, what changed, what was refused and why."""
        run = await get_pull(pull_id)
        if run is None:
            raise NotFound(N_("This pull does not exist."))
        return Template(
            "crm/pull_run.html",
            context={
                "run": run,
                "problems": [_problem_text(p) for p in _listed(run.problems)],
                "label": CRM_LABELS.get(run.crm, run.crm),
                "kinds": KIND_LABELS,
                "actions": ACTION_LABELS,
            },
        )


def _listed(value: Any) -> list[dict[str, Any]]:
    return list(value) if isinstance(value, list) else []


def _problem_text(problem: dict[str, Any]) -> tuple[str | None, str]:
    """(CRM id, the reason in the viewer's language); a field's label is a msgid too."""
    params = {k: gettext(v) if k == "field" else v for k, v in problem["params"].items()}
    return problem.get("external_id"), gettext(problem["message"], **params)


async def _pulls_page(
    settings: CrmSettings,
    status: int = 200,
    failed_crm: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    crms = []
    for crm in CRMS:
        pull = await load_pull_map(crm)
        crms.append(
            {
                "crm": crm,
                "label": CRM_LABELS[crm],
                "connected": await connected(crm, settings),
                "fields": {
                    name: (values or {}).get(f"pull_{name}", pull[name])
                    if crm == failed_crm
                    else pull[name]
                    for name, _, _ in ACCOUNT_FIELDS + RENEWAL_FIELDS
                },
                "errors": errors if crm == failed_crm and errors else {},
            }
        )
    runs = (
        await PullRun.select(
            PullRun.id,
            PullRun.crm,
            PullRun.kind,
            PullRun.origin,
            PullRun.status,
            PullRun.created_at,
            PullRun.fetched,
            PullRun.created,
            PullRun.updated,
            PullRun.refused,
            PullRun.flagged,
        )
        .order_by(PullRun.id, ascending=False)
        .limit(20)
    )
    gone = (
        await GoneFromCrm.select(
            GoneFromCrm.account,
            GoneFromCrm.crm,
            GoneFromCrm.since,
            GoneFromCrm.account.name.as_alias("name"),
            GoneFromCrm.account.crm_external_id.as_alias("external_id"),
        )
        .where(GoneFromCrm.account.active == True)  # noqa: E712
        .order_by(GoneFromCrm.since)
    )
    return Template(
        "crm/pulls.html",
        context={
            "crms": crms,
            "account_fields": ACCOUNT_FIELDS,
            "renewal_fields": RENEWAL_FIELDS,
            "runs": runs,
            "gone": gone,
            "kinds": KIND_LABELS,
            "labels": CRM_LABELS,
        },
        status_code=status,
    )
