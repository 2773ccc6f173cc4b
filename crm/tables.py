"""Tables of CRM export: API tokens, field mappings, credentials, webhooks and CRM sync runs."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    BigSerial,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import Account, Member


class ApiToken(Table, tablename="crm_api_token"):
    """A bearer token for the API; only its SHA-256 digest is kept."""

    id: Serial

    name = Varchar(length=100, help_text="What the token is for, e.g. the reverse-ETL tool.")
    prefix = Varchar(length=16, help_text="First characters of the token, to recognise it.")
    digest = Varchar(length=64, unique=True, help_text="sha256 hex of the whole token.")
    scopes = Varchar(length=200, help_text="Space-separated, e.g. 'scores:read webhooks:manage'.")
    created_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(
        null=True, default=None, help_text="Written at most once a minute per token."
    )


class CrmMapping(Table, tablename="crm_mapping"):
    """Per CRM: the key field holding the account's external id, and score → CRM field names."""

    id: Serial

    crm = Varchar(length=20, unique=True, help_text="salesforce or hubspot.")
    key_field = Varchar(length=100, help_text="CRM field that holds Account.crm_external_id.")
    field_map = JSONB(default={}, help_text="{score field: CRM field API name}; absent = not sent.")
    pull_map = JSONB(
        default={}, help_text="{account or renewal field: CRM field} for pulls; over defaults."
    )
    updated_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(default=TimestamptzNow())


class CrmCredential(Table, tablename="crm_credential"):
    """CRM connection settings entered by an admin, encrypted with a key from the app secret."""

    id: Serial

    crm = Varchar(length=20, unique=True)
    sealed = Text(help_text="Fernet token of the JSON settings (URLs, client id, secrets).")
    updated_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(default=TimestamptzNow())


class WebhookEndpoint(Table, tablename="crm_webhook_endpoint"):
    """A URL that receives signed score events (Standard Webhooks)."""

    id: Serial

    url = Varchar(length=2000)
    description = Varchar(length=200, default="")
    events = Varchar(length=200, help_text="Space-separated event types subscribed to.")
    sealed_secret = Text(help_text="The whsec_ secret, encrypted with a key from the app secret.")
    enabled = Boolean(default=True, index=True)
    disabled_reason = Varchar(
        length=20, null=True, default=None, help_text="manual, gone (HTTP 410) or failing."
    )
    owner = ForeignKey(
        references=Member,
        null=True,
        on_delete=OnDelete.set_null,
        help_text="The admin told when the endpoint is disabled.",
    )
    failing_since = Timestamptz(
        null=True, default=None, help_text="First failed attempt since the last success."
    )
    created_at = Timestamptz(default=TimestamptzNow())


class WebhookDelivery(Table, tablename="crm_webhook_delivery"):
    """One event message for one endpoint (the outbox row), written with the score change."""

    id = BigSerial(primary_key=True)
    endpoint = ForeignKey(references=WebhookEndpoint, on_delete=OnDelete.cascade, index=True)
    message_id = Varchar(length=40, help_text="webhook-id: the same on every retry and redelivery.")
    event = Varchar(length=40)
    account = ForeignKey(references=Account, null=True, on_delete=OnDelete.set_null)
    payload = Text(help_text="The exact JSON body that is signed and sent.")
    status = Varchar(
        length=12,
        default="pending",
        index=True,
        help_text="pending, delivered, failed or cancelled.",
    )
    series_attempts = Integer(default=0, help_text="Attempts since the last (re)delivery request.")
    attempts = Integer(default=0, help_text="All attempts, redeliveries included.")
    next_attempt_at = Timestamptz(null=True, default=None)
    last_status_code = Integer(null=True, default=None)
    last_error = Varchar(length=500, null=True, default=None)
    last_duration_ms = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    delivered_at = Timestamptz(null=True, default=None)


class WebhookAttempt(Table, tablename="crm_webhook_attempt"):
    """One HTTP attempt of a delivery: the log the admin reads."""

    id = BigSerial(primary_key=True)
    delivery = ForeignKey(references=WebhookDelivery, on_delete=OnDelete.cascade, index=True)
    attempted_at = Timestamptz(default=TimestamptzNow())
    status_code = Integer(null=True, default=None)
    duration_ms = Integer(default=0)
    error = Varchar(length=500, null=True, default=None)


class SyncRun(Table, tablename="crm_sync_run"):
    """One push of changed scores to a CRM: what was sent, what succeeded, what failed."""

    id: Serial

    crm = Varchar(length=20, index=True)
    status = Varchar(
        length=12, default="queued", help_text="queued, running, succeeded, partial or failed."
    )
    requested_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    sent = Integer(default=0)
    succeeded = Integer(default=0)
    failed = Integer(default=0)
    skipped = Integer(default=0, help_text="Accounts without a CRM external id.")
    remote_jobs = JSONB(default=[], help_text="Salesforce Bulk API job ids with their state.")
    error = Varchar(length=1000, null=True, default=None, help_text="Never holds a credential.")


class SyncItem(Table, tablename="crm_sync_item"):
    """One account in one sync run, with the values sent and the CRM's verdict."""

    id = BigSerial(primary_key=True)
    run = ForeignKey(references=SyncRun, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade)
    external_id = Varchar(length=100, null=True, default=None)
    sent_values = JSONB(default={}, help_text="The score row as sent (JSON-ready).")
    score_updated_at = Timestamptz(help_text="Version of the score that was sent.")
    outcome = Varchar(
        length=10, default="pending", help_text="pending, sent, succeeded, failed or skipped."
    )
    part = Integer(default=0, help_text="Salesforce: index of the Bulk API job it went in.")
    error = Varchar(length=500, null=True, default=None)


class SyncState(Table, tablename="crm_sync_state"):
    """Per CRM and account: the score version the CRM last acknowledged."""

    id: Serial

    key = Varchar(length=40, unique=True, help_text="'<crm>:<account id>'.")
    crm = Varchar(length=20)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    last_sent_updated_at = Timestamptz(help_text="updated_at of the score the CRM accepted.")
    run = ForeignKey(references=SyncRun, null=True, on_delete=OnDelete.set_null)


class PullRun(Table, tablename="crm_pull_run"):
    """One pull of accounts or renewals from a CRM: the sync log of what changed and of the
    records refused (row-level, each with its reason)."""

    id: Serial

    crm = Varchar(length=20, index=True)
    kind = Varchar(length=10, help_text="accounts or renewals.")
    origin = Varchar(length=10, default="manual", help_text="manual or schedule.")
    status = Varchar(
        length=12, default="queued", help_text="queued, running, succeeded, partial or failed."
    )
    requested_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    fetched = Integer(default=0, help_text="Records the CRM returned.")
    created = Integer(default=0)
    updated = Integer(default=0)
    unchanged = Integer(default=0)
    refused = Integer(default=0)
    flagged = Integer(default=0, help_text="Accounts newly missing from the CRM.")
    changes = JSONB(default=[], help_text="[{external_id, name, action, fields}], the first 500.")
    problems = JSONB(default=[], help_text="[{external_id, message}], the first 500.")
    error = Varchar(length=1000, null=True, default=None, help_text="Never holds a credential.")


class GoneFromCrm(Table, tablename="crm_gone"):
    """An account whose record the last complete pull did not find: flagged, never deleted."""

    id: Serial

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, unique=True)
    crm = Varchar(length=20)
    since = Timestamptz(default=TimestamptzNow())
