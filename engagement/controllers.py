"""Engagement pages: the staff dashboard, silent accounts, portfolio, alerts, the account page,
and a customer's own score (when an admin turned the account's self-view on).

Handlers are thin: clean the query, call engagement.dashboard / account_detail, render.
"""

from __future__ import annotations

from math import ceil
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from core.errors import NotFound
from core.forms import read_form
from core.guards import requires_admin, requires_member, requires_staff
from core.i18n import N_, gettext, lazy
from core.ids import PathInt, in_range
from core.templating import get_timezone
from core.timeutil import to_zone, utcnow
from core.web import flash, redirect, safe_next
from core.wiring import Wiring
from engagement import account_detail, alerts, dashboard
from engagement.api import EngagementApiController
from engagement.charts import line_chart
from engagement.config_pages import ScoringConfigController
from engagement.dashboard import BAND_LABELS, TIER_LABELS, TREND_ARROWS, TREND_LABELS, Filters
from engagement.kinds import KIND_LABELS
from engagement.versions import current_config

PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=100_000)]
Text = Annotated[str | None, QueryParameter(max_length=20)]
Direction = Annotated[str | None, QueryParameter(name="dir", max_length=20)]
Days = Annotated[int | None, QueryParameter(ge=1, le=3650)]

LABELS = {
    "bands": BAND_LABELS,
    "tiers": TIER_LABELS,
    "trends": TREND_LABELS,
    "arrows": TREND_ARROWS,
    "kinds": KIND_LABELS,
    "not_scored": dashboard.NOT_SCORED,
}
COLUMNS = [
    ("name", N_("Account")),
    ("score", N_("Score")),
    ("band", N_("Band")),
    ("trend", N_("Trend")),
    ("community", N_("Community")),
    ("events", N_("Event participation")),
    ("breadth", N_("Breadth")),
    ("recency", N_("Recency")),
    ("last_activity", N_("Last activity")),
    ("recommended", N_("Recommended tier")),
    ("tier", N_("Touch tier")),
    ("owner", N_("Owner CSM")),
]


def page(template: str, status: int = 200, **context: Any) -> Template:
    return Template(template, context={**LABELS, **context}, status_code=status)


def pages(total: int, size: int = dashboard.PAGE_SIZE) -> int:
    return max(1, ceil(total / size))


def _valid_id(value: int) -> int:
    if not in_range(value):
        raise NotFound(account_detail.ACCOUNT_NOT_FOUND)
    return value


class StaffEngagementController(Controller):
    """The CSMs' view of every account's engagement."""

    path = "/staff/engagement"
    guards = [requires_staff]
    include_in_schema = False

    @get("/")
    async def dashboard_page(
        self,
        request: Request[Any, Any, Any],
        band: Text = None,
        tier: Text = None,
        owner: Text = None,
        flagged: Text = None,
        sort: Text = None,
        direction: Direction = None,
        page_number: PageNumber = 1,
    ) -> Template:
        """Every account's score, filtered and sorted; the CSM's open alerts on top."""
        filters = Filters.clean(band, tier, owner, flagged, sort, direction, me=request.user.id)
        _, settings = await current_config()
        rows, total = await dashboard.account_table(filters, settings, page_number)
        sort_links = {}
        for key, _ in COLUMNS:
            descending = not filters.descending if key == filters.sort else False
            query = filters.query(sort=key, dir="desc" if descending else "asc")
            sort_links[key] = "?" + urlencode(query)
        return page(
            "engagement/dashboard.html",
            rows=rows,
            total=total,
            filters=filters,
            page=page_number,
            pages=pages(total),
            columns=COLUMNS,
            sort_links=sort_links,
            page_query=lambda n: "?" + urlencode(filters.query(page=n)),
            csv_query="?" + urlencode(filters.query()),
            owners=await dashboard.staff_owners(),
            alert_count=await account_detail.owner_alert_count(request.user.id),
            settings=settings,
        )

    @get("/export.csv")
    async def export_csv(
        self,
        request: Request[Any, Any, Any],
        band: Text = None,
        tier: Text = None,
        owner: Text = None,
        flagged: Text = None,
        sort: Text = None,
        direction: Direction = None,
    ) -> Response[bytes]:
        """The current view (filters and sort, every page) as CSV for Excel."""
        filters = Filters.clean(band, tier, owner, flagged, sort, direction, me=request.user.id)
        _, settings = await current_config()
        text = await dashboard.table_csv(filters, settings)
        stamp = to_zone(utcnow(), get_timezone()).strftime("%Y%m%d-%H%M")
        return Response(
            text.encode("utf-8"),
            media_type="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="engagement-{stamp}.csv"',
                "Cache-Control": "no-store",
            },
        )

    @get("/silent")
    async def silent_page(
        self,
        days: Days = None,
        page_number: PageNumber = 1,
    ) -> Template:
        """Accounts no signal has reached in N days, the largest contract value first."""
        _, settings = await current_config()
        window = days or settings.silent_days
        rows, total = await dashboard.silent_accounts(window, settings, page_number)
        return page(
            "engagement/silent.html",
            rows=rows,
            total=total,
            days=window,
            default_days=settings.silent_days,
            page=page_number,
            pages=pages(total),
        )

    @get("/portfolio")
    async def portfolio_page(self) -> Template:
        """Accounts per band and tier, and the average score of the last 90 days."""
        _, settings = await current_config()
        data = await dashboard.portfolio(settings)
        chart = line_chart(
            [(day, value) for day, value, _ in data["daily"]],
            data["first_day"],
            data["last_day"],
            gettext("Average engagement score, last 90 days"),
            _describe([(d, v) for d, v, _ in data["daily"]]),
            bands=(settings.red_below, settings.green_from),
        )
        return page("engagement/portfolio.html", data=data, chart=chart, settings=settings)

    @get("/alerts")
    async def alerts_page(
        self,
        request: Request[Any, Any, Any],
        everyone: Annotated[str | None, QueryParameter(name="all", max_length=5)] = None,
    ) -> Template:
        """Open score alerts: the CSM's own accounts, or everyone's."""
        show_all = everyone == "1"
        rows = await alerts.open_alerts(None if show_all else request.user.id, limit=200)
        for row in rows:
            row["label"] = alerts.ALERT_LABELS.get(row["kind"], row["kind"])
        return page("engagement/alerts.html", alerts=rows, show_all=show_all)

    @post("/alerts/{alert_id:int}/close")
    async def close_alert(self, request: Request[Any, Any, Any], alert_id: PathInt) -> Redirect:
        """Mark an alert handled."""
        data = await read_form(request)
        await alerts.close_alert(_valid_id(alert_id), request.user.id)
        flash(request, lazy("The alert was closed."), "success")
        return redirect(safe_next(data.get("next"), "/staff/engagement/alerts"))

    @get("/accounts/{account_id:int}")
    async def account_page(self, request: Request[Any, Any, Any], account_id: PathInt) -> Template:
        """One account: score history, measures, explanation, signals, members, alerts."""
        _, settings = await current_config()
        wiring: Wiring = request.app.state.wiring
        view = await account_detail.staff_view(
            _valid_id(account_id), settings, wiring.subject_links
        )
        sections = []
        for section in wiring.account_sections:
            block = await section(account_id, request.user, request)
            if block is not None:
                sections.append(block)
        return page(
            "engagement/account.html",
            **view,
            **_history_chart(view["account"]["name"], view["history"], settings),
            settings=settings,
            sections=sections,
        )

    @post("/accounts/{account_id:int}/self-view", guards=[requires_admin])
    async def set_self_view(self, request: Request[Any, Any, Any], account_id: PathInt) -> Redirect:
        """Turn the account's customers' view of their own score on or off."""
        data = await read_form(request)
        enabled = data.get("enabled") == "1"
        await account_detail.set_self_view(_valid_id(account_id), enabled)
        message = (
            lazy("The account's members can now see its engagement score.")
            if enabled
            else lazy("The account's members can no longer see its engagement score.")
        )
        flash(request, message, "success")
        return redirect(f"/staff/engagement/accounts/{account_id}")


def _describe(points: list[tuple[Any, float]]) -> str:
    if not points:
        return gettext("No history yet.")
    values = [v for _, v in points]
    return gettext(
        "%(count)s days; from %(first)s to %(last)s (lowest %(low)s, highest %(high)s).",
        count=len(points),
        first=values[0],
        last=values[-1],
        low=min(values),
        high=max(values),
    )


def _label(band: str) -> str:
    return gettext(BAND_LABELS[band])


def _history_chart(name: str, history: list[dict[str, Any]], settings: Any) -> dict[str, Any]:
    start, end = account_detail.history_range()
    points = [(row["day"], row["score"]) for row in history]
    chart = line_chart(
        points,
        start,
        end,
        gettext("Engagement score of %(name)s, last 180 days", name=name),
        _describe(points),
        bands=(settings.red_below, settings.green_from),
        band_labels=(_label("red"), _label("green")),
    )
    return {"chart": chart}


class MyAccountScoreController(Controller):
    """A customer's own account score, when the account's self-view is on."""

    path = "/engagement"
    guards = [requires_member]
    include_in_schema = False

    @get("/my-account")
    async def my_account(self, request: Request[Any, Any, Any]) -> Template:
        """The account's score, measures, what weighed most and its history."""
        account = await account_detail.own_account_for(request.user)
        _, settings = await current_config()
        score = await account_detail.score_row(account["id"])
        history = await account_detail.history(account["id"])
        return page(
            "engagement/my_account.html",
            account=account,
            score=score,
            history=history,
            **_history_chart(account["name"], history, settings),
        )


class EngagementLinksController(Controller):
    """Addresses used before the pages settled (alert emails, screenshots): redirects."""

    include_in_schema = False
    guards = [requires_staff]

    @get("/dashboard/accounts/{account_id:int}")
    async def old_account_link(self, account_id: PathInt) -> Redirect:
        return Redirect(f"/staff/engagement/accounts/{account_id}", status_code=301)

    @get("/staff/dashboard")
    async def old_dashboard_link(self) -> Redirect:
        return Redirect("/staff/engagement", status_code=301)


async def home_section(member: Any) -> tuple[str, dict[str, Any]] | None:
    """Staff: open alerts of their accounts. Customers with the self-view: their score."""
    if member.is_staff:
        count = await account_detail.owner_alert_count(member.id)
        return "engagement/home_section.html", {"staff": True, "alert_count": count}
    if member.account is None or not await account_detail.can_see_score(member, member.account):
        return None
    score = await account_detail.score_row(int(member.account))
    return "engagement/home_section.html", {"staff": False, "score": score, **LABELS}


ROUTES = [
    StaffEngagementController,
    ScoringConfigController,
    MyAccountScoreController,
    EngagementLinksController,
    EngagementApiController,
]
