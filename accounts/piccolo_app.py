"""Piccolo app of accounts."""

from piccolo.conf.apps import AppConfig

from accounts.tables import Account, AccountDomain, Invitation, Member
from core.settings import ROOT

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(ROOT / "migrations" / "accounts"),
    table_classes=[Account, AccountDomain, Member, Invitation],
    migration_dependencies=["core.piccolo_app"],
    commands=[],
)
