"""Piccolo app of engagement (signals, and later scores and exports)."""

from piccolo.conf.apps import AppConfig

from core.settings import ROOT
from engagement.tables import Signal

APP_CONFIG = AppConfig(
    app_name="engagement",
    migrations_folder_path=str(ROOT / "migrations" / "engagement"),
    table_classes=[Signal],
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
