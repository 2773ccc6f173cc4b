"""Admin pages for webhook endpoints: register (secret shown once), switch, delete, delivery log."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from core.errors import DomainError
from core.forms import read_form, validate
from core.guards import requires_admin
from core.i18n import gettext, lazy
from core.ids import PathId
from core.web import flash, redirect
from crm.schemas import WebhookForm
from crm.settings import CrmSettings
from crm.webhooks.endpoints import (
    EVENTS,
    create_endpoint,
    delete_endpoint,
    delivery_log,
    get_endpoint,
    list_endpoints,
    redeliver,
    send_test_event,
    set_endpoint_enabled,
)


async def _list_page(
    status: int = 200,
    *,
    created: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    return Template(
        "crm/webhooks.html",
        context={
            "endpoints": await list_endpoints(),
            "event_types": EVENTS,
            "created": created,
            "errors": errors or {},
            "values": values or {"events": list(EVENTS)},
        },
        status_code=status,
    )


class WebhookPagesController(Controller):
    path = "/staff/crm/webhooks"
    guards = [requires_admin]
    include_in_schema = False

    @get("/")
    async def endpoints(self) -> Template:
        """Registered endpoints and the form to add one."""
        return await _list_page()

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], settings: NamedDependency[CrmSettings]
    ) -> Template:
        """Register an endpoint; its secret is shown on this page only."""
        data = await read_form(request)
        if isinstance(data.get("events"), str):
            data["events"] = [data["events"]]
        form, errors = validate(WebhookForm, data)
        if form is None:
            return await _list_page(400, errors=errors, values=data)
        try:
            endpoint, secret = await create_endpoint(
                form.url, list(form.events), form.description or "", request.user.id, settings
            )
        except DomainError as exc:
            errors = {k: gettext(v, **exc.params) for k, v in exc.field_errors.items()}
            errors["__all__"] = exc.translated()
            return await _list_page(exc.status_code, errors=errors, values=data)
        return await _list_page(
            201, created={"id": endpoint.id, "url": endpoint.url, "secret": secret}
        )

    @get("/{endpoint_id:int}")
    async def log(self, endpoint_id: PathId) -> Template:
        """The endpoint's deliveries with every attempt: status, code, duration, time."""
        endpoint = await get_endpoint(endpoint_id)
        return Template(
            "crm/webhook_log.html",
            context={"endpoint": endpoint, "deliveries": await delivery_log(endpoint_id)},
        )

    @post("/{endpoint_id:int}/enable")
    async def enable(self, request: Request[Any, Any, Any], endpoint_id: PathId) -> Redirect:
        """Turn the endpoint on again (after a fix)."""
        await set_endpoint_enabled(endpoint_id, True)
        flash(request, lazy("The endpoint is on."), "success")
        return redirect(f"/staff/crm/webhooks/{endpoint_id}")

    @post("/{endpoint_id:int}/test")
    async def test_event(self, request: Request[Any, Any, Any], endpoint_id: PathId) -> Redirect:
        """Send a webhook.test event now, to check the receiver and its signature check."""
        await send_test_event(endpoint_id)
        flash(request, lazy("A test event is on its way."), "success")
        return redirect(f"/staff/crm/webhooks/{endpoint_id}")

    @post("/{endpoint_id:int}/disable")
    async def disable(self, request: Request[Any, Any, Any], endpoint_id: PathId) -> Redirect:
        """Turn the endpoint off; waiting deliveries are cancelled."""
        await set_endpoint_enabled(endpoint_id, False)
        flash(request, lazy("The endpoint is off."), "success")
        return redirect(f"/staff/crm/webhooks/{endpoint_id}")

    @post("/{endpoint_id:int}/delete")
    async def remove(self, request: Request[Any, Any, Any], endpoint_id: PathId) -> Redirect:
        """Delete the endpoint and its log."""
        await delete_endpoint(endpoint_id)
        flash(request, lazy("The endpoint has been deleted."), "success")
        return redirect("/staff/crm/webhooks")

    @post("/deliveries/{delivery_id:int}/redeliver")
    async def redeliver(self, request: Request[Any, Any, Any], delivery_id: PathId) -> Redirect:
        """Send one delivery again now (same webhook-id)."""
        endpoint_id = await redeliver(delivery_id)
        flash(request, lazy("The event is being sent again."), "success")
        return redirect(f"/staff/crm/webhooks/{endpoint_id}")
