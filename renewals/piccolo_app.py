"""Piccolo app of renewals: renewal outcomes per account and contract period."""

from piccolo.conf.apps import AppConfig

from core.settings import ROOT
from renewals.tables import Renewal

APP_CONFIG = AppConfig(
    app_name="renewals",
    migrations_folder_path=str(ROOT / "migrations" / "renewals"),
    table_classes=[Renewal],
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
