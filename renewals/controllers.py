"""Renewal pages for staff: the list with its entry form, edit and delete, the CSV import, the
backtest (admins apply its suggested weights) and the leader's report (the JSON and the CSV are
renewals.api's).

Handlers are thin: call renewals.services / renewals.backtest, render or redirect.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from accounts.csv_import import yen_text
from accounts.directory import PageNumber, pagination, read_csv_upload
from accounts.queries import account_choices
from core.errors import DomainError
from core.forms import form_failure, read_form, validate
from core.guards import requires_admin, requires_staff
from core.i18n import N_, gettext, lazy
from core.ids import PathId
from core.templating import viewer_today
from core.web import flash, redirect
from engagement.dashboard import BAND_LABELS, TIER_LABELS
from engagement.kinds import KIND_LABELS
from engagement.versions import current_config
from renewals import services
from renewals.backtest import DEFAULT_HORIZON, HORIZONS, apply_suggested, backtest, weights_digest
from renewals.charts import grouped_bars
from renewals.csv_import import import_renewals_csv
from renewals.report import ARR_BANDS, PARTICIPATION_LABELS, Report, report
from renewals.schemas import RenewalIn

PAGE_SIZE = 50
MAX_UPLOAD_MB = 1
OUTCOME_LABELS = {
    "renewed": N_("Renewed"),
    "expanded": N_("Expanded"),
    "downgraded": N_("Downgraded"),
    "churned": N_("Churned"),
}
SOURCE_LABELS = {
    "manual": N_("Entered by staff"),
    "csv": N_("CSV import"),
    "salesforce": "Salesforce",
    "hubspot": "HubSpot",
    "demo": N_("Demo data"),
}
MEASURE_LABELS = {
    "community": N_("Community"),
    "events": N_("Events"),
    "breadth": N_("Breadth"),
    "recency": N_("Recency"),
}
FORM_FIELDS = ("account_id", "renewal_date", "outcome", "arr_before", "arr_after")
Horizon = Annotated[int, QueryParameter(ge=1, le=3650)]


def _page(template: str, status: int = 200, **context: Any) -> Template:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return Template(
        template,
        context={"outcomes": OUTCOME_LABELS, "sources": SOURCE_LABELS, **context},
        status_code=status,
    )


def _form_data(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in data.items() if k in FORM_FIELDS}
    for name in ("arr_before", "arr_after"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = yen_text(cleaned[name])
    return cleaned


class RenewalsController(Controller):
    """Renewal records and the backtest, for staff."""

    path = "/staff/renewals"
    guards = [requires_staff]
    include_in_schema = False

    @get("/")
    async def list_page(self, page: PageNumber = 1) -> Template:
        """Renewals, newest first, with the form that adds one."""
        return await _list(page)

    @post("/")
    async def create(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        data = _form_data(await read_form(request))
        form, errors = validate(RenewalIn, data)
        if form is None:
            return await _list(1, 400, errors=errors, values=data)
        try:
            await services.save_renewal(form, request.user.id)
        except DomainError as exc:
            return await _list(1, exc.status_code, errors=form_failure(exc), values=data)
        flash(request, lazy("The renewal was recorded."), "success")
        return redirect("/staff/renewals")

    @get("/{renewal_id:int}/edit")
    async def edit_page(self, renewal_id: PathId) -> Template:
        row = await services.get_renewal(renewal_id)
        values = {name: getattr(row, name, None) for name in FORM_FIELDS}
        values["account_id"] = row.account
        return _page("renewals/form.html", renewal=row, values=values, accounts=[])

    @post("/{renewal_id:int}")
    async def update(
        self, request: Request[Any, Any, Any], renewal_id: PathId
    ) -> Template | Redirect:
        row = await services.get_renewal(renewal_id)
        data = _form_data(await read_form(request))
        form, errors = validate(RenewalIn, data)
        if form is None:
            return _page(
                "renewals/form.html", 400, renewal=row, errors=errors, values=data, accounts=[]
            )
        try:
            await services.save_renewal(form, request.user.id, renewal_id)
        except DomainError as exc:
            failure = form_failure(exc)
            return _page(
                "renewals/form.html",
                exc.status_code,
                renewal=row,
                errors=failure,
                values=data,
                accounts=[],
            )
        flash(request, lazy("The renewal was saved."), "success")
        return redirect("/staff/renewals")

    @post("/{renewal_id:int}/delete")
    async def remove(self, request: Request[Any, Any, Any], renewal_id: PathId) -> Redirect:
        await services.delete_renewal(renewal_id)
        flash(request, lazy("The renewal was deleted."), "success")
        return redirect("/staff/renewals")

    @get("/import")
    async def import_page(self) -> Template:
        return _page("renewals/import.html", report=None, max_mb=MAX_UPLOAD_MB)

    @post("/import")
    async def import_file(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Import every row of the file, or none when any row is wrong."""
        form = await request.form()
        context = {"report": None, "max_mb": MAX_UPLOAD_MB}
        try:
            data = await read_csv_upload(form.get("file"))
            report = await import_renewals_csv(data, request.user.id)
        except DomainError as exc:
            failure = {"file": exc.translated()}
            return _page("renewals/import.html", exc.status_code, errors=failure, **context)
        if report.errors:
            return _page("renewals/import.html", 400, **(context | {"report": report}))
        flash(
            request,
            lazy(
                "The renewals were imported: %(created)s created, %(updated)s updated.",
                created=report.created,
                updated=report.updated,
            ),
            "success",
        )
        return redirect("/staff/renewals")

    @get("/backtest")
    async def backtest_page(self, days: Horizon = DEFAULT_HORIZON) -> Template:
        """Does the score predict renewal? Rates per band, AUC, signals, calibration."""
        today = viewer_today()
        result = await backtest(days if days in HORIZONS else DEFAULT_HORIZON, today)
        digest = weights_digest(result.fitted.weights) if result.fitted else ""
        _, scoring = await current_config()
        return _page(
            "renewals/backtest.html",
            result=result,
            today=today,
            horizons=HORIZONS,
            digest=digest,
            current=scoring.weights(),
            red_below=scoring.red_below,
            green_from=scoring.green_from,
            bands=BAND_LABELS,
            kinds=KIND_LABELS,
            measures=MEASURE_LABELS,
        )

    @post("/backtest/apply", guards=[requires_admin])
    async def apply(self, request: Request[Any, Any, Any]) -> Redirect:
        """Save the suggested weights as a new scoring version."""
        data = await read_form(request)
        days = int(data.get("days") or 0) if str(data.get("days") or "").isdigit() else 0
        back = f"/staff/renewals/backtest?days={days if days in HORIZONS else DEFAULT_HORIZON}"
        today = viewer_today()
        try:
            version = await apply_suggested(
                days, today, str(data.get("digest") or ""), request.user.id
            )
        except DomainError as exc:
            flash(request, exc.as_text(), "error")
            return redirect(back)
        flash(request, lazy("Saved as scoring version %(id)s.", id=version), "success")
        return redirect("/staff/engagement/config")

    @get("/report")
    async def report_page(self) -> Template:
        """The leader's report: accounts that took part against the others, four quarters."""
        result = await report(viewer_today())
        return _page(
            "renewals/report.html",
            result=result,
            charts=_report_charts(result),
            tiers=TIER_LABELS,
            participation=PARTICIPATION_LABELS,
            arr_bands=[name for _, name in ARR_BANDS],
        )


def _report_charts(result: Report) -> dict[str, Any]:
    """The report's two charts: the four measures, and net revenue retention per quarter."""
    series = (gettext(N_("Took part")), gettext(N_("Did not take part")))
    overall = result.overall
    measures = [
        (N_("Renewal rate"), "renewal_rate"),
        (N_("Gross revenue retention"), "grr"),
        (N_("Net revenue retention"), "nrr"),
        (N_("Expansion rate"), "expansion_rate"),
    ]
    return {
        "measures": grouped_bars(
            [
                (gettext(label), (getattr(overall.took_part, a), getattr(overall.did_not, a)))
                for label, a in measures
            ],
            series,
            gettext(N_("Retention of accounts that took part and of the others")),
            gettext(
                N_("%(a)s renewals of accounts that took part, %(b)s of the others."),
                a=overall.took_part.count,
                b=overall.did_not.count,
            ),
        ),
        "quarters": grouped_bars(
            [(c.label, (c.took_part.nrr, c.did_not.nrr)) for c in result.by_quarter],
            series,
            gettext(N_("Net revenue retention by quarter")),
            gettext(N_("Net revenue retention per quarter, by participation.")),
        ),
    }


async def _list(page: int, status: int = 200, **context: Any) -> Template:
    rows, total = await services.list_renewals(PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return _page(
        "renewals/list.html",
        status,
        renewals=rows,
        counts=await services.outcome_counts(),
        accounts=await account_choices(),
        **pagination(total, page, PAGE_SIZE),
        **context,
    )
