"""Tables of the shared kernel: the durable job table, the email outbox and sessions."""

from __future__ import annotations

from piccolo.columns import JSONB, Bytea, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class QueuedJob(Table, tablename="core_job"):
    """A job requested and not yet finished: the truth the queue backends are repaired from."""

    id: Serial

    key = Varchar(length=200, unique=True, help_text="Deduplication key (arq _job_id).")
    name = Varchar(length=100, help_text="Registered job function name.")
    args = JSONB(default=[], help_text="Positional arguments: ids and plain values only.")
    run_at = Timestamptz(
        default=TimestamptzNow(),
        index=True,
        help_text="Earliest run; the sweeper re-pushes late jobs.",
    )
    requested_at = Timestamptz(
        default=TimestamptzNow(),
        help_text="Last time someone asked for this job; a run that started earlier runs again.",
    )
    attempts = Integer(default=0)
    last_error = Text(null=True, default=None)
    failed_at = Timestamptz(
        null=True, default=None, help_text="Set when retries are exhausted; kept for inspection."
    )


class OutboundEmail(Table, tablename="core_email"):
    """An email written in the same transaction as its cause and sent by a job."""

    id: Serial

    to_address = Varchar(length=320)
    subject = Varchar(length=300)
    body_text = Text()
    body_html = Text(null=True, default=None)
    attachments = JSONB(default=[], help_text="List of {filename, content_type, data (base64)}.")
    headers = JSONB(default={}, help_text="Extra headers, e.g. List-Unsubscribe (RFC 8058).")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None, index=True)
    attempts = Integer(default=0)
    last_error = Text(null=True, default=None)


class StoredSession(Table, tablename="core_session"):
    """A server-side session (or another small keyed value) with its expiry.

    With PostgreSQL, sessions live here rather than in Redis: a Redis outage then costs the
    queue's latency and the rate limits' precision, never the members' sign-ins.
    """

    id: Serial

    key = Varchar(length=200, unique=True, help_text="Namespace and key, e.g. sessions:<id>.")
    value = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)
