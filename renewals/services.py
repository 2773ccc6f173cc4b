"""Renewal records: entered by staff, imported from a CSV or pulled from the CRM; one per
account and renewal date, checked against the account's contract and the outcome's ARR."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from accounts.tables import Account
from core.database import fetch, transaction
from core.errors import Conflict, DomainError, NotFound
from core.i18n import N_
from core.timeutil import utcnow
from renewals.schemas import RenewalIn
from renewals.tables import Outcome, Renewal, Source

RENEWAL_NOT_FOUND = N_("This renewal does not exist.")
ACCOUNT_UNKNOWN = N_("Choose an account of the list.")
DUPLICATE = N_("This account already has a renewal on that date.")


@dataclass(frozen=True)
class RenewalRow:
    id: int
    account: int
    account_name: str
    renewal_date: date
    outcome: str
    arr_before: int
    arr_after: int
    source: str
    external_id: str | None
    updated_at: Any


def outcome_problem(outcome: str, before: int, after: int) -> str | None:
    """The msgid of what is wrong with the ARR for this outcome, else None."""
    if outcome == Outcome.churned and after != 0:
        return N_("A churned account's ARR after the renewal is 0.")
    if outcome == Outcome.expanded and after <= before:
        return N_("An expansion's ARR after must be above the ARR before.")
    if outcome == Outcome.downgraded and not 0 < after < before:
        return N_("A downgrade's ARR after must be below the ARR before and above 0.")
    if outcome == Outcome.renewed and after == 0:
        return N_("A renewed account's ARR after is above 0 (or choose churned).")
    return None


def completed(data: RenewalIn, account_arr: int) -> tuple[int, int]:
    """(ARR before, ARR after) with the defaults filled in."""
    before = data.arr_before if data.arr_before is not None else account_arr
    if data.arr_after is not None:
        return before, data.arr_after
    return before, 0 if data.outcome == Outcome.churned else before


async def _account(account_id: int) -> dict[str, Any]:
    row = (
        await Account.select(Account.id, Account.arr, Account.contract_start)
        .where(Account.id == account_id)
        .first()
    )
    if row is None:
        raise DomainError(ACCOUNT_UNKNOWN, field_errors={"account_id": ACCOUNT_UNKNOWN})
    return row


def check(data: RenewalIn, account: dict[str, Any]) -> tuple[int, int]:
    """The ARR pair of a valid renewal, or a DomainError naming the field at fault."""
    start = account["contract_start"]
    if start is not None and data.renewal_date < start:
        message = N_("The renewal date is before the account's contract start.")
        raise DomainError(message, field_errors={"renewal_date": message})
    before, after = completed(data, int(account["arr"]))
    problem = outcome_problem(data.outcome, before, after)
    if problem:
        raise DomainError(problem, field_errors={"arr_after": problem})
    return before, after


def _values(data: RenewalIn, before: int, after: int) -> dict[Any, Any]:
    """The columns a checked renewal writes."""
    return {
        Renewal.account: data.account_id,
        Renewal.renewal_date: data.renewal_date,
        Renewal.outcome: data.outcome,
        Renewal.arr_before: before,
        Renewal.arr_after: after,
    }


def _fields(values: dict[Any, Any]) -> dict[str, Any]:
    """Column → value as the Renewal constructor takes it (name → value)."""
    return {column._meta.name: value for column, value in values.items()}


async def save_renewal(
    data: RenewalIn, member_id: int | None, renewal_id: int | None = None
) -> int:
    """Create (or, with `renewal_id`, update) a renewal; its id."""
    async with transaction():
        account = await _account(data.account_id)
        before, after = check(data, account)
        clash = Renewal.select(Renewal.id).where(
            (Renewal.account == data.account_id) & (Renewal.renewal_date == data.renewal_date)
        )
        if renewal_id is not None:
            clash = clash.where(Renewal.id != renewal_id)
        if await clash.first():
            raise Conflict(DUPLICATE, field_errors={"renewal_date": DUPLICATE})
        values = {**_values(data, before, after), Renewal.updated_at: utcnow()}
        if renewal_id is None:
            row = Renewal(
                **_fields(_values(data, before, after)),
                source=Source.manual.value,
                created_by=member_id,
            )
            [saved] = await Renewal.insert(row).returning(Renewal.id)
            return int(saved["id"])
        updated = await Renewal.update(values).where(Renewal.id == renewal_id).returning(Renewal.id)
        if not updated:
            raise NotFound(RENEWAL_NOT_FOUND)
        return renewal_id


async def save_pulled(data: RenewalIn, source: str, external_id: str) -> str:
    """A renewal from the CRM (`external_id`: its Opportunity or deal), checked like the form's:
    the record with that id, else the account's record on that date (the CRM wins), updated;
    else a new one. Returns created, updated or unchanged."""
    async with transaction():
        account = await _account(data.account_id)
        before, after = check(data, account)
        existing = (
            await Renewal.select()
            .where(
                (Renewal.external_id == external_id)
                | (
                    (Renewal.account == data.account_id)
                    & (Renewal.renewal_date == data.renewal_date)
                )
            )
            .order_by(Renewal.external_id, ascending=False)  # the one with the id first
        )
        values = {
            **_values(data, before, after),
            Renewal.source: source,
            Renewal.external_id: external_id,
        }
        if not existing:
            await Renewal.insert(Renewal(**_fields(values)))
            return "created"
        row = next((r for r in existing if r["external_id"] == external_id), existing[0])
        if all(row[c._meta.name] == v for c, v in values.items()):
            return "unchanged"
        others = [r["id"] for r in existing if r["id"] != row["id"]]
        if others:  # the id moved to another date that already had a record: one stays
            await Renewal.delete().where(Renewal.id.is_in(others))
        await Renewal.update({**values, Renewal.updated_at: utcnow()}).where(
            Renewal.id == row["id"]
        )
        return "updated"


async def delete_renewal(renewal_id: int) -> None:
    deleted = await Renewal.delete().where(Renewal.id == renewal_id).returning(Renewal.id)
    if not deleted:
        raise NotFound(RENEWAL_NOT_FOUND)


def _select() -> Any:
    return Renewal.select(
        Renewal.id,
        Renewal.account,
        Renewal.account.name.as_alias("account_name"),
        Renewal.renewal_date,
        Renewal.outcome,
        Renewal.arr_before,
        Renewal.arr_after,
        Renewal.source,
        Renewal.external_id,
        Renewal.updated_at,
    )


async def get_renewal(renewal_id: int) -> RenewalRow:
    row = await _select().where(Renewal.id == renewal_id).first()
    if row is None:
        raise NotFound(RENEWAL_NOT_FOUND)
    return RenewalRow(**row)


async def list_renewals(
    limit: int = 50, offset: int = 0, account_id: int | None = None
) -> tuple[list[RenewalRow], int]:
    """Newest renewal date first; and how many there are."""
    query = _select().order_by(Renewal.renewal_date, ascending=False).order_by(Renewal.id)
    counted = Renewal.count()
    if account_id is not None:
        query = query.where(Renewal.account == account_id)
        counted = counted.where(Renewal.account == account_id)
    rows = await query.limit(limit).offset(offset)
    return [RenewalRow(**row) for row in rows], int(await counted)


async def outcome_counts() -> dict[str, int]:
    rows = await fetch("SELECT outcome, count(*) AS n FROM renewals_renewal GROUP BY outcome")
    return {row["outcome"]: int(row["n"]) for row in rows}
