"""Every setting of Kizuna: the kernel's and each domain's section in one class, read from the
environment (and `.env`). Only the composition roots (`app`, `worker`, `piccolo_conf`, the
tests and benchmarks) read it; code below them is given settings and types them by the
section it needs (CoreSettings, AccountsSettings, EventsSettings, CrmSettings)."""

from __future__ import annotations

from functools import lru_cache

from accounts.settings import AccountsSettings
from crm.settings import CrmSettings
from events.settings import EventsSettings


class Settings(AccountsSettings, EventsSettings, CrmSettings):
    """Every knob of Kizuna; the embedded default needs none of them set."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process's environment (read once)."""
    return Settings()
