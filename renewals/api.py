"""Renewals as JSON under /api/v1/renewals, for staff sessions and API tokens (scopes
renewals:read and renewals:write): the records, the backtest, the suggested weights, and the
leader's report (JSON and CSV). The same services and checks as the pages."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import Body, QueryParameter

from core.api_tokens import API_TOKEN_OPT, TOKEN_PROBLEMS, ApiPrincipal, requires_scope
from core.i18n import N_
from core.ids import ID_MAX, PathId
from core.problems import SIGNED_IN, WRITE, problem_responses
from core.templating import viewer_today
from engagement.dashboard import TIER_LABELS
from engagement.versions import current_config
from renewals import services
from renewals.backtest import backtest, weights_digest
from renewals.controllers import OUTCOME_LABELS
from renewals.report import Comparison, Metrics, Report, report, report_csv
from renewals.schemas import (
    AssociationOut,
    BacktestOut,
    ComparisonOut,
    FittedOut,
    MetricsOut,
    PrecedingOut,
    RateOut,
    RenewalIn,
    RenewalList,
    RenewalOut,
    ReportOut,
    SuggestedWeightsOut,
)
from renewals.services import RenewalRow
from renewals.statistics import Association, Backtest, Rate

READ_SCOPE, WRITE_SCOPE = "renewals:read", "renewals:write"
SCOPES = {
    READ_SCOPE: N_("Read renewal outcomes, the backtest and the leader's report"),
    WRITE_SCOPE: N_("Record, change and delete renewal outcomes"),
}
READ = problem_responses(400, *SIGNED_IN, 404, 429, described=TOKEN_PROBLEMS)
WRITE_ITEM = problem_responses(*WRITE, 404, 409, 429, described=TOKEN_PROBLEMS)
Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000)]
Days = Annotated[Literal[30, 90, 180], QueryParameter()]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def renewal_out(row: RenewalRow) -> RenewalOut:
    fields = asdict(row)
    fields["account_id"] = fields.pop("account")
    return RenewalOut.model_validate(fields)


def _rate(rate: Rate) -> RateOut:
    return RateOut(
        label=rate.label,
        count=rate.count,
        churned=rate.churned,
        renewal_rate=rate.renewal_rate,
        churn_rate=rate.churn_rate,
    )


def _association(found: Association) -> AssociationOut:
    return AssociationOut(
        name=found.name,
        with_count=found.with_.count,
        with_renewal_rate=found.with_.renewal_rate,
        without_count=found.without.count,
        without_renewal_rate=found.without.renewal_rate,
        difference=found.difference,
        p_value=found.p_value,
    )


def backtest_out(result: Backtest, as_of: Any) -> BacktestOut:
    fitted = result.fitted
    return BacktestOut(
        as_of=as_of,
        horizon_days=result.horizon_days,
        cases=result.cases,
        churned=result.churned,
        without_snapshot=result.without_snapshot,
        enough_history=result.enough,
        overall=_rate(result.overall),
        bands=[_rate(rate) for rate in result.bands],
        auc=result.auc,
        auc_low=result.auc_low,
        auc_high=result.auc_high,
        red_lift=result.red_lift,
        kinds=[_association(a) for a in result.kinds],
        measures=[_association(a) for a in result.measures],
        suggested=FittedOut(**asdict(fitted)) if fitted else None,
    )


def _metrics(m: Metrics) -> MetricsOut:
    return MetricsOut(
        renewals=m.count,
        churned=m.churned,
        expanded=m.expanded,
        renewal_rate=m.renewal_rate,
        grr=m.grr,
        nrr=m.nrr,
        expansion_rate=m.expansion_rate,
        arr_before=m.arr_before,
        arr_after=m.arr_after,
    )


def _comparison(c: Comparison) -> ComparisonOut:
    return ComparisonOut(
        label=c.label, took_part=_metrics(c.took_part), did_not=_metrics(c.did_not)
    )


def report_out(result: Report) -> ReportOut:
    return ReportOut(
        as_of=result.as_of,
        start=result.start,
        overall=_comparison(result.overall),
        by_quarter=[_comparison(c) for c in result.by_quarter],
        by_tier=[_comparison(c) for c in result.by_tier],
        by_contract_value=[_comparison(c) for c in result.by_band],
        preceding_expansions=[
            PrecedingOut(
                participation=p.group,
                expansions=p.expansions,
                expansions_with=p.expansions_with,
                others=p.others,
                others_with=p.others_with,
            )
            for p in result.preceding
        ],
        silent=_metrics(result.silent),
        silent_outcomes=result.silent_outcomes,
    )


async def report_csv_response(as_of: Any) -> Response[str]:
    text = report_csv(await report(as_of), OUTCOME_LABELS, TIER_LABELS)
    return Response(
        text,
        media_type=CSV_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="renewal-report-{as_of.isoformat()}.csv"'
        },
    )


def _actor(request: Request[Any, Any, Any]) -> int | None:
    """Who a change is recorded as: the member, or for a token the admin who created it."""
    user = request.user
    return user.owner_id if isinstance(user, ApiPrincipal) else user.id


class RenewalsApiController(Controller):
    """Renewal records, the backtest and the report as JSON, for staff sessions and API tokens
    (the same checks as the pages)."""

    path = "/api/v1/renewals"
    opt = {API_TOKEN_OPT: True}
    tags = ["renewals"]

    @get("/", responses=READ, guards=[requires_scope(READ_SCOPE)])
    async def list_renewals(
        self,
        limit: Limit = 100,
        offset: Offset = 0,
        account_id: Annotated[int | None, QueryParameter(ge=1, le=ID_MAX)] = None,
    ) -> RenewalList:
        """Renewals, newest renewal date first."""
        rows, total = await services.list_renewals(limit, offset, account_id)
        return RenewalList(items=[renewal_out(r) for r in rows], total=total)

    @post("/", responses=WRITE_ITEM, guards=[requires_scope(WRITE_SCOPE)])
    async def create_renewal(
        self, request: Request[Any, Any, Any], data: Annotated[RenewalIn, Body()]
    ) -> RenewalOut:
        """Record a renewal (409 when the account already has one on that date)."""
        renewal_id = await services.save_renewal(data, _actor(request))
        return renewal_out(await services.get_renewal(renewal_id))

    @get("/{renewal_id:int}", responses=READ, guards=[requires_scope(READ_SCOPE)])
    async def get_renewal(self, renewal_id: PathId) -> RenewalOut:
        return renewal_out(await services.get_renewal(renewal_id))

    @put("/{renewal_id:int}", responses=WRITE_ITEM, guards=[requires_scope(WRITE_SCOPE)])
    async def update_renewal(
        self,
        request: Request[Any, Any, Any],
        renewal_id: PathId,
        data: Annotated[RenewalIn, Body()],
    ) -> RenewalOut:
        await services.save_renewal(data, _actor(request), renewal_id)
        return renewal_out(await services.get_renewal(renewal_id))

    @delete(
        "/{renewal_id:int}",
        responses=WRITE_ITEM,
        status_code=204,
        guards=[requires_scope(WRITE_SCOPE)],
    )
    async def delete_renewal(self, renewal_id: PathId) -> None:
        await services.delete_renewal(renewal_id)

    @get("/backtest", responses=READ, guards=[requires_scope(READ_SCOPE)])
    async def get_backtest(self, days: Days = 90) -> BacktestOut:
        """The backtest of the scoring version in force (days: 30, 90 or 180 before)."""
        today = viewer_today()
        return backtest_out(await backtest(days, today), today)

    @get("/backtest/weights", responses=READ, guards=[requires_scope(READ_SCOPE)])
    async def get_suggested_weights(self, days: Days = 90) -> SuggestedWeightsOut:
        """The weights the backtest suggests (null under too little history) and those in
        force, each with its AUC for churn."""
        today = viewer_today()
        result = await backtest(days, today)
        _, scoring = await current_config()
        fitted = result.fitted
        return SuggestedWeightsOut(
            as_of=today,
            horizon_days=result.horizon_days,
            enough_history=result.enough,
            current=scoring.weights(),
            current_auc=result.auc,
            suggested=fitted.weights if fitted else None,
            suggested_auc=fitted.auc if fitted else None,
            digest=weights_digest(fitted.weights) if fitted else None,
        )

    @get("/report", responses=READ, guards=[requires_scope(READ_SCOPE)])
    async def get_report(self) -> ReportOut:
        """The leader's report: renewal rate, GRR, NRR and expansion of accounts that took part
        against those that did not, over the last four quarters."""
        return report_out(await report(viewer_today()))

    @get(
        "/report.csv",
        responses=READ,
        guards=[requires_scope(READ_SCOPE)],
        media_type=CSV_MEDIA_TYPE,
    )
    async def get_report_csv(self) -> Response[str]:
        """The report's rows (one per renewal) as CSV for Excel: UTF-8 with a BOM."""
        return await report_csv_response(viewer_today())
