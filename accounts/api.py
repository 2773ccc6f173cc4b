"""The staff API of accounts and members: what the staff pages do (create, update, deactivate
accounts; invite, update, deactivate members), as JSON, for staff sessions and API tokens
(scopes accounts:read and accounts:write). The same services and checks as the pages.

A token acts with the rights of the admin who created it, within its scopes: a change is
recorded as theirs, and a token whose creator is no longer an active admin acts no more.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import Body, QueryParameter
from pydantic import BaseModel, EmailStr, Field, TypeAdapter, ValidationError

from accounts import auth
from accounts.queries import account_out, find_accounts
from accounts.schemas import AccountList, AccountOut, MemberOut, RoleName, TierName
from accounts.services import (
    edit_member,
    get_account,
    get_member,
    parse_domains,
    save_account,
    set_account_active,
)
from accounts.settings import AccountsSettings
from accounts.tables import Member
from core.api_tokens import API_TOKEN_OPT, TOKEN_PROBLEMS, ApiPrincipal, requires_scope
from core.errors import DomainError, Forbidden, NotFound
from core.i18n import N_
from core.ids import ID_MAX, PathId
from core.problems import SIGNED_IN, WRITE, ApiInput, IsoDate, Whole, problem_responses

READ_SCOPE, WRITE_SCOPE = "accounts:read", "accounts:write"
SCOPES = {
    READ_SCOPE: N_("Read customer accounts"),
    WRITE_SCOPE: N_("Create, change and deactivate accounts; invite and change members"),
}
READ = problem_responses(400, *SIGNED_IN, 404, 429, described=TOKEN_PROBLEMS)
CHANGE = problem_responses(*WRITE, 404, 409, 429, described=TOKEN_PROBLEMS)
SearchText = Annotated[str, QueryParameter(max_length=200)]
_EMAIL = TypeAdapter(EmailStr)


class AccountIn(ApiInput):
    """An account as the staff form takes it; `domains` replace the account's."""

    name: str = Field(min_length=1, max_length=200)
    domains: list[Annotated[str, Field(max_length=253)]] = Field(default=[], max_length=50)
    crm_external_id: str | None = Field(default=None, max_length=100)
    arr: Whole = Field(default=0, ge=0, le=10**15)
    plan: str = Field(default="", max_length=50)
    contract_start: IsoDate | None = None
    renewal_date: IsoDate | None = None
    touch_tier: TierName = "low"
    owner_id: Whole | None = Field(default=None, ge=1, le=ID_MAX)
    allow_self_signup: bool = False
    score_self_view: bool = False


class InvitationIn(ApiInput):
    # Checked as the invitation form checks it (EmailStr) in the handler, as a rule (422): a
    # schema `format: email` allows addresses (user@host.test) the form refuses.
    email: str = Field(min_length=3, max_length=320)
    display_name: str = Field(default="", max_length=100)
    role: RoleName = "customer"
    account_id: Whole | None = Field(default=None, ge=1, le=ID_MAX)


class InvitationOut(BaseModel):
    id: int
    email: str
    role: RoleName
    account_id: int | None
    expires_at: datetime


class MemberIn(ApiInput):
    display_name: str = Field(min_length=1, max_length=100)
    role: RoleName
    account_id: Whole | None = Field(default=None, ge=1, le=ID_MAX)
    active: bool = True


async def acting_member(request: Request[Any, Any, Any]) -> Member:
    """The member a change is made as: the signed-in one, or the token's creator while they
    are an active admin."""
    user = request.user
    if not isinstance(user, ApiPrincipal):
        return user
    owner = await get_member(user.owner_id) if user.owner_id is not None else None
    if owner is None or not owner.active or not owner.is_admin:
        raise Forbidden(
            N_("The admin who created this API token can no longer act: create a new token.")
        )
    return owner


def member_out(member: Member) -> MemberOut:
    return MemberOut(
        id=member.id,
        email=member.email,
        display_name=member.display_name,
        handle=member.handle,
        role=member.role,
        account_id=member.account,
        locale=member.locale,
        timezone=member.timezone,
        last_seen_at=member.last_seen_at,
        active=member.active,
    )


async def _save(account_id: int | None, data: AccountIn) -> AccountOut:
    fields = data.model_dump(exclude={"domains"})
    domains = parse_domains(", ".join(data.domains))
    account = await save_account(account_id, fields, domains)
    return await account_out(account.id)


async def _set_active(request: Request[Any, Any, Any], account_id: int, active: bool) -> AccountOut:
    await acting_member(request)
    await set_account_active(account_id, active)  # 404 for an unknown account
    return await account_out(account_id)


class AccountsApiController(Controller):
    """Accounts as JSON, for staff sessions and API tokens."""

    path = "/api/v1/accounts"
    opt = {API_TOKEN_OPT: True}
    tags = ["accounts"]

    @get("/", responses=READ, guards=[requires_scope(READ_SCOPE)])
    async def list_accounts(
        self,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=ID_MAX)] = 0,
        q: SearchText = "",
    ) -> AccountList:
        """Accounts by name, `limit` from `offset`; `q` searches names and domains."""
        found = await find_accounts(q, limit=limit, offset=offset)
        return AccountList(items=found.items, total=found.total, limit=limit, offset=offset)

    @get("/{account_id:int}", responses=READ, guards=[requires_scope(READ_SCOPE)])
    async def account_detail(self, account_id: PathId) -> AccountOut:
        """One account."""
        return await account_out(account_id)

    @post("/", responses=CHANGE, guards=[requires_scope(WRITE_SCOPE)])
    async def create_account(
        self, request: Request[Any, Any, Any], data: Annotated[AccountIn, Body()]
    ) -> AccountOut:
        """Create an account with its domains (409 when the CRM id or a domain is taken)."""
        await acting_member(request)
        return await _save(None, data)

    @put("/{account_id:int}", responses=CHANGE, guards=[requires_scope(WRITE_SCOPE)])
    async def update_account(
        self,
        request: Request[Any, Any, Any],
        account_id: PathId,
        data: Annotated[AccountIn, Body()],
    ) -> AccountOut:
        """Replace the account's fields and domains."""
        await acting_member(request)
        await get_account(account_id)
        return await _save(account_id, data)

    @post(
        "/{account_id:int}/deactivate",
        responses=CHANGE,
        status_code=200,
        guards=[requires_scope(WRITE_SCOPE)],
    )
    async def deactivate_account(
        self, request: Request[Any, Any, Any], account_id: PathId
    ) -> AccountOut:
        """Deactivate the account; its members can no longer sign in."""
        return await _set_active(request, account_id, False)

    @post(
        "/{account_id:int}/activate",
        responses=CHANGE,
        status_code=200,
        guards=[requires_scope(WRITE_SCOPE)],
    )
    async def activate_account(
        self, request: Request[Any, Any, Any], account_id: PathId
    ) -> AccountOut:
        """Activate the account again (its members are reactivated one by one)."""
        return await _set_active(request, account_id, True)


class MembersApiController(Controller):
    """Members: invitations, changes and deactivation, as the staff pages make them."""

    path = "/api/v1/members"
    opt = {API_TOKEN_OPT: True}
    tags = ["accounts"]

    @post("/invitations", responses=CHANGE, guards=[requires_scope(WRITE_SCOPE)])
    async def invite(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[InvitationIn, Body()],
        settings: NamedDependency[AccountsSettings],
    ) -> InvitationOut:
        """Invite a member by email (the link sets their password); 409 when one exists."""
        actor = await acting_member(request)
        try:
            email = str(_EMAIL.validate_python(data.email))
        except ValidationError:
            message = N_("Enter a valid email address.")
            raise DomainError(message, field_errors={"email": message}) from None
        if data.account_id is not None and not (await get_account(data.account_id)).active:
            raise DomainError(
                N_("This account is deactivated."),
                field_errors={"account_id": N_("Choose an account.")},
            )
        invitation = await auth.invite_member(
            email=email,
            display_name=data.display_name,
            role=data.role,
            account_id=data.account_id,
            invited_by=actor,
            settings=settings,
        )
        return InvitationOut(
            id=invitation.id,
            email=invitation.email,
            role=invitation.role,
            account_id=invitation.account,
            expires_at=invitation.expires_at,
        )

    @get("/{member_id:int}", responses=READ, guards=[requires_scope(READ_SCOPE)])
    async def member_detail(self, member_id: PathId) -> MemberOut:
        member = await get_member(member_id)
        if member is None:
            raise NotFound(N_("This member does not exist."))
        return member_out(member)

    @put("/{member_id:int}", responses=CHANGE, guards=[requires_scope(WRITE_SCOPE)])
    async def update_member(
        self,
        request: Request[Any, Any, Any],
        member_id: PathId,
        data: Annotated[MemberIn, Body()],
    ) -> MemberOut:
        """Change a member's name, role, account and status, as the edit page may."""
        actor = await acting_member(request)
        return member_out(await edit_member(actor, member_id, data.model_dump()))

    @post(
        "/{member_id:int}/deactivate",
        responses=CHANGE,
        status_code=200,
        guards=[requires_scope(WRITE_SCOPE)],
    )
    async def deactivate_member(
        self, request: Request[Any, Any, Any], member_id: PathId
    ) -> MemberOut:
        """The member can no longer sign in."""
        actor = await acting_member(request)
        return member_out(await edit_member(actor, member_id, {"active": False}))
