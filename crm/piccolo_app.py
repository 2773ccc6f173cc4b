"""Piccolo app of CRM export (tokens, mappings, credentials, webhooks, sync runs)."""

from piccolo.conf.apps import AppConfig

from core.settings import ROOT
from crm.tables import (
    ApiToken,
    CrmCredential,
    CrmMapping,
    GoneFromCrm,
    PullRun,
    SyncItem,
    SyncRun,
    SyncState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

# Referenced tables first: the test reset deletes in reverse order.
APP_CONFIG = AppConfig(
    app_name="crm",
    migrations_folder_path=str(ROOT / "migrations" / "crm"),
    table_classes=[
        ApiToken,
        CrmMapping,
        CrmCredential,
        WebhookEndpoint,
        WebhookDelivery,
        WebhookAttempt,
        SyncRun,
        SyncItem,
        SyncState,
        PullRun,
        GoneFromCrm,
    ],
    migration_dependencies=["accounts.piccolo_app", "engagement.piccolo_app"],
    commands=[],
)
