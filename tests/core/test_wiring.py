"""The app and the worker are assembled from one ordered list of domains (core.wiring)."""

from __future__ import annotations

from typing import Any

import pytest

from core.jobs import cron
from core.web import nav
from core.wiring import Domain, Hook, Listener, Wiring
from domains import DOMAINS


async def job_a(ctx: dict[str, Any]) -> None:
    return None


async def job_b(ctx: dict[str, Any]) -> None:
    return None


def test_every_domain_is_in_the_list_once_in_its_layer_order():
    assert [d.name for d in DOMAINS] == [
        "core",
        "accounts",
        "community",
        "engagement",
        "events",
        "content",
        "renewals",
        "success",
        "crm",
    ]


def test_the_worker_runs_exactly_the_apps_jobs_and_crons(settings):
    from worker import worker_settings

    wiring = Wiring.of(DOMAINS)
    worker = worker_settings(settings.model_copy(update={"redis_url": None}), wiring)
    assert sorted(f.name for f in worker.functions) == sorted(wiring.jobs)
    assert [c.name for c in worker.cron_jobs] == [f"cron:{c.job_name}" for c in wiring.crons]
    assert {"deliver_email", "recompute_account_score", "deliver_webhook"} <= set(wiring.jobs)


def test_header_links_are_sorted_by_order_and_home_sections_follow_the_domains():
    wiring = Wiring.of(DOMAINS)
    orders = [item.order for item in wiring.nav]
    assert orders == sorted(orders)
    assert [s.__module__ for s in wiring.home_sections] == [
        "community.inbox",
        "engagement.controllers",
        "events.controllers",
        "content.controllers",
        "success.member_pages",
    ]
    assert [s.__module__ for s in wiring.account_sections] == ["success.account_page"]


def test_the_crm_listens_to_score_changes_and_the_forum_names_topics():
    from content.hooks import CONTENT_COMPLETED
    from crm.webhooks.endpoints import emit_score_events
    from engagement.hooks import SCORE_CHANGED
    from success.homework import on_content_completed

    wiring = Wiring.of(DOMAINS)
    assert wiring.listeners(SCORE_CHANGED) == (emit_score_events,)
    assert wiring.listeners(CONTENT_COMPLETED) == (on_content_completed,)
    assert set(wiring.subject_links) == {"topic", "registration"}


def test_a_job_declared_by_two_domains_is_refused():
    with pytest.raises(ValueError, match="job 'job_a'"):
        Wiring.of([Domain("one", jobs=(job_a,)), Domain("two", jobs=(job_a, job_b))])


def test_a_cron_or_a_header_link_declared_twice_is_refused():
    with pytest.raises(ValueError, match="cron 'job_a'"):
        Wiring.of([Domain("one", crons=(cron(job_a),)), Domain("two", crons=(cron(job_a),))])
    link = nav("Home", "/x", {"admin"}, 1)
    with pytest.raises(ValueError, match="header link"):
        Wiring.of([Domain("one", nav=(link,)), Domain("two", nav=(link,))])


def test_listeners_are_kept_per_hook_in_the_domains_order():
    seen = Hook[Any]("seen")
    other = Hook[Any]("other")
    wiring = Wiring.of(
        [
            Domain("one", listeners=(Listener(seen, job_b),)),
            Domain("two", listeners=(Listener(seen, job_a), Listener(other, job_b))),
        ]
    )
    assert wiring.listeners(seen) == (job_b, job_a)
    assert wiring.listeners(other) == (job_b,)
    assert wiring.listeners(Hook[Any]("nobody")) == ()
