"""Pulls from the CRM: accounts (matched by the CRM's id; created or updated, never deleted —
an account the CRM no longer has is flagged) and renewal outcomes (closed renewal
Opportunities or deals), each a run with its log of what changed and what was refused.

The whole answer is read before anything is written: a field the mapping names but the CRM's
answer lacks stops the run with that field's name. Then every record is applied on its own
(the same checks as the pages, in their own transaction): a refused record is logged with its
reason and the others go on. The CRM wins for the fields it owns; Kizuna keeps the rest.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from accounts.services import save_account
from accounts.tables import Account, AccountDomain, Member
from core.database import transaction
from core.errors import Conflict, DomainError
from core.guards import STAFF_ROLES
from core.i18n import N_
from core.timeutil import utcnow
from crm.files.mapping import load_mapping
from crm.imports import remote
from crm.imports.fields import ACCOUNT_FIELDS, PullMap, load_pull_map
from crm.imports.records import (
    MissingField,
    Refused,
    account_values,
    check_fields,
    renewal_of,
    value_at,
)
from crm.pushes.sync import CrmError
from crm.settings import CrmSettings
from crm.tables import GoneFromCrm, PullRun
from renewals.schemas import RenewalIn
from renewals.services import save_pulled

log = logging.getLogger(__name__)
ACTIVE = ("queued", "running")
KINDS = ("accounts", "renewals")
MAX_LOG = 500
RENEWAL_NAMES = ["account", "close_date", "won", "arr_after", "arr_before"]
KIZUNA_FIELDS = ("allow_self_signup", "score_self_view")


@dataclass
class Log:
    """What a run did, counted and listed (the lists cut at MAX_LOG)."""

    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    flagged: int = 0
    changes: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)

    def change(self, external_id: str, name: str, action: str, fields: Any = None) -> None:
        if len(self.changes) < MAX_LOG:
            self.changes.append(
                {"external_id": external_id, "name": name, "action": action, "fields": fields or {}}
            )

    def problem(self, external_id: str | None, message: str, **params: Any) -> None:
        if len(self.problems) < MAX_LOG:
            params = {k: str(v) for k, v in params.items()}
            self.problems.append({"external_id": external_id, "message": message, "params": params})

    def refuse(self, external_id: str | None, exc: DomainError) -> None:
        self.refused += 1
        self.problem(external_id, exc.message, **exc.params)


async def create_pull(crm: str, kind: str, member_id: int | None, origin: str = "manual") -> int:
    """A queued pull, unless one of this CRM and kind is already queued or running."""
    async with transaction():
        busy = await PullRun.exists().where(
            (PullRun.crm == crm) & (PullRun.kind == kind) & PullRun.status.is_in(list(ACTIVE))
        )
        if busy:
            raise Conflict(N_("This pull is already running."))
        [row] = await PullRun.insert(
            PullRun(crm=crm, kind=kind, requested_by=member_id, origin=origin)
        ).returning(PullRun.id)
    return int(row["id"])


async def get_pull(run_id: int) -> PullRun | None:
    return await PullRun.objects().where(PullRun.id == run_id).output(load_json=True).first()


async def run_pull(run_id: int, settings: CrmSettings, http: httpx.AsyncClient) -> None:
    """Run a queued pull to its end; its row tells how it went."""
    run = await get_pull(run_id)
    if run is None or run.status != "queued":
        return
    await PullRun.update({PullRun.status: "running"}).where(PullRun.id == run_id)
    result = Log()
    error: str | None = None
    try:
        if run.kind == "accounts":
            await _pull_accounts(run.crm, settings, http, result)
        else:
            await _pull_renewals(run.crm, settings, http, result)
    except MissingField as exc:
        result.problem(
            None,
            N_("The CRM's answer has no field %(field)s: check the pull fields of the mapping."),
            field=exc.field,
        )
        error = "missing field"
    except CrmError as exc:
        error = str(exc)[:1000]
    except Exception as exc:  # logged by type only: a message may hold a credential
        log.exception("CRM pull %s failed", run_id)
        error = f"unexpected error ({type(exc).__name__})"
    status = "failed" if error else "partial" if result.problems else "succeeded"
    await PullRun.update(
        {
            PullRun.status: status,
            PullRun.finished_at: utcnow(),
            PullRun.fetched: result.fetched,
            PullRun.created: result.created,
            PullRun.updated: result.updated,
            PullRun.unchanged: result.unchanged,
            PullRun.refused: result.refused,
            PullRun.flagged: result.flagged,
            PullRun.changes: result.changes,
            PullRun.problems: result.problems,
            PullRun.error: error,
        }
    ).where(PullRun.id == run_id)


async def _read_all(pages: AsyncIterator[list[Any]], check: Callable[[Any], None]) -> list[Any]:
    """Every page of the answer, each record checked for the mapped fields first."""
    found: list[Any] = []
    async for page in pages:
        for item in page:
            check(item)
        found.extend(page)
    return found


# --- accounts ------------------------------------------------------------------------------


async def _pull_accounts(
    crm: str, settings: CrmSettings, http: httpx.AsyncClient, result: Log
) -> None:
    pull = await load_pull_map(crm)
    key_field = (await load_mapping(crm)).key_field
    reader = remote.salesforce_accounts if crm == "salesforce" else remote.hubspot_accounts
    names = [n for n, _, _ in ACCOUNT_FIELDS]
    pairs = await _read_all(
        reader(http, settings, pull, key_field), lambda p: check_fields(p[1], pull, names)
    )
    result.fetched = len(pairs)
    staff = await _staff_by_email()
    current = await _accounts_by_crm_id()
    seen: set[str] = set()
    for external_id, record in pairs:
        if not external_id:
            result.refuse(
                None,
                Refused(
                    N_("A record of “%(name)s” has no %(field)s: accounts are matched by it."),
                    name=str(record.get(pull["name"]) or "?"),
                    field=key_field,
                ),
            )
            continue
        if external_id in seen:
            result.refuse(external_id, Refused(N_("The CRM sent this id twice.")))
            continue
        seen.add(external_id)
        await _apply_account(external_id, record, pull, staff, current.get(external_id), result)
    await _flag_gone(crm, current, seen, result)


async def _apply_account(
    external_id: str,
    record: dict[str, Any],
    pull: PullMap,
    staff: dict[str, int],
    existing: dict[str, Any] | None,
    result: Log,
) -> None:
    try:
        values = account_values(record, pull, staff)
    except Refused as exc:
        result.refuse(external_id, exc)
        return
    if pull.owned("owner_email") and values.get("owner_id") is None:
        values.pop("owner_id")  # no CSM has that email: Kizuna's owner stays
        if value_at(record, pull["owner_email"]):
            result.problem(
                external_id, N_("The owner in the CRM is not a CSM in Kizuna: the owner was kept.")
            )
    domains = values.pop("domains", None)
    if existing is None:
        fields = {"crm_external_id": external_id, **values}
        action = "created"
    else:
        fields = {**existing, **values}
        differences = {
            k: [_shown(existing.get(k)), _shown(v)]
            for k, v in values.items()
            if existing.get(k) != v
        }
        if domains is not None and sorted(domains) != sorted(existing["domains"]):
            differences["domains"] = [", ".join(existing["domains"]), ", ".join(domains)]
        if not differences:
            result.unchanged += 1
            return
        action = "updated"
    try:
        account = await save_account(
            existing["id"] if existing else None,
            fields,
            domains if domains is not None else (existing or {}).get("domains", []),
        )
    except DomainError as exc:
        result.refuse(external_id, exc)
        return
    if action == "created":
        result.created += 1
        result.change(external_id, account.name, action)
    else:
        result.updated += 1
        result.change(external_id, account.name, action, differences)


def _shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def _staff_by_email() -> dict[str, int]:
    rows = await Member.select(Member.id, Member.email).where(
        Member.role.is_in(list(STAFF_ROLES)) & (Member.active == True)  # noqa: E712
    )
    return {str(r["email"]).lower(): int(r["id"]) for r in rows}


async def _accounts_by_crm_id() -> dict[str, dict[str, Any]]:
    """Every account with a CRM id, as save_account takes it (domains included)."""
    rows = await Account.select(
        Account.id,
        Account.name,
        Account.crm_external_id,
        Account.arr,
        Account.plan,
        Account.contract_start,
        Account.renewal_date,
        Account.touch_tier,
        Account.owner.as_alias("owner_id"),
        *(getattr(Account, name) for name in KIZUNA_FIELDS),
    ).where(Account.crm_external_id.is_not_null())
    domains: dict[int, list[str]] = {}
    for row in await AccountDomain.select(AccountDomain.account, AccountDomain.domain).where(
        AccountDomain.account.crm_external_id.is_not_null()
    ):
        domains.setdefault(int(row["account"]), []).append(str(row["domain"]))
    return {
        str(row["crm_external_id"]): {**row, "domains": sorted(domains.get(int(row["id"]), []))}
        for row in rows
    }


async def _flag_gone(
    crm: str, current: dict[str, dict[str, Any]], seen: set[str], result: Log
) -> None:
    """Flag the accounts this pull did not find; unflag those found again."""
    flagged = {int(r["account"]) for r in await GoneFromCrm.select(GoneFromCrm.account)}
    for external_id, account in current.items():
        account_id = int(account["id"])
        if external_id in seen and account_id in flagged:
            await GoneFromCrm.delete().where(GoneFromCrm.account == account_id)
            result.change(external_id, account["name"], "back")
        elif external_id not in seen and account_id not in flagged:
            await GoneFromCrm.insert(GoneFromCrm(account=account_id, crm=crm))
            result.flagged += 1
            result.change(external_id, account["name"], "gone")


# --- renewals ------------------------------------------------------------------------------


async def _pull_renewals(
    crm: str, settings: CrmSettings, http: httpx.AsyncClient, result: Log
) -> None:
    pull = await load_pull_map(crm)
    names = [n for n in RENEWAL_NAMES if not (crm == "hubspot" and n == "account")]
    pages: AsyncIterator[list[tuple[str, str, dict[str, Any]]]]
    if crm == "salesforce":
        pages = remote.salesforce_renewals(http, settings, pull)
    else:
        key_field = (await load_mapping(crm)).key_field
        pages = remote.hubspot_renewals(http, settings, pull, key_field)
    triples = await _read_all(pages, lambda t: check_fields(t[2], pull, names))
    result.fetched = len(triples)
    accounts = {k: int(v["id"]) for k, v in (await _accounts_by_crm_id()).items()}
    for external_id, ref, record in triples:
        await _apply_renewal(crm, external_id, ref, record, pull, accounts, result)


async def _apply_renewal(
    crm: str,
    external_id: str,
    ref: str,
    record: dict[str, Any],
    pull: PullMap,
    accounts: dict[str, int],
    result: Log,
) -> None:
    try:
        pulled = renewal_of(external_id, record, pull, ref)
        account_id = accounts.get(ref)
        if account_id is None:
            raise Refused(N_("No account in Kizuna has the CRM id “%(id)s”."), id=ref or "—")
        data = RenewalIn(
            account_id=account_id,
            renewal_date=pulled.renewal_date,
            outcome=pulled.outcome,
            arr_before=pulled.arr_before,
            arr_after=pulled.arr_after,
        )
        outcome = await save_pulled(data, crm, external_id)
    except DomainError as exc:
        result.refuse(external_id, exc)
        return
    if outcome == "unchanged":
        result.unchanged += 1
        return
    setattr(result, outcome, getattr(result, outcome) + 1)
    result.change(
        external_id,
        ref,
        outcome,
        {"renewal_date": pulled.renewal_date.isoformat(), "outcome": pulled.outcome},
    )
