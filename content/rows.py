"""A content item as pages, the API and the CSM's workbench read it (built in one place)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ContentRow:
    """An item of the library, with one member's progress when the query joined it."""

    id: int
    title: str
    summary: str
    kind: str  # ContentKind
    url: str
    body_html: str
    minutes: int
    tags: str
    audience: str
    audience_tiers: str
    published: bool
    created_at: datetime
    updated_at: datetime
    viewed_at: datetime | None = None  # the member's first view
    completed_at: datetime | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> ContentRow:
        return cls(**{name: row[name] for name in _FIELDS if name in row})

    def with_progress(
        self, viewed_at: datetime | None, completed_at: datetime | None
    ) -> ContentRow:
        return replace(self, viewed_at=viewed_at, completed_at=completed_at)

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split()

    @property
    def new(self) -> bool:
        """Not yet opened by the member."""
        return self.viewed_at is None and self.completed_at is None

    @property
    def done(self) -> bool:
        return self.completed_at is not None

    @property
    def external(self) -> bool:
        """Lives elsewhere (a video, a recording, a page): opening it leaves Kizuna."""
        return bool(self.url)


_FIELDS = tuple(f.name for f in fields(ContentRow))
