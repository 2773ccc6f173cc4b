"""Account import from a CSV (name, domain, CRM id, ARR, contract start, renewal date): all rows
valid, or nothing imported."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from accounts.services import parse_domains
from accounts.tables import Account, AccountDomain
from core.database import transaction
from core.errors import DomainError
from core.i18n import N_, gettext
from core.spreadsheet import FORMULA_STARTS

MAX_ROWS = 10_000
_HEADERS = {
    "name": {"name", "account", "company", "会社名", "顧客企業", "企業名"},
    "domain": {"domain", "domains", "email domain", "ドメイン"},
    "crm_id": {"crm_id", "crm id", "crm_external_id", "external id", "crm"},
    "arr": {"arr", "contract value", "年間契約額"},
    "contract_start": {"contract_start", "contract start", "契約開始日"},
    "renewal_date": {"renewal_date", "renewal date", "renewal", "更新日", "契約更新日"},
}
# ISO (2026-04-01) and what Excel in Japan writes (2026/04/01, 2026/4/1).
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


@dataclass
class ImportRow:
    line: int
    name: str
    domains: list[str]
    crm_id: str | None
    arr: int
    contract_start: date | None = None  # None: the cell is empty (the account keeps its date)
    renewal_date: date | None = None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def decode_upload(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Shift_JIS as Excel in Japan saves it."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(N_("The file is not UTF-8 or Shift_JIS text."))


def parse_accounts_csv(data: bytes) -> tuple[list[ImportRow], list[str]]:
    """Rows and translated row-level errors (line numbers count the header as line 1)."""
    text = decode_upload(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DomainError(N_("The file is empty.")) from None
    except csv.Error as exc:
        raise DomainError(N_("The file is not a readable CSV.")) from exc
    columns = _map_header(header)
    rows: list[ImportRow] = []
    errors: list[str] = []
    seen_domains: dict[str, int] = {}
    seen_crm: dict[str, int] = {}
    try:
        for index, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append(gettext("The file has more than %(max)s rows.", max=MAX_ROWS))
                break
            row, problem = _parse_row(index, raw, columns)
            if problem:
                errors.append(problem)
                continue
            assert row is not None
            errors += _repeats(row, index, seen_domains, seen_crm)
            rows.append(row)
    except csv.Error as exc:
        raise DomainError(N_("The file is not a readable CSV.")) from exc
    return rows, errors


def _repeats(
    row: ImportRow, line: int, seen_domains: dict[str, int], seen_crm: dict[str, int]
) -> list[str]:
    """The row's domains and CRM id that an earlier line already has (and notes its own)."""
    errors = []
    for domain in row.domains:
        if domain in seen_domains:
            errors.append(
                gettext(
                    "Line %(line)s: the domain %(domain)s is also on line %(other)s.",
                    line=line,
                    domain=domain,
                    other=seen_domains[domain],
                )
            )
        seen_domains.setdefault(domain, line)
    if row.crm_id:
        if row.crm_id in seen_crm:
            errors.append(
                gettext(
                    "Line %(line)s: the CRM id %(crm)s is also on line %(other)s.",
                    line=line,
                    crm=row.crm_id,
                    other=seen_crm[row.crm_id],
                )
            )
        seen_crm.setdefault(row.crm_id, line)
    return errors


def header_columns(header: list[str], aliases: dict[str, set[str]]) -> dict[str, int]:
    """Which column holds each field: the first header cell (any case) among its aliases."""
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = title.strip().lower()
        for name, names in aliases.items():
            if key in names and name not in columns:
                columns[name] = index
    return columns


def yen_text(text: str) -> str:
    """An amount as people type it ("¥1,200,000", "1200000円"): the digits, without ¥, commas,
    円 or spaces."""
    return re.sub(r"[,\s¥￥円]", "", text)


def _map_header(header: list[str]) -> dict[str, int]:
    columns = header_columns(header, _HEADERS)
    if "name" not in columns:
        raise DomainError(
            N_(
                "The header must have a “name” column (and may have domain, crm_id, arr, "
                "contract_start, renewal_date)."
            )
        )
    return columns


def cell(raw: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return raw[index].strip() if index is not None and index < len(raw) else ""


def _parse_row(
    line: int, raw: list[str], columns: dict[str, int]
) -> tuple[ImportRow | None, str | None]:
    name = cell(raw, columns, "name")
    if not name:
        return None, gettext("Line %(line)s: the name is empty.", line=line)
    if len(name) > 200:
        return None, gettext("Line %(line)s: the name is longer than 200 characters.", line=line)
    try:
        domains = parse_domains(cell(raw, columns, "domain"))
    except DomainError:
        return None, gettext(
            "Line %(line)s: “%(value)s” is not a valid email domain.",
            line=line,
            value=cell(raw, columns, "domain"),
        )
    arr_text = yen_text(cell(raw, columns, "arr"))
    if arr_text and not arr_text.isdigit():
        return None, gettext(
            "Line %(line)s: the ARR “%(value)s” is not a whole number of yen.",
            line=line,
            value=cell(raw, columns, "arr"),
        )
    arr = int(arr_text or 0)
    if arr > 10**15:
        return None, gettext("Line %(line)s: the ARR is too large.", line=line)
    crm_id = cell(raw, columns, "crm_id") or None
    if crm_id and len(crm_id) > 100:
        return None, gettext("Line %(line)s: the CRM id is longer than 100 characters.", line=line)
    if crm_id and crm_id.startswith(FORMULA_STARTS):
        return None, gettext(
            "Line %(line)s: the CRM id “%(value)s” starts with =, +, - or @, which spreadsheets "
            "run as a formula.",
            line=line,
            value=crm_id,
        )
    dates, problem = _dates(line, raw, columns)
    if problem:
        return None, problem
    start, renewal = dates
    return ImportRow(line, name, domains, crm_id, arr, start, renewal), None


def _dates(
    line: int, raw: list[str], columns: dict[str, int]
) -> tuple[tuple[date | None, date | None], str | None]:
    """(contract start, renewal date) of a row, or the row's problem with them."""
    found: dict[str, date | None] = {}
    for column in ("contract_start", "renewal_date"):
        text = cell(raw, columns, column)
        found[column] = parse_date(text)
        if text and found[column] is None:
            return (None, None), gettext(
                "Line %(line)s: “%(value)s” is not a date (write it as 2026-04-01).",
                line=line,
                value=text,
            )
    start, renewal = found["contract_start"], found["renewal_date"]
    if start and renewal and renewal < start:
        return (None, None), gettext(
            "Line %(line)s: the renewal date is before the contract start.", line=line
        )
    return (start, renewal), None


def parse_date(text: str) -> date | None:
    """A calendar date from 2026-04-01 or 2026/4/1; None when empty or not a date."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


async def import_accounts_csv(data: bytes) -> ImportReport:
    """Create accounts or update the matching one; nothing when any row is wrong.

    A row matches the account with its CRM id, or without one the single account of the same
    name that has no CRM id — so uploading a file twice never duplicates an account. A domain
    owned by another account is an error, never a silent move.
    """
    rows, errors = parse_accounts_csv(data)
    report = ImportReport(errors=errors)
    if errors:
        return report
    if not rows:
        report.errors.append(gettext("The file has no rows to import."))
        return report
    async with transaction():
        existing = await _existing_by_crm([r.crm_id for r in rows if r.crm_id])
        owners = await _domain_owners([d for r in rows for d in r.domains])
        by_name = await _existing_by_name([r.name for r in rows if not r.crm_id])
        matches = [
            existing.get(row.crm_id) if row.crm_id else by_name.get(row.name) for row in rows
        ]
        for row, account_id in zip(rows, matches, strict=True):
            for domain in row.domains:
                owner = owners.get(domain)
                if owner is not None and owner != account_id:
                    report.errors.append(
                        gettext(
                            "Line %(line)s: the domain %(domain)s belongs to another account.",
                            line=row.line,
                            domain=domain,
                        )
                    )
        if report.errors:
            return report
        for row, account_id in zip(rows, matches, strict=True):
            await _upsert(row, account_id, report)
    return report


async def _existing_by_crm(crm_ids: list[str]) -> dict[str, int]:
    if not crm_ids:
        return {}
    rows = await Account.select(Account.id, Account.crm_external_id).where(
        Account.crm_external_id.is_in(crm_ids)
    )
    return {row["crm_external_id"]: row["id"] for row in rows}


async def _existing_by_name(names: list[str]) -> dict[str, int]:
    """Accounts without a CRM id by exact name; ambiguous names match nothing."""
    if not names:
        return {}
    rows = await Account.select(Account.id, Account.name).where(
        Account.name.is_in(names) & Account.crm_external_id.is_null()
    )
    found: dict[str, int] = {}
    ambiguous: set[str] = set()
    for row in rows:
        if row["name"] in found:
            ambiguous.add(row["name"])
        found[row["name"]] = row["id"]
    return {name: id_ for name, id_ in found.items() if name not in ambiguous}


async def _domain_owners(domains: list[str]) -> dict[str, int]:
    if not domains:
        return {}
    rows = await AccountDomain.select(AccountDomain.domain, AccountDomain.account).where(
        AccountDomain.domain.is_in(domains)
    )
    return {row["domain"]: row["account"] for row in rows}


async def _upsert(row: ImportRow, account_id: int | None, report: ImportReport) -> None:
    values: dict[Any, Any] = {
        Account.name: row.name,
        Account.arr: row.arr,
        Account.crm_external_id: row.crm_id,
    }
    if row.contract_start:
        values[Account.contract_start] = row.contract_start
    if row.renewal_date:
        values[Account.renewal_date] = row.renewal_date
    if account_id is None:
        account = Account(
            name=row.name,
            arr=row.arr,
            crm_external_id=row.crm_id,
            contract_start=row.contract_start,
            renewal_date=row.renewal_date,
        )
        await account.save()
        account_id = account.id
        report.created += 1
    else:
        await Account.update(values).where(Account.id == account_id)
        report.updated += 1
    if row.domains:
        await AccountDomain.delete().where(AccountDomain.account == account_id)
        await AccountDomain.insert(
            *[AccountDomain(account=account_id, domain=d) for d in row.domains]
        )
