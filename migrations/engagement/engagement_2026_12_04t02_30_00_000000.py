"""Signals name their subject in columns (subject_type, subject_id); the next migration fills
them for the signals already written."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "signal subject columns"


def _params(column: type, **extra: object) -> dict[str, object]:
    return {
        "default": None,
        "null": True,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="engagement", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Signal",
        tablename="engagement_signal",
        column_name="subject_type",
        db_column_name="subject_type",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(Varchar, length=20),
        schema=None,
    )
    manager.add_column(
        table_class_name="Signal",
        tablename="engagement_signal",
        column_name="subject_id",
        db_column_name="subject_id",
        column_class_name="BigInt",
        column_class=BigInt,
        params=_params(BigInt),
        schema=None,
    )
    return manager
