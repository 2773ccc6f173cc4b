"""Piccolo app of engagement: signals, scoring configurations, scores, history and alerts."""

from piccolo.conf.apps import AppConfig

from core.settings import ROOT
from engagement.tables import (
    AccountScore,
    ReengagementEmail,
    ScoreAlert,
    ScoreSnapshot,
    ScoringConfig,
    Signal,
)

# Referenced tables first: the test reset deletes in reverse order.
APP_CONFIG = AppConfig(
    app_name="engagement",
    migrations_folder_path=str(ROOT / "migrations" / "engagement"),
    table_classes=[
        Signal,
        ScoringConfig,
        AccountScore,
        ScoreSnapshot,
        ScoreAlert,
        ReengagementEmail,
    ],
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
