"""Piccolo app of events."""

from piccolo.conf.apps import AppConfig

from core.settings import ROOT
from events.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="events",
    migrations_folder_path=str(ROOT / "migrations" / "events"),
    table_classes=TABLES,
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
