"""Renewal outcomes: what happened to each account's contract at each renewal."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    BigInt,
    Date,
    ForeignKey,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import Account, Member


class Outcome(StrEnum):
    renewed = "renewed"
    expanded = "expanded"
    downgraded = "downgraded"
    churned = "churned"


class Source(StrEnum):
    manual = "manual"
    csv = "csv"
    salesforce = "salesforce"
    hubspot = "hubspot"
    demo = "demo"


class Renewal(Table, tablename="renewals_renewal"):
    """One contract period's end: one row per account and renewal date (unique, raw index)."""

    id: Serial

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    renewal_date = Date(help_text="The day the period ended and the contract renewed or not.")
    outcome = Varchar(length=12, choices=Outcome, help_text="renewed, expanded, downgraded…")
    arr_before = BigInt(help_text="ARR (yen) of the period that ended.")
    arr_after = BigInt(help_text="ARR (yen) from the renewal on; 0 when churned.")
    source = Varchar(length=12, choices=Source, default=Source.manual.value)
    external_id = Varchar(
        length=100,
        null=True,
        default=None,
        unique=True,
        help_text="The CRM's id (an Opportunity or deal) when it came from there.",
    )
    created_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
