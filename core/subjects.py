"""What a signal is about, as a link: a domain says how to name its subjects (a topic's title).

Engagement reads only the signals ledger; a signal names its subject by kind and id (a topic,
from `topic_created:{id}`). The account page shows those as links with their titles, which
only the subject's own domain knows: each domain declares a resolver for its kinds, and the
page asks `subject_links` without importing the domain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SubjectLink:
    title: str
    href: str


Resolver = Callable[[list[int]], Awaitable[dict[int, SubjectLink]]]


async def subject_links(
    resolvers: Mapping[str, Resolver], kind: str, ids: Iterable[int | None]
) -> dict[int, SubjectLink]:
    """{id: link} of the subjects of `kind` that exist and may be shown; others are left out.

    `resolvers` are the app's (`app.state.wiring.subject_links`): each domain declares one per
    kind of subject it owns in its `Domain.subject_links`."""
    wanted = sorted({i for i in ids if i is not None})  # a signal may name no subject
    resolver = resolvers.get(kind)
    if not wanted or resolver is None:
        return {}
    return await resolver(wanted)
