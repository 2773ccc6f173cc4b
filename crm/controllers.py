"""Staff pages of CRM export: overview and mapping, downloads, API tokens, connections and syncs.

CSMs may open the overview and download every format (they plan their high-touch work in
the CRM and spreadsheets); mappings, tokens, webhooks, credentials and syncs are admin-only.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from core.errors import DomainError, NotFound
from core.forms import read_form, validate
from core.guards import requires_admin, requires_staff
from core.i18n import N_, gettext, lazy
from core.ids import PathId
from core.timeutil import to_zone, utcnow
from core.web import flash, redirect
from crm.files import export
from crm.files.fields import SCORE_FIELDS
from crm.files.mapping import (
    CRM_LABELS,
    CRMS,
    FieldMapping,
    load_mapping,
    parse_mapping_form,
    save_mapping,
)
from crm.pull import tokens
from crm.pull.api import ROUTES as API_ROUTES
from crm.pushes import credentials
from crm.pushes.sync import failed_items, get_run, recent_runs
from crm.schemas import TokenForm
from crm.services import request_sync
from crm.settings import CrmSettings
from crm.source import accounts_without_external_id
from crm.webhooks.api import ROUTES as WEBHOOK_API_ROUTES
from crm.webhooks.pages import WebhookPagesController


def _translated(errors: dict[str, str]) -> dict[str, str]:
    return {key: gettext(message) for key, message in errors.items()}


def _mapping_rows(mapping: FieldMapping, values: dict[str, Any] | None) -> list[dict[str, Any]]:
    chosen = dict(mapping.fields)
    rows = []
    for field in SCORE_FIELDS:
        if values is not None:
            included = bool(values.get(f"include_{field.name}"))
            name = values.get(f"field_{field.name}") or ""
        else:
            included, name = field.name in chosen, chosen.get(field.name, "")
        rows.append({"field": field, "included": included, "name": name})
    return rows


async def _overview(
    request: Request[Any, Any, Any],
    status: int = 200,
    failed_crm: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    mappings = []
    for crm in CRMS:
        mapping = await load_mapping(crm)
        mine = crm == failed_crm
        mappings.append(
            {
                "crm": crm,
                "label": CRM_LABELS[crm],
                "key_field": (values or {}).get("key_field", "") if mine else mapping.key_field,
                "rows": _mapping_rows(mapping, values if mine else None),
                "errors": errors if mine and errors else {},
            }
        )
    return Template(
        "crm/overview.html",
        context={
            "formats": export.FORMATS,
            "mappings": mappings,
            "missing": await accounts_without_external_id(),
        },
        status_code=status,
    )


class CrmPagesController(Controller):
    path = "/staff/crm"
    guards = [requires_staff]
    include_in_schema = False

    @get("/")
    async def overview(self, request: Request[Any, Any, Any]) -> Template:
        """Downloads, field mappings and the accounts without a CRM id."""
        return await _overview(request)

    @post("/mapping/{crm:str}", guards=[requires_admin])
    async def save_mapping(
        self, request: Request[Any, Any, Any], crm: FromPath[str]
    ) -> Template | Redirect:
        """Save one CRM's mapping; any bad field name saves nothing."""
        if crm not in CRMS:
            raise NotFound()
        data = await read_form(request)
        try:
            mapping = parse_mapping_form(crm, data)
        except DomainError as exc:
            errors = _translated(exc.field_errors) | {"__all__": exc.translated()}
            return await _overview(request, 400, crm, errors, data)
        await save_mapping(mapping, request.user)
        flash(request, lazy("The %(crm)s mapping has been saved.", crm=CRM_LABELS[crm]), "success")
        return redirect("/staff/crm")

    @get("/export")
    async def download(
        self, settings: NamedDependency[CrmSettings], format: FromQuery[str] = ""
    ) -> Stream:
        """The export file, streamed (Salesforce parts beyond one come as a ZIP)."""
        prepared = await export.prepare_export(format, settings)
        stamp = to_zone(utcnow(), settings.default_timezone).strftime("%Y%m%d-%H%M")
        stem = f"kizuna-scores-{format}-{stamp}"
        limit = settings.crm_export_part_max_bytes
        if format == "salesforce" and not prepared.fits_one_part(limit):
            body: Any = export.zipped_parts(prepared.parts(limit), stem)
            media, filename = "application/zip", f"{stem}.zip"
        elif format == "salesforce":
            body = (chunk async for _, chunk in prepared.parts(limit))
            media, filename = export.MEDIA_TYPES[format], f"{stem}.csv"
        else:
            body = prepared.chunks()
            media, filename = (
                export.MEDIA_TYPES[format],
                f"{stem}.{export.EXTENSIONS.get(format, 'jsonl')}",
            )
        return Stream(
            body,
            media_type=media,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )

    @get("/tokens", guards=[requires_admin])
    async def token_list(self) -> Template:
        """API tokens: name, scopes, expiry, last use."""
        return await _tokens_page()

    @post("/tokens", guards=[requires_admin])
    async def token_create(self, request: Request[Any, Any, Any]) -> Template:
        """Create a token and show it this once."""
        data = await read_form(request)
        form, errors = validate(TokenForm, data)
        if form is None:
            return await _tokens_page(400, errors=errors, values=data)
        issued = await tokens.create_token(
            form.name, list(form.scopes), form.expires_in_days or None, request.user
        )
        return await _tokens_page(201, issued=issued)

    @post("/tokens/{token_id:int}/revoke", guards=[requires_admin])
    async def token_revoke(self, request: Request[Any, Any, Any], token_id: PathId) -> Redirect:
        """Revoke a token at once."""
        await tokens.revoke_token(token_id)
        flash(request, lazy("The API token has been revoked."), "success")
        return redirect("/staff/crm/tokens")

    @get("/connections", guards=[requires_admin])
    async def connections(self, settings: NamedDependency[CrmSettings]) -> Template:
        """CRM credentials, sync buttons and the latest sync runs."""
        return await _connections_page(settings)

    @post("/connections/{crm:str}", guards=[requires_admin])
    async def save_connection(
        self,
        request: Request[Any, Any, Any],
        crm: FromPath[str],
        settings: NamedDependency[CrmSettings],
    ) -> Template | Redirect:
        """Store a CRM's credentials encrypted; blank secrets keep the stored ones."""
        if crm not in CRMS:
            raise NotFound()
        data = await read_form(request)
        try:
            await credentials.save_credentials(crm, data, request.user, settings)
        except DomainError as exc:
            errors = _translated(exc.field_errors) | {"__all__": exc.translated()}
            return await _connections_page(settings, 400, crm, errors)
        flash(request, lazy("The connection settings have been saved."), "success")
        return redirect("/staff/crm/connections")

    @post("/sync/{crm:str}", guards=[requires_admin])
    async def start_sync(
        self,
        request: Request[Any, Any, Any],
        crm: FromPath[str],
        settings: NamedDependency[CrmSettings],
    ) -> Template | Redirect:
        """Push every score the CRM has not accepted yet, as a job."""
        try:
            run = await request_sync(crm, request.user.id, settings)
        except DomainError as exc:
            return await _connections_page(
                settings, exc.status_code, crm, {"__all__": exc.translated()}
            )
        flash(request, lazy("The sync has started. Refresh this page to follow it."), "success")
        return redirect(f"/staff/crm/syncs/{run.id}")

    @get("/syncs/{run_id:int}", guards=[requires_admin])
    async def sync_run(self, run_id: PathId) -> Template:
        """One sync run: counts, CRM jobs and the accounts that were not accepted."""
        run = await get_run(run_id)
        if run is None:
            raise NotFound(N_("This sync run does not exist."))
        return Template(
            "crm/sync_run.html",
            context={
                "run": run,
                "label": CRM_LABELS.get(run.crm, run.crm),
                "items": await failed_items(run_id),
            },
        )


async def _tokens_page(
    status: int = 200,
    *,
    issued: tokens.IssuedToken | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    return Template(
        "crm/tokens.html",
        context={
            "tokens": await tokens.list_tokens(),
            "scopes": tokens.SCOPES,
            "issued": issued,
            "errors": errors or {},
            "values": values or {"scopes": ["scores:read"], "expires_in_days": "90"},
            "now": utcnow(),
        },
        status_code=status,
    )


async def _connections_page(
    settings: CrmSettings,
    status: int = 200,
    failed_crm: str | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    salesforce = await credentials.salesforce_credentials(settings)
    hubspot = await credentials.hubspot_credentials(settings)
    sources = {
        "salesforce": salesforce.source if salesforce is not None else None,
        "hubspot": hubspot.source if hubspot is not None else None,
    }
    return Template(
        "crm/connections.html",
        context={
            "crms": [
                {
                    "crm": crm,
                    "label": CRM_LABELS[crm],
                    "source": sources[crm],
                    "stored": await credentials.stored_summary(crm, settings),
                    "errors": errors if crm == failed_crm and errors else {},
                    "runs": await recent_runs(crm, limit=10),
                }
                for crm in CRMS
            ],
        },
        status_code=status,
    )


ROUTES = [CrmPagesController, WebhookPagesController, *API_ROUTES, *WEBHOOK_API_ROUTES]
