"""One-click unsubscribe (RFC 8058) for the emails a member may turn off, without signing in.

Each such email carries `List-Unsubscribe: <https://…/unsubscribe/TOKEN>` and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`. The token is signed (itsdangerous) with
the member and the kind of email; it is the only credential. Following the link (GET) shows a
confirmation page and changes nothing — link scanners open links — and the POST, from that
page or from the mailbox provider's button, turns that kind of email off.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from accounts.tables import Member
from core.errors import DomainError
from core.i18n import N_
from core.security import TokenError, sign, unsign
from core.settings import CoreSettings

PURPOSE = "unsubscribe"
MAX_AGE_SECONDS = 400 * 24 * 3600  # a link in an email of last year still works
# kind → (the member's column, the value that means "no more of these", what it is called)
KINDS: dict[str, tuple[Any, bool, str]] = {
    "notifications": (Member.email_notifications, False, N_("notification emails")),
    "reengagement": (Member.reengagement_opt_out, True, N_("emails inviting you back")),
}
BAD_LINK = N_("This unsubscribe link is not valid. Change your emails in your settings instead.")


def unsubscribe_url(settings: CoreSettings, member_id: int, kind: str) -> str:
    assert kind in KINDS
    token = sign(settings.resolved_secret_key(), PURPOSE, {"m": member_id, "k": kind})
    return f"{settings.base_url}/unsubscribe/{token}"


def unsubscribe_headers(settings: CoreSettings, member_id: int, kind: str) -> dict[str, str]:
    """The headers mailbox providers read for their unsubscribe button (RFC 2369, RFC 8058)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(settings, member_id, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def read_token(settings: CoreSettings, token: str) -> tuple[int, str]:
    """(member id, kind) of a valid token; DomainError otherwise."""
    try:
        payload = unsign(settings.resolved_secret_key(), PURPOSE, token, MAX_AGE_SECONDS)
    except TokenError as exc:
        raise DomainError(BAD_LINK) from exc
    if not isinstance(payload, dict) or payload.get("k") not in KINDS:
        raise DomainError(BAD_LINK)
    member_id = payload.get("m")
    if not isinstance(member_id, int):
        raise DomainError(BAD_LINK)
    return member_id, str(payload["k"])


async def unsubscribe(member_id: int, kind: str) -> bool:
    """Turn `kind` of email off for the member; False when the member no longer exists."""
    column, value, _ = KINDS[kind]
    changed = (
        await Member.update({column: value}).where(Member.id == member_id).returning(Member.id)
    )
    return bool(changed)


class UnsubscribeController(Controller):
    path = "/unsubscribe"
    include_in_schema = False

    @get("/{token:str}")
    async def page(self, token: FromPath[str], settings: NamedDependency[CoreSettings]) -> Template:
        """What the link in the email opens: a button that confirms (a GET changes nothing)."""
        _, kind = read_token(settings, token)
        return _page(token, kind, done=False)

    @post("/{token:str}", exclude_from_csrf=True, status_code=200)
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        settings: NamedDependency[CoreSettings],
    ) -> Template:
        """The one-click POST (from the page or the mailbox's button): that kind of email stops."""
        member_id, kind = read_token(settings, token)
        if not await unsubscribe(member_id, kind):
            raise DomainError(BAD_LINK)
        return _page(token, kind, done=True)


def _page(token: str, kind: str, *, done: bool) -> Template:
    return Template(
        "accounts/unsubscribe.html",
        context={"token": token, "what": KINDS[kind][2], "done": done},
    )
