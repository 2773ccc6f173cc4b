"""How the app is assembled: each domain declares what it brings in one `Domain` value, and
the composition roots (`app.create_app`, `worker.worker_settings`) build one `Wiring` from
the ordered list in `domains.DOMAINS`. Nothing registers itself by being imported.

A domain brings routes, job functions, crons, header links, home-page sections, sections of
the staff account page, subject links (how its subjects are named on other domains' pages),
listeners of other domains' hooks, Litestar plugins and its demo data. The order of the list
is the order of the home page's and the account page's sections and of the demo loaders; the
header sorts its links by their `order`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from litestar.plugins import PluginProtocol
from litestar.types import ControllerRouterHandler

from core.jobs import Cron, JobFunction
from core.settings import CoreSettings
from core.subjects import Resolver
from core.web import NavItem

HomeSection = Callable[[Any], Awaitable[tuple[str, dict[str, Any]] | None]]
"""A block of the member's home page for a viewer: (template, context), or None to skip."""

AccountSection = Callable[[int, Any, Any], Awaitable[tuple[str, dict[str, Any]] | None]]
"""A block of the staff page of one customer account: `(account_id, viewer, request)` to
(template, context), or None to skip."""

DemoLoader = Callable[[CoreSettings], Awaitable[bool | None]]
"""Loads a domain's demo data; returning False stops the loaders after it (already loaded)."""

L = TypeVar("L")


@dataclass(frozen=True)
class Hook(Generic[L]):
    """Something a domain announces, declared by that domain with the listener type it calls
    (`SCORE_CHANGED: Hook[ScoreListener]`); other domains listen without being imported."""

    name: str


@dataclass(frozen=True)
class Listener(Generic[L]):
    hook: Hook[L]
    function: L


@dataclass(frozen=True)
class Domain:
    """What one package brings to the app and the worker."""

    name: str
    routes: Sequence[ControllerRouterHandler] = ()
    jobs: Sequence[JobFunction] = ()
    crons: Sequence[Cron] = ()
    nav: Sequence[NavItem] = ()
    home_sections: Sequence[HomeSection] = ()
    account_sections: Sequence[AccountSection] = ()
    subject_links: Mapping[str, Resolver] = field(default_factory=dict)
    listeners: Sequence[Listener[Any]] = ()
    plugins: Sequence[PluginProtocol] = ()
    demo: DemoLoader | None = None


@dataclass(frozen=True)
class Wiring:
    """Every domain's contributions, merged in the domains' order; duplicates are refused."""

    domains: tuple[Domain, ...]
    jobs: Mapping[str, JobFunction]
    crons: tuple[Cron, ...]
    nav: tuple[NavItem, ...]
    home_sections: tuple[HomeSection, ...]
    account_sections: tuple[AccountSection, ...]
    subject_links: Mapping[str, Resolver]
    _listeners: Mapping[str, tuple[Any, ...]]

    @classmethod
    def of(cls, domains: Iterable[Domain]) -> Wiring:
        domains = tuple(domains)
        jobs: dict[str, JobFunction] = {}
        crons: list[Cron] = []
        links: dict[str, Resolver] = {}
        listeners: dict[str, list[Any]] = {}
        for domain in domains:
            for function in domain.jobs:
                _add(jobs, function.__name__, function, f"job {function.__name__!r}")
            for spec in domain.crons:
                if any(c.job_name == spec.job_name for c in crons):
                    raise ValueError(f"cron {spec.job_name!r} is declared twice")
                crons.append(spec)
            for kind, resolver in domain.subject_links.items():
                _add(links, kind, resolver, f"subject kind {kind!r}")
            for listener in domain.listeners:
                listeners.setdefault(listener.hook.name, []).append(listener.function)
        nav = [item for domain in domains for item in domain.nav]
        hrefs = [item.href for item in nav]
        if len(set(hrefs)) != len(hrefs):
            raise ValueError(f"a header link is declared twice: {sorted(hrefs)}")
        return cls(
            domains=domains,
            jobs=jobs,
            crons=tuple(crons),
            nav=tuple(sorted(nav, key=lambda item: item.order)),
            home_sections=tuple(s for domain in domains for s in domain.home_sections),
            account_sections=tuple(s for domain in domains for s in domain.account_sections),
            subject_links=links,
            _listeners={name: tuple(functions) for name, functions in listeners.items()},
        )

    def listeners(self, hook: Hook[L]) -> tuple[L, ...]:
        return self._listeners.get(hook.name, ())

    @property
    def routes(self) -> list[ControllerRouterHandler]:
        return [route for domain in self.domains for route in domain.routes]

    @property
    def plugins(self) -> list[PluginProtocol]:
        return [plugin for domain in self.domains for plugin in domain.plugins]

    @property
    def demo_loaders(self) -> list[DemoLoader]:
        return [domain.demo for domain in self.domains if domain.demo is not None]


def _add(into: dict[str, Any], key: str, value: Any, what: str) -> None:
    if key in into:
        raise ValueError(f"{what} is declared twice")
    into[key] = value
