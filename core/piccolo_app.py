"""Piccolo app of the shared kernel (jobs and outbox tables)."""

from piccolo.conf.apps import AppConfig

from core.settings import ROOT
from core.tables import OutboundEmail, QueuedJob

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(ROOT / "migrations" / "core"),
    table_classes=[QueuedJob, OutboundEmail],
    migration_dependencies=[],
    commands=[],
)
