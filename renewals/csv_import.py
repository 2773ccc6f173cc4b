"""Renewals from a CSV (account, renewal date, outcome, ARR before and after): all rows valid,
or nothing imported. A row for an account and date already recorded replaces that record, so
uploading a file twice changes nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from accounts.csv_import import cell, decode_upload, header_columns, parse_date, yen_text
from accounts.tables import Account
from core.database import transaction
from core.errors import DomainError
from core.i18n import N_, gettext
from core.timeutil import utcnow
from renewals.schemas import ARR_MAX, OutcomeName, RenewalIn
from renewals.services import check
from renewals.tables import Outcome, Renewal, Source

MAX_ROWS = 50_000
_HEADERS = {
    "account": {"account", "account name", "name", "company", "会社名", "顧客企業", "企業名"},
    "crm_id": {"crm_id", "crm id", "crm_external_id", "external id", "crm"},
    "renewal_date": {"renewal_date", "renewal date", "date", "更新日", "契約更新日"},
    "outcome": {"outcome", "result", "結果", "更新結果"},
    "arr_before": {"arr_before", "arr before", "更新前arr", "更新前年間契約額"},
    "arr_after": {"arr_after", "arr after", "更新後arr", "更新後年間契約額"},
}
OUTCOMES = {
    Outcome.renewed: {"renewed", "renewal", "renew", "更新", "継続"},
    Outcome.expanded: {"expanded", "expansion", "upsell", "拡大", "アップセル"},
    Outcome.downgraded: {"downgraded", "downgrade", "縮小", "ダウングレード"},
    Outcome.churned: {"churned", "churn", "lost", "解約"},
}
_OUTCOME_OF = {alias: outcome.value for outcome, aliases in OUTCOMES.items() for alias in aliases}


@dataclass
class RenewalRowIn:
    line: int
    account: str
    crm_id: str | None
    renewal_date: date
    outcome: str
    arr_before: int | None
    arr_after: int | None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _map_header(header: list[str]) -> dict[str, int]:
    columns = header_columns(header, _HEADERS)
    needed = {"renewal_date", "outcome"}
    if not needed <= set(columns) or not {"account", "crm_id"} & set(columns):
        raise DomainError(
            N_(
                "The header must have the columns account (or crm_id), renewal_date and "
                "outcome (and may have arr_before, arr_after)."
            )
        )
    return columns


def _arr(line: int, text: str) -> tuple[int | None, str | None]:
    cleaned = yen_text(text)
    if not cleaned:
        return None, None
    if not cleaned.isdigit() or int(cleaned) > ARR_MAX:
        return None, gettext(
            "Line %(line)s: the ARR “%(value)s” is not a whole number of yen, 0 or more.",
            line=line,
            value=text,
        )
    return int(cleaned), None


def _parse_row(line: int, raw: list[str], columns: dict[str, int]) -> RenewalRowIn | str:
    account, crm_id = cell(raw, columns, "account"), cell(raw, columns, "crm_id") or None
    if not account and not crm_id:
        return gettext("Line %(line)s: the account is empty.", line=line)
    text = cell(raw, columns, "renewal_date")
    day = parse_date(text)
    if day is None:
        return gettext(
            "Line %(line)s: “%(value)s” is not a date (write it as 2026-04-01).",
            line=line,
            value=text,
        )
    word = cell(raw, columns, "outcome")
    outcome = _OUTCOME_OF.get(word.lower())
    if outcome is None:
        return gettext(
            "Line %(line)s: the outcome “%(value)s” is not one of renewed, expanded, "
            "downgraded, churned.",
            line=line,
            value=word,
        )
    values = []
    for name in ("arr_before", "arr_after"):
        value, problem = _arr(line, cell(raw, columns, name))
        if problem:
            return problem
        values.append(value)
    return RenewalRowIn(line, account, crm_id, day, outcome, values[0], values[1])


def parse_renewals_csv(data: bytes) -> tuple[list[RenewalRowIn], list[tuple[int, str]]]:
    """Rows and translated row-level errors by line (the header is line 1)."""
    reader = csv.reader(io.StringIO(decode_upload(data), newline=""))
    rows: list[RenewalRowIn] = []
    errors: list[tuple[int, str]] = []
    try:
        header = next(reader, None)
        if header is None:
            raise DomainError(N_("The file is empty."))
        columns = _map_header(header)
        for index, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append(
                    (index, gettext("The file has more than %(max)s rows.", max=MAX_ROWS))
                )
                break
            parsed = _parse_row(index, raw, columns)
            if isinstance(parsed, str):
                errors.append((index, parsed))
            else:
                rows.append(parsed)
    except csv.Error as exc:
        raise DomainError(N_("The file is not a readable CSV.")) from exc
    return rows, errors


async def _accounts(
    rows: list[RenewalRowIn],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Accounts by CRM id and by name (names held by two accounts match neither)."""
    crm_ids = sorted({r.crm_id for r in rows if r.crm_id})
    names = sorted({r.account for r in rows if not r.crm_id})
    columns = (Account.id, Account.name, Account.crm_external_id, Account.arr)
    by_crm: dict[str, dict[str, Any]] = {}
    by_name: dict[str, dict[str, Any]] = {}
    start = Account.contract_start
    if crm_ids:
        for row in await Account.select(*columns, start).where(
            Account.crm_external_id.is_in(crm_ids)
        ):
            by_crm[row["crm_external_id"]] = row
    if names:
        seen: dict[str, int] = {}
        for row in await Account.select(*columns, start).where(Account.name.is_in(names)):
            seen[row["name"]] = seen.get(row["name"], 0) + 1
            by_name[row["name"]] = row
        by_name = {name: row for name, row in by_name.items() if seen[name] == 1}
    return by_crm, by_name


def _checked(row: RenewalRowIn, account: dict[str, Any] | None) -> tuple[int, int] | str:
    """The row's (ARR before, ARR after) by the rules a form meets (services.check), or
    what is wrong with it."""
    if account is None:
        return gettext(
            "Line %(line)s: no account “%(value)s” in Kizuna.",
            line=row.line,
            value=row.crm_id or row.account,
        )
    data = RenewalIn.model_construct(
        account_id=int(account["id"]),
        renewal_date=row.renewal_date,
        outcome=cast(OutcomeName, row.outcome),
        arr_before=row.arr_before,
        arr_after=row.arr_after,
    )
    try:
        return check(data, account)
    except DomainError as refused:
        return gettext("Line %(line)s: %(problem)s", line=row.line, problem=refused.translated())


async def import_renewals_csv(data: bytes, member_id: int | None) -> ImportReport:
    """Create or replace the renewals of the file; nothing when any row is wrong. Every
    wrong row is reported at once, in line order."""
    rows, errors = parse_renewals_csv(data)
    report = ImportReport()
    if not rows and not errors:
        report.errors.append(gettext("The file has no rows to import."))
        return report
    async with transaction():
        by_crm, by_name = await _accounts(rows)
        found = [by_crm.get(r.crm_id) if r.crm_id else by_name.get(r.account) for r in rows]
        pairs = [_checked(row, account) for row, account in zip(rows, found, strict=True)]
        errors += [(row.line, p) for row, p in zip(rows, pairs, strict=True) if isinstance(p, str)]
        errors += _repeated(rows, found)
        if errors:
            report.errors = [message for _, message in sorted(errors, key=lambda e: e[0])]
            return report
        arr = [p for p in pairs if not isinstance(p, str)]
        await _write(rows, found, arr, member_id, report)
    return report


def _repeated(
    rows: list[RenewalRowIn], found: list[dict[str, Any] | None]
) -> list[tuple[int, str]]:
    """Rows naming an account and date an earlier line of the file already has."""
    errors = []
    seen: dict[tuple[int, date], int] = {}
    for row, account in zip(rows, found, strict=True):
        if account is None:
            continue
        key = (int(account["id"]), row.renewal_date)
        if key in seen:
            errors.append(
                (
                    row.line,
                    gettext(
                        "Line %(line)s: the same account and date are on line %(other)s.",
                        line=row.line,
                        other=seen[key],
                    ),
                )
            )
        seen.setdefault(key, row.line)
    return errors


async def _write(
    rows: list[RenewalRowIn],
    found: list[dict[str, Any] | None],
    arr: list[tuple[int, int]],
    member_id: int | None,
    report: ImportReport,
) -> None:
    ids = sorted({int(a["id"]) for a in found if a is not None})
    existing = {
        (r["account"], r["renewal_date"]): r["id"]
        for r in await Renewal.select(Renewal.id, Renewal.account, Renewal.renewal_date).where(
            Renewal.account.is_in(ids)
        )
    }
    fresh = []
    for row, account, (before, after) in zip(rows, found, arr, strict=True):
        assert account is not None
        known = existing.get((account["id"], row.renewal_date))
        if known is None:
            fresh.append(
                Renewal(
                    account=account["id"],
                    renewal_date=row.renewal_date,
                    outcome=row.outcome,
                    arr_before=before,
                    arr_after=after,
                    source=Source.csv.value,
                    created_by=member_id,
                )
            )
            continue
        await Renewal.update(
            {
                Renewal.outcome: row.outcome,
                Renewal.arr_before: before,
                Renewal.arr_after: after,
                Renewal.updated_at: utcnow(),
            }
        ).where(Renewal.id == known)
        report.updated += 1
    for start in range(0, len(fresh), 500):
        await Renewal.insert(*fresh[start : start + 500])
    report.created = len(fresh)
