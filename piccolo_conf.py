"""Piccolo configuration: the engine from settings and the app registry."""

from piccolo.conf.apps import AppRegistry

from core.database import create_engine
from settings import get_settings

DB = create_engine(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "core.piccolo_app",
        "accounts.piccolo_app",
        "engagement.piccolo_app",
        "crm.piccolo_app",
        "community.piccolo_app",
        "events.piccolo_app",
        "content.piccolo_app",
        "renewals.piccolo_app",
        "success.piccolo_app",
    ]
)
