"""The signals ledger: every participation of a member, append-only."""

from __future__ import annotations

from piccolo.columns import BigSerial, DoublePrecision, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import Account, Member


class Signal(Table, tablename="engagement_signal"):
    """One participation: written once (unique dedupe_key), never updated or deleted."""

    id = BigSerial(primary_key=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null, index=True)
    kind = Varchar(length=40, index=True, help_text="Signal kind, e.g. topic_created.")
    occurred_at = Timestamptz(index=True)
    value = DoublePrecision(default=1.0, help_text="Magnitude, e.g. minutes attended; 1 if n/a.")
    source = Varchar(length=40, help_text="Domain that wrote it: community, events, visits.")
    dedupe_key = Varchar(
        length=200,
        unique=True,
        help_text="Same key, same fact: replays and retries change nothing.",
    )
    created_at = Timestamptz(default=TimestamptzNow())
