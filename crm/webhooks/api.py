"""Webhook endpoints managed through the API, with a token of scope webhooks:manage."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from core.api_tokens import API_TOKEN_OPT, TOKEN_PROBLEMS, ApiPrincipal, requires_scope
from core.ids import PathId
from core.problems import problem_responses
from crm.pull.auth import BEARER_SCHEME
from crm.schemas import (
    WebhookEndpointCreated,
    WebhookEndpointIn,
    WebhookEndpointOut,
)
from crm.settings import CrmSettings
from crm.webhooks.endpoints import create_endpoint, delete_endpoint, list_endpoints


def _endpoint_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "url": row["url"],
        "events": row["events"].split(),
        "description": row["description"],
        "enabled": row["enabled"],
        "disabled_reason": row["disabled_reason"],
        "created_at": row["created_at"],
    }


class WebhooksApiController(Controller):
    """Webhook endpoints, managed with an API token (scope webhooks:manage) only.

    Token-only, so CSRF does not apply: a browser never attaches a bearer token by itself.
    """

    path = "/api/v1/webhooks"
    tags = ["crm"]
    opt = {API_TOKEN_OPT: True, "exclude_from_csrf": True}
    guards = [requires_scope("webhooks:manage", sessions=None)]
    security = [{BEARER_SCHEME: []}]  # token-only: a session answers 401

    @get("/", responses=problem_responses(401, 403, 429, described=TOKEN_PROBLEMS))
    async def list_webhooks(self) -> list[WebhookEndpointOut]:
        """Every registered endpoint (secrets are never shown again)."""
        return [WebhookEndpointOut(**_endpoint_out(row)) for row in await list_endpoints()]

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 413, 429, described=TOKEN_PROBLEMS),
    )
    async def create_webhook(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[WebhookEndpointIn],
        settings: NamedDependency[CrmSettings],
    ) -> WebhookEndpointCreated:
        """Register an endpoint; the response holds its whsec_ secret, shown only once."""
        principal: ApiPrincipal = request.scope["user"]
        endpoint, secret = await create_endpoint(
            data.url, list(data.events), data.description, principal.owner_id, settings
        )
        row = endpoint.to_dict()
        return WebhookEndpointCreated(**_endpoint_out(row), secret=secret)

    @delete(
        "/{endpoint_id:int}",
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(400, 401, 403, 404, 429, described=TOKEN_PROBLEMS),
    )
    async def delete_webhook(self, endpoint_id: PathId) -> None:
        """Remove an endpoint and its delivery log."""
        await delete_endpoint(endpoint_id)


ROUTES = [WebhooksApiController]
