"""Piccolo app of the shared kernel (jobs, outbox and sessions tables)."""

from piccolo.conf.apps import AppConfig

from core.settings import ROOT
from core.tables import OutboundEmail, QueuedJob, StoredSession

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(ROOT / "migrations" / "core"),
    table_classes=[QueuedJob, OutboundEmail, StoredSession],
    migration_dependencies=[],
    commands=[],
)
