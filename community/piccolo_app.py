"""Piccolo app of the community forum."""

from piccolo.conf.apps import AppConfig

from community.tables import TABLES
from core.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="community",
    migrations_folder_path=str(ROOT / "migrations" / "community"),
    table_classes=TABLES,
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
