"""Piccolo app of the CSM's workbench: touches, homework, playbooks, tasks, capacity, mix."""

from piccolo.conf.apps import AppConfig

from core.settings import ROOT
from success.tables import (
    CsmCapacity,
    Homework,
    MixConfig,
    Playbook,
    PlaybookMatch,
    Task,
    TaskComment,
    Touch,
    TouchParticipant,
    TouchStaff,
)

# Referenced tables first: the test reset deletes in reverse order.
APP_CONFIG = AppConfig(
    app_name="success",
    migrations_folder_path=str(ROOT / "migrations" / "success"),
    table_classes=[
        Touch,
        TouchParticipant,
        TouchStaff,
        Homework,
        Playbook,
        PlaybookMatch,
        Task,
        TaskComment,
        CsmCapacity,
        MixConfig,
    ],
    migration_dependencies=["accounts.piccolo_app", "content.piccolo_app"],
    commands=[],
)
