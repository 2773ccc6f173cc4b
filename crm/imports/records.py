"""CRM records (Salesforce SOQL rows, HubSpot objects) read into Kizuna's account and renewal
fields, one record at a time: a record that cannot be read is refused with its reason, the
others go on. A field missing from the CRM's answer altogether is the mapping's fault, not a
record's: that stops the pull before anything is written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from accounts.services import parse_domains
from core.errors import DomainError
from core.i18n import N_
from crm.imports.fields import ACCOUNT_FIELDS, PullMap
from renewals.tables import Outcome

TIERS = {
    "high": "high",
    "high touch": "high",
    "ハイタッチ": "high",
    "low": "low",
    "low touch": "low",
    "ロータッチ": "low",
    "tech": "tech",
    "tech touch": "tech",
    "テックタッチ": "tech",
}
ARR_MAX = 10**15


class MissingField(Exception):
    """The CRM's answer lacks a field the mapping names."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


class Refused(DomainError):
    """One record Kizuna cannot take; the pull goes on with the others."""


@dataclass(frozen=True)
class PulledRenewal:
    external_id: str
    account_ref: str
    renewal_date: date
    outcome: str
    arr_before: int | None
    arr_after: int


def value_at(record: dict[str, Any], path: str) -> Any:
    """The value of `path` (Owner.Email follows one relationship; a null parent is null);
    MissingField when the record has no such key at all."""
    head, _, rest = path.partition(".")
    if head not in record:
        raise MissingField(path)
    value = record[head]
    if not rest:
        return value
    if value is None:
        return None
    if not isinstance(value, dict) or rest not in value:
        raise MissingField(path)
    return value[rest]


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def whole_yen(value: Any, label: str) -> int | None:
    """A non-negative whole number of yen from a number or numeric text; None when empty."""
    if value is None or value == "":
        return None
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        raise Refused(
            N_("%(field)s “%(value)s” is not a number."), field=label, value=str(value)[:40]
        ) from None
    if not math.isfinite(number) or number < 0 or number > ARR_MAX:
        raise Refused(
            N_("%(field)s “%(value)s” is not a valid amount."), field=label, value=str(value)[:40]
        )
    return round(number)


def day(value: Any, label: str) -> date | None:
    """A date from YYYY-MM-DD, an ISO timestamp, or HubSpot's milliseconds since 1970."""
    raw = text(value)
    if not raw:
        return None
    try:
        if raw.isdigit():
            return datetime.fromtimestamp(int(raw) / 1000, tz=UTC).date()
        return date.fromisoformat(raw[:10])
    except (ValueError, OverflowError):
        raise Refused(
            N_("%(field)s “%(value)s” is not a date."), field=label, value=raw[:40]
        ) from None


def flag(value: Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    raw = text(value).lower()
    if raw in {"true", "1", "yes"}:
        return True
    if raw in {"false", "0", "no", ""}:
        return False
    raise Refused(N_("%(field)s “%(value)s” is not true or false."), field=label, value=raw[:40])


def check_fields(record: dict[str, Any], pull: PullMap, names: list[str]) -> None:
    """MissingField unless `record` holds every mapped field of `names`."""
    for name in names:
        if pull.owned(name):
            value_at(record, pull[name])


def account_values(record: dict[str, Any], pull: PullMap, owners: dict[str, int]) -> dict[str, Any]:
    """The account fields the CRM owns, read from `record` ({field: value}; `domains` a list,
    `owner_id` the CSM whose email the CRM names, or None when no CSM has it)."""
    values: dict[str, Any] = {}
    for name, label, _ in ACCOUNT_FIELDS:
        if not pull.owned(name):
            continue
        raw = value_at(record, pull[name])
        if name == "name":
            name_text = text(raw)
            if not name_text:
                raise Refused(N_("The name is empty."))
            if len(name_text) > 200:
                raise Refused(N_("The name is longer than 200 characters."))
            values["name"] = name_text
        elif name == "domains":
            try:
                values["domains"] = parse_domains(text(raw).replace(";", ","))
            except DomainError as exc:
                raise Refused(exc.message, **exc.params) from None
        elif name == "arr":
            values["arr"] = whole_yen(raw, label) or 0
        elif name == "plan":
            values["plan"] = text(raw)[:50]
        elif name == "owner_email":
            values["owner_id"] = owners.get(text(raw).lower()) if text(raw) else None
        elif name in ("contract_start", "renewal_date"):
            values[name] = day(raw, label)
        elif name == "touch_tier":
            tier = TIERS.get(text(raw).lower())
            if text(raw) and tier is None:
                raise Refused(
                    N_("The touch tier “%(value)s” is not high, low or tech."), value=text(raw)
                )
            values["touch_tier"] = tier or "low"
    return values


def renewal_of(external_id: str, record: dict[str, Any], pull: PullMap, ref: str) -> PulledRenewal:
    """A closed renewal Opportunity or deal as a renewal outcome: lost is churned; won is
    expanded, renewed or downgraded by its amount against the previous ARR."""
    close = day(value_at(record, pull["close_date"]), N_("Close date"))
    if close is None:
        raise Refused(N_("The close date is empty."))
    won = flag(value_at(record, pull["won"]), N_("Won (true/false)"))
    amount = whole_yen(value_at(record, pull["arr_after"]), N_("Amount (ARR after)"))
    before = (
        whole_yen(value_at(record, pull["arr_before"]), N_("Previous ARR"))
        if pull.owned("arr_before")
        else None
    )
    if not won:
        return PulledRenewal(external_id, ref, close, Outcome.churned.value, before, 0)
    if amount is None:
        raise Refused(N_("A won renewal has no amount."))
    if before is None or amount == before:
        outcome = Outcome.renewed
    else:
        outcome = Outcome.expanded if amount > before else Outcome.downgraded
    if outcome == Outcome.downgraded and amount == 0:
        raise Refused(N_("A won renewal has an amount of 0."))
    return PulledRenewal(external_id, ref, close, outcome.value, before, amount)
