"""The staff directory of customer accounts: list, create, edit, (de)activate, CSV import, API."""

from math import ceil
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from accounts.csv_import import import_accounts_csv, yen_text
from accounts.member_directory import StaffMembersController
from accounts.queries import account_out, find_accounts
from accounts.schemas import AccountForm
from accounts.services import (
    domains_of,
    get_account,
    parse_domains,
    save_account,
    set_account_active,
    staff_members,
)
from accounts.tables import TouchTier
from core.errors import DomainError
from core.forms import read_form, validate
from core.guards import requires_staff
from core.i18n import N_, gettext, lazy
from core.ids import PathId
from core.web import flash, redirect

PAGE_SIZE = 50
MAX_UPLOAD_BYTES = 1024 * 1024
TIER_LABELS = {
    TouchTier.high.value: N_("High touch"),
    TouchTier.low.value: N_("Low touch"),
    TouchTier.tech.value: N_("Tech touch"),
}

PageNumber = Annotated[int, QueryParameter(ge=1, le=1_000_000)]
SearchText = Annotated[str, QueryParameter(max_length=200)]


class UploadTooLarge(DomainError):
    status_code = 413


def page_of(template: str, status: int = 200, **context: Any) -> Template:
    """A staff page; forms always get `errors` and `values`."""
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return Template(template, context=context, status_code=status)


def refusal(template: str, exc: DomainError, values: dict[str, Any], **context: Any) -> Template:
    """The form again, with the refusal's message on top and its field errors in place."""
    errors = {name: gettext(message) for name, message in exc.field_errors.items()}
    errors["__all__"] = exc.translated()
    return page_of(template, exc.status_code, errors=errors, values=values, **context)


def pagination(total: int, page: int, size: int = PAGE_SIZE) -> dict[str, int]:
    return {"page": page, "pages": max(1, ceil(total / size)), "total": total}


class StaffAccountsController(Controller):
    """Staff pages for customer accounts."""

    path = "/staff/accounts"
    guards = [requires_staff]
    include_in_schema = False

    @get("/")
    async def accounts_page(self, q: SearchText = "", page: PageNumber = 1) -> Template:
        """Accounts, searchable by name and email domain."""
        found = await find_accounts(q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        return page_of(
            "staff/accounts.html",
            accounts=found.items,
            owner_names=found.owner_names,
            tiers=TIER_LABELS,
            q=q,
            **pagination(found.total, page),
        )

    @get("/new")
    async def new_account_page(self) -> Template:
        """The form for a new account."""
        return await _account_form(None, values={"touch_tier": TouchTier.low.value})

    @post("/new")
    async def create_account(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Create the account with its domains."""
        return await _save_account_form(request, None)

    @get("/{account_id:int}/edit")
    async def edit_account_page(self, account_id: PathId) -> Template:
        """The form for an existing account."""
        account = await get_account(account_id)
        values = {
            "name": account.name,
            "domains": ", ".join(await domains_of(account_id)),
            "crm_external_id": account.crm_external_id,
            "arr": account.arr,
            "plan": account.plan,
            "contract_start": account.contract_start,
            "renewal_date": account.renewal_date,
            "touch_tier": account.touch_tier,
            "owner_id": account.owner,
            "allow_self_signup": account.allow_self_signup,
            "score_self_view": account.score_self_view,
        }
        return await _account_form(account_id, values=values)

    @post("/{account_id:int}/edit")
    async def update_account(
        self, request: Request[Any, Any, Any], account_id: PathId
    ) -> Template | Redirect:
        """Save the account's fields and replace its domains."""
        await get_account(account_id)
        return await _save_account_form(request, account_id)

    @post("/{account_id:int}/deactivate")
    async def deactivate_account(
        self, request: Request[Any, Any, Any], account_id: PathId
    ) -> Redirect:
        """Deactivate the account; its members can no longer sign in."""
        account = await get_account(account_id)
        await set_account_active(account_id, False)
        flash(request, lazy("%(name)s has been deactivated.", name=account.name), "success")
        return redirect(f"/staff/accounts/{account_id}/edit")

    @post("/{account_id:int}/activate")
    async def activate_account(
        self, request: Request[Any, Any, Any], account_id: PathId
    ) -> Redirect:
        """Activate the account again (its members are reactivated one by one)."""
        account = await get_account(account_id)
        await set_account_active(account_id, True)
        flash(request, lazy("%(name)s has been activated.", name=account.name), "success")
        return redirect(f"/staff/accounts/{account_id}/edit")

    @get("/import")
    async def import_page(self) -> Template:
        """The CSV upload form."""
        return page_of("staff/account_import.html", report=None, max_mb=MAX_UPLOAD_BYTES >> 20)

    @post("/import")
    async def import_accounts(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Import every row of the file, or none when any row is wrong."""
        form = await request.form()
        context = {"report": None, "max_mb": MAX_UPLOAD_BYTES >> 20}
        try:
            report = await import_accounts_csv(await read_csv_upload(form.get("file")))
        except DomainError as exc:
            return page_of(
                "staff/account_import.html",
                exc.status_code,
                errors={"file": exc.translated()},
                **context,
            )
        if report.errors:
            return page_of("staff/account_import.html", 400, **(context | {"report": report}))
        flash(
            request,
            lazy(
                "The accounts were imported: %(created)s created, %(updated)s updated.",
                created=report.created,
                updated=report.updated,
            ),
            "success",
        )
        return redirect("/staff/accounts")


async def _account_form(
    account_id: int | None,
    status: int = 200,
    exc: DomainError | None = None,
    **context: Any,
) -> Template:
    context.update(
        account_id=account_id,
        account=await account_out(account_id) if account_id is not None else None,
        owners=await staff_members(),
        tiers=TIER_LABELS,
    )
    if exc is not None:
        return refusal("staff/account_form.html", exc, context.pop("values"), **context)
    return page_of("staff/account_form.html", status, **context)


def _clean_account_data(data: dict[str, Any]) -> dict[str, Any]:
    # Blank fields take the model's defaults; ARR may be typed as "1,200,000" or "¥1,200,000".
    cleaned = {key: value for key, value in data.items() if value is not None}
    if isinstance(cleaned.get("arr"), str):
        cleaned["arr"] = yen_text(cleaned["arr"])
    return cleaned


async def _save_account_form(
    request: Request[Any, Any, Any], account_id: int | None
) -> Template | Redirect:
    data = await read_form(request)
    form, errors = validate(AccountForm, _clean_account_data(data))
    if form is None:
        return await _account_form(account_id, 400, errors=errors, values=data)
    try:
        domains = parse_domains(form.domains)
        account = await save_account(account_id, form.model_dump(), domains)
    except DomainError as exc:
        return await _account_form(account_id, exc=exc, values=data)
    flash(request, lazy("%(name)s has been saved.", name=account.name), "success")
    return redirect("/staff/accounts")


async def read_csv_upload(upload: Any) -> bytes:
    """The uploaded file's bytes, if it is a CSV of at most MAX_UPLOAD_BYTES."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise DomainError(N_("Choose a CSV file to upload."))
    try:
        if not upload.filename.lower().endswith(".csv"):
            raise DomainError(
                N_("Upload a CSV file (.csv). In Excel, save the sheet as “CSV UTF-8” first.")
            )
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
    finally:
        await upload.close()
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadTooLarge(
            N_("The file is larger than %(mb)s MB. Split it into smaller files."),
            mb=MAX_UPLOAD_BYTES >> 20,
        )
    if b"\x00" in data:
        # Spreadsheets and other binary files contain NUL bytes; CSV text never does.
        raise DomainError(N_("This file is not CSV text. Save it as CSV and upload it again."))
    return data


ROUTES = [StaffAccountsController, StaffMembersController]
