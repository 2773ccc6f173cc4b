"""Errors with a message in the user's language: HTML pages for pages, problem+json for /api."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from core.i18n import N_, Text, gettext

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A refusal the user should read: `message` is a msgid, translated when shown."""

    status_code = 400
    default_message = N_("The request could not be processed.")
    violates_schema = False  # True: a 400 on the API as well (not a rule's 422)

    def __init__(
        self,
        message: str | None = None,
        *,
        field_errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.message = message or self.default_message
        self.params = params
        self.field_errors = field_errors or {}
        self.headers = headers or {}
        super().__init__(self.message % params if params else self.message)

    def translated(self) -> str:
        return gettext(self.message, **self.params)

    def as_text(self) -> Text:
        """The message to translate later (a flash shown on the next page)."""
        return Text(self.message, self.params)


class BadRequest(DomainError):
    """A request no schema allows (a NUL character, …): 400 on the API too, never 422."""

    violates_schema = True


class NotFound(DomainError):
    status_code = 404
    default_message = N_("The page or item was not found.")


class Forbidden(DomainError):
    status_code = 403
    default_message = N_("You do not have permission to do this.")


class Conflict(DomainError):
    status_code = 409
    default_message = N_("This conflicts with the current state. Reload and try again.")


class TooManyRequests(DomainError):
    status_code = 429
    default_message = N_("Too many attempts. Please wait a while and try again.")


class ServiceUnavailable(DomainError):
    status_code = 503
    default_message = N_("The service is temporarily unavailable. Please retry shortly.")


BEARER_CHALLENGE = 'Bearer realm="Kizuna API"'
_STATUS_MESSAGES = {
    400: N_("The request could not be processed."),
    401: N_("Please sign in to continue."),
    403: N_("You do not have permission to do this."),
    404: N_("The page or item was not found."),
    405: N_("This method is not allowed here."),
    409: N_("This conflicts with the current state. Reload and try again."),
    413: N_("The request is too large."),
    415: N_("This kind of content is not accepted."),
    429: N_("Too many attempts. Please wait a while and try again."),
    500: N_("Something went wrong on our side. Please try again."),
    503: N_("The service is temporarily unavailable. Please retry shortly."),
}


def is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def _respond(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    field_errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    title = gettext(_STATUS_MESSAGES.get(status, _STATUS_MESSAGES[400]))
    if is_api(request):
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
        }
        if field_errors:
            body["errors"] = field_errors
        return Response(
            body, status_code=status, media_type="application/problem+json", headers=headers
        )
    return Template(
        "errors/error.html",
        context={
            "status": status,
            "title": title,
            "detail": detail,
            "field_errors": field_errors or {},
        },
        status_code=status,
        headers=headers,
        media_type=MediaType.HTML,
    )


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    fields = {name: gettext(message) for name, message in exc.field_errors.items()}
    status = exc.status_code
    if status == 400 and is_api(request) and not exc.violates_schema:
        # The schema let the request through and a rule refused it: 422 on the API, so that
        # 400 means "not what the schema says" to a generated client (core.problems).
        status = 422
    return _respond(request, status, exc.translated(), fields, exc.headers)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException) and not is_api(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/login?next={quote(target)}")
    if isinstance(exc, NotAuthorizedException):
        # RFC 9110: a 401 names the scheme to authenticate with (sessions also work where the
        # operation says so; there is no standard scheme name for a cookie).
        headers = {"WWW-Authenticate": BEARER_CHALLENGE, **(exc.headers or {})}
        return _respond(request, 401, gettext(_STATUS_MESSAGES[401]), headers=headers)
    if isinstance(exc, ValidationException):
        from core.forms import translate_validation_extra

        errors = translate_validation_extra(exc.extra)
        return _respond(request, 400, gettext(_STATUS_MESSAGES[400]), errors)
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        return _respond(
            request,
            403,
            gettext("Your form expired or came from another site. Reload the page and try again."),
        )
    if isinstance(exc, NotFoundException):
        return _respond(request, 404, gettext(_STATUS_MESSAGES[404]))
    message = _STATUS_MESSAGES.get(status)
    detail = gettext(message) if message else str(exc.detail)
    return _respond(request, status, detail, headers=exc.headers)


def unavailable_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.warning("backing service unavailable: %r", exc)
    return _respond(request, 503, gettext(_STATUS_MESSAGES[503]), headers={"Retry-After": "5"})


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _is_unavailable(exc):
        return unavailable_handler(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _respond(request, HTTP_500_INTERNAL_SERVER_ERROR, gettext(_STATUS_MESSAGES[500]))


def _is_unavailable(exc: BaseException) -> bool:
    """Connection loss to PostgreSQL or Redis: a 503 with a retry hint, not a 500."""
    names = {type(e).__name__ for e in _chain(exc)}
    unavailable = {
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "ConnectionFailureError",
        "InterfaceError",
        "ConnectionRefusedError",
        "ConnectionResetError",
        "AdminShutdownError",
        "TooManyConnectionsError",
        "PostgresConnectionError",
        "ConnectionError",
        "TimeoutError",
        "OperationalError",
    }
    return bool(names & unavailable)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
