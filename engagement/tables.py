"""Engagement tables: the signals ledger, scoring configurations, scores, history and alerts."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    BigInt,
    BigSerial,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
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
    subject_type = Varchar(
        length=20,
        null=True,
        default=None,
        help_text="What it is about: topic, post, registration, member.",
    )
    subject_id = BigInt(null=True, default=None, help_text="The id of its subject.")
    dedupe_key = Varchar(
        length=200,
        unique=True,
        help_text="Same key, same fact: replays and retries change nothing.",
    )
    created_at = Timestamptz(default=TimestamptzNow())


class ScoringConfig(Table, tablename="engagement_scoring_config"):
    """One version of the scoring configuration; the newest row is in force."""

    id: Serial

    settings = JSONB(help_text="The whole configuration (engagement.schemas.ScoringSettings).")
    created_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class AccountScore(Table, tablename="engagement_account_score"):
    """An account's current engagement score: rebuilt from the ledger, never edited by hand."""

    id: Serial

    account = ForeignKey(references=Account, unique=True, on_delete=OnDelete.cascade)
    score = DoublePrecision(default=0.0, help_text="0–100, one decimal.")
    band = Varchar(length=10, default="red", help_text="red, yellow or green.")
    trend = Varchar(length=10, default="same", help_text="up, down or same vs the baseline.")
    community = DoublePrecision(default=0.0)
    events = DoublePrecision(default=0.0)
    breadth = DoublePrecision(default=0.0)
    recency = DoublePrecision(default=0.0)
    last_activity_at = Timestamptz(
        null=True, default=None, help_text="Newest signal other than a no-show."
    )
    baseline_score = DoublePrecision(
        null=True,
        default=None,
        help_text="Snapshot score one trend window back (None: no history).",
    )
    flagged = Boolean(default=False, help_text="Red, or fell by the alert amount: needs a human.")
    explanation = JSONB(default={}, help_text="Family points and the signals that weighed most.")
    config_version = Integer(null=True, default=None, help_text="ScoringConfig id used.")
    red_alert_open = Boolean(default=False, help_text="In the red since the last alert crossing.")
    drop_alert_open = Boolean(default=False, help_text="Below the drop line since its crossing.")
    computed_at = Timestamptz(default=TimestamptzNow(), help_text="Last recompute, changed or not.")
    updated_at = Timestamptz(
        default=TimestamptzNow(),
        help_text="Last change of an exported field (score, band, trend, measures, last activity).",
    )


class ScoreSnapshot(Table, tablename="engagement_score_snapshot"):
    """An account's score at the nightly pass of one day (UTC date): the score history."""

    id = BigSerial(primary_key=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade)
    day = Date(help_text="UTC date of the pass; unique per account (raw index).")
    score = DoublePrecision(default=0.0)
    band = Varchar(length=10, default="red")
    community = DoublePrecision(default=0.0)
    events = DoublePrecision(default=0.0)
    breadth = DoublePrecision(default=0.0)
    recency = DoublePrecision(default=0.0)


class ScoreAlert(Table, tablename="engagement_score_alert"):
    """An account crossed into the red or fell by the alert amount: its owner CSM is told once."""

    id: Serial

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=10, help_text="red or drop.")
    score = DoublePrecision()
    baseline_score = DoublePrecision(null=True, default=None)
    owner = ForeignKey(
        references=Member,
        null=True,
        on_delete=OnDelete.set_null,
        help_text="The owner CSM when the alert was raised (emailed).",
    )
    created_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(
        null=True, default=None, index=True, help_text="Handled by staff, or recovered."
    )
    closed_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)


class ReengagementEmail(Table, tablename="engagement_reengagement_email"):
    """A re-engagement email sent to a member: at most one per inactivity period."""

    id: Serial

    member = ForeignKey(references=Member, on_delete=OnDelete.cascade)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade)
    inactive_since = Timestamptz(
        help_text="Start of the account's silence (last activity or creation); unique per member."
    )
    sent_at = Timestamptz(default=TimestamptzNow())
