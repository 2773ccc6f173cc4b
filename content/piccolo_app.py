"""Piccolo app of content: the library and each member's progress."""

from piccolo.conf.apps import AppConfig

from content.tables import ContentAudienceAccount, ContentItem, ContentProgress
from core.settings import ROOT

# Referenced tables first: the test reset deletes in reverse order.
APP_CONFIG = AppConfig(
    app_name="content",
    migrations_folder_path=str(ROOT / "migrations" / "content"),
    table_classes=[ContentItem, ContentAudienceAccount, ContentProgress],
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
