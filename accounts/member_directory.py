"""The staff directory of members: list and filter, invite, edit, deactivate."""

from math import ceil
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from accounts import auth
from accounts.queries import MemberFilter, account_choices, find_members, pending_invitations
from accounts.schemas import InviteForm, MemberEditForm
from accounts.services import deactivate_member, edit_member, get_account, get_member
from accounts.settings import AccountsSettings
from accounts.tables import Member, Role
from core.errors import DomainError, Forbidden, NotFound
from core.forms import read_form, validate
from core.guards import requires_staff
from core.i18n import N_, gettext, lazy
from core.ids import PathId
from core.web import flash, redirect

PAGE_SIZE = 50
ROLE_LABELS = {
    Role.customer.value: N_("Customer"),
    Role.csm.value: N_("CSM"),
    Role.admin.value: N_("Admin"),
}

PageNumber = Annotated[int, QueryParameter(ge=1, le=1_000_000)]
FilterText = Annotated[str, QueryParameter(max_length=200)]


def _page(template: str, status: int = 200, **context: Any) -> Template:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    context.setdefault("role_labels", ROLE_LABELS)
    return Template(template, context=context, status_code=status)


def _errors_of(exc: DomainError) -> dict[str, str]:
    errors = {name: gettext(message) for name, message in exc.field_errors.items()}
    errors["__all__"] = exc.translated()
    return errors


def _id_or_none(text: str | None) -> int | None:
    # Filter selects send "" for "all": not an error, just no filter.
    return int(text) if text and text.isdigit() else None


def grantable_roles(actor: Member) -> list[str]:
    """The roles `actor` may give: admins any, CSMs only customer."""
    if actor.is_admin:
        return [role.value for role in Role]
    return [Role.customer.value]


async def _member_or_404(member_id: int) -> Member:
    member = await get_member(member_id)
    if member is None:
        raise NotFound(N_("This member does not exist."))
    return member


class StaffMembersController(Controller):
    """Staff pages for members and invitations."""

    path = "/staff/members"
    guards = [requires_staff]
    include_in_schema = False

    @get("/")
    async def members_page(
        self,
        q: FilterText = "",
        account_id: FilterText = "",
        role: FilterText = "",
        page: PageNumber = 1,
    ) -> Template:
        """Members, filtered by account and role, searchable by name and email."""
        wanted = MemberFilter(search=q, account_id=_id_or_none(account_id), role=role or None)
        rows, total = await find_members(wanted, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        return _page(
            "staff/members.html",
            members=rows,
            invitations=await pending_invitations(wanted.account_id),
            accounts=await account_choices(include_inactive=True),
            wanted=wanted,
            page=page,
            pages=max(1, ceil(total / PAGE_SIZE)),
            total=total,
        )

    @get("/invite")
    async def invite_page(
        self, request: Request[Any, Any, Any], account_id: FilterText = ""
    ) -> Template:
        """The invitation form (admins may invite staff)."""
        return await _invite_form(request.user, values={"account_id": _id_or_none(account_id)})

    @post("/invite")
    async def invite(
        self, request: Request[Any, Any, Any], settings: NamedDependency[AccountsSettings]
    ) -> Template | Redirect:
        """Record the invitation and email its link."""
        data = await read_form(request)
        form, errors = validate(InviteForm, data)
        if form is None:
            return await _invite_form(request.user, 400, errors=errors, values=data)
        try:
            if form.account_id is not None and not (await get_account(form.account_id)).active:
                raise DomainError(
                    N_("This account is deactivated."),
                    field_errors={"account_id": N_("Choose an account.")},
                )
            invitation = await auth.invite_member(
                email=str(form.email),
                display_name=form.display_name,
                role=form.role,
                account_id=form.account_id,
                invited_by=request.user,
                settings=settings,
            )
        except DomainError as exc:
            return await _invite_form(
                request.user, exc.status_code, errors=_errors_of(exc), values=data
            )
        flash(
            request,
            lazy("An invitation was sent to %(email)s.", email=invitation.email),
            "success",
        )
        return redirect("/staff/members")

    @get("/{member_id:int}/edit")
    async def edit_page(self, request: Request[Any, Any, Any], member_id: PathId) -> Template:
        """The form for a member's name, role, account and status."""
        member = await _member_or_404(member_id)
        if member.is_staff and not request.user.is_admin:
            raise Forbidden(N_("Only an admin can change staff members or grant staff roles."))
        values = {
            "display_name": member.display_name,
            "role": member.role,
            "account_id": member.account,
            "active": member.active,
        }
        return await _member_form(request.user, member, values=values)

    @post("/{member_id:int}/edit")
    async def update(
        self, request: Request[Any, Any, Any], member_id: PathId
    ) -> Template | Redirect:
        """Save the member, within what the signed-in staff member may change."""
        member = await _member_or_404(member_id)
        data = await read_form(request)
        form, errors = validate(MemberEditForm, data)
        if form is None:
            return await _member_form(request.user, member, 400, errors=errors, values=data)
        try:
            saved = await edit_member(request.user, member_id, form.model_dump())
        except DomainError as exc:
            return await _member_form(
                request.user, member, exc.status_code, errors=_errors_of(exc), values=data
            )
        flash(request, lazy("%(name)s has been saved.", name=saved.display_name), "success")
        return redirect("/staff/members")

    @post("/{member_id:int}/deactivate")
    async def deactivate(self, request: Request[Any, Any, Any], member_id: PathId) -> Redirect:
        """The member can no longer sign in."""
        await _member_or_404(member_id)
        member = await deactivate_member(request.user, member_id)
        flash(request, lazy("%(name)s has been deactivated.", name=member.display_name), "success")
        return redirect("/staff/members")


async def _invite_form(actor: Member, status: int = 200, **context: Any) -> Template:
    return _page(
        "staff/member_invite.html",
        status,
        roles=grantable_roles(actor),
        accounts=await account_choices(),
        **context,
    )


async def _member_form(
    actor: Member, member: Member, status: int = 200, **context: Any
) -> Template:
    roles = grantable_roles(actor)
    if member.role not in roles:
        roles.append(member.role)
    return _page(
        "staff/member_form.html",
        status,
        member=member,
        roles=roles,
        accounts=await account_choices(include_inactive=True),
        **context,
    )
