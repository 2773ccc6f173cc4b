"""Workbench benchmark: the hybrid mix and the playbooks over every account, on PostgreSQL.

    python -m bench workbench [--scale small|full] [--runs 3]

Creates the database kizuna_bench_workbench (UTF-8), migrates it and generates the data in SQL
(generate_series): accounts with contract starts over four years and current scores, three
customer members each, 1:1 touches over the last 24 months (monthly for high touch, quarterly
for low touch), content completions and event attendance in the signals ledger, homework (some
overdue) and unanswered questions. Then it times, as medians of repeated runs:
- the mix of every account for 24 months (`success.mix.mixes`), beside its floor: the two bare
  GROUP BY queries it is made of, run by psql-free asyncpg in the same process;
- the mix status of every account (stage, target, lag: what the mix page and one trigger read);
- each trigger over every account, and the evaluation of eight active playbooks (one per
  trigger): the first (it makes the tasks) and a steady one (nothing changes).
Full scale: 10,000 accounts, 30,000 members. The goal: every trigger for every account under 5 s.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.harness import fresh_database, generated, in_process_env, psql, timed

DB_NAME = "kizuna_bench_workbench"
MONTHS = 24


def generate(accounts: int) -> None:
    """The data set, in SQL: nothing here goes through the services (that is not measured)."""
    psql(
        f"""INSERT INTO accounts_account (name, arr, plan, touch_tier, allow_self_signup,
               score_self_view, active, created_at, updated_at, contract_start, renewal_date)
           SELECT 'ベンチ株式会社' || g, (g * 7919 % 30000) * 1000, 'Business',
                  (ARRAY['high','low','low','tech','tech'])[1 + g % 5], false, false, true,
                  now() - interval '4 years', now(),
                  (current_date - (g * 13 % 1460))::date,
                  (current_date + (g * 7 % 365))::date
           FROM generate_series(1, {int(accounts)}) g;
           INSERT INTO accounts_member (email, display_name, handle, role, account, timezone,
               email_notifications, reengagement_opt_out, active, created_at)
           SELECT 'm' || g || '@bench.example', '利用者 ' || g, 'm' || g, 'customer',
                  a.id, 'Asia/Tokyo', true, false, true, now()
           FROM accounts_account a, generate_series(1, 3) k,
                LATERAL (SELECT a.id * 3 + k AS g) n;
           INSERT INTO accounts_member (email, display_name, handle, role, timezone,
               email_notifications, reengagement_opt_out, active, created_at)
           VALUES ('csm@bench.example', 'ベンチ CSM', 'csm', 'csm', 'Asia/Tokyo', true, false,
                   true, now());
           UPDATE accounts_account
             SET owner = (SELECT id FROM accounts_member WHERE handle = 'csm');
           INSERT INTO engagement_account_score (account, score, band, trend, community, events,
               breadth, recency, last_activity_at, baseline_score, flagged, explanation,
               red_alert_open, drop_alert_open, computed_at, updated_at)
           SELECT id, s, CASE WHEN s < 40 THEN 'red' WHEN s < 70 THEN 'yellow' ELSE 'green' END,
                  'same', s, s, s, s, now() - (id % 120) * interval '1 day', s + (id % 30),
                  s < 40, '{{}}', false, false, now(), now()
           FROM (SELECT id, (id * 37 % 100)::float8 AS s FROM accounts_account) x;
           INSERT INTO success_touch (account, kind, outcome, occurred_at, duration_minutes,
               title, notes_markdown, notes_html, next_step, created_at, updated_at, version)
           SELECT a.id, 'meeting_online', CASE WHEN m % 11 = 0 THEN 'no_show' ELSE 'held' END,
                  now() - (m * 30 + a.id % 28) * interval '1 day', 30 + a.id % 60, '定例',
                  '', '', '', now(), now(), 1
           FROM accounts_account a, generate_series(0, {MONTHS - 1}) m
           WHERE a.touch_tier = 'high' OR (a.touch_tier = 'low' AND m % 3 = 0);
           INSERT INTO success_touch_staff (touch, member)
           SELECT t.id, a.owner FROM success_touch t JOIN accounts_account a ON a.id = t.account;
           INSERT INTO content_item (title, summary, kind, url, body_markdown, body_html,
               minutes, tags, audience, audience_tiers, published, created_at, updated_at)
           SELECT 'ガイド ' || g, '', 'article', '', '本文', '<p>本文</p>', 10 + g % 30, '',
                  'all', '', true, now(), now()
           FROM generate_series(1, 40) g;
           INSERT INTO engagement_signal (account, member, kind, occurred_at, value, source,
               subject_type, subject_id, dedupe_key, created_at)
           SELECT m.account, m.id,
                  (ARRAY['content_completed','content_completed','webinar_attended',
                         'event_no_show','reply_created','topic_created'])[1 + g % 6],
                  now() - ((g * 7919) % (730 * 24)) * interval '1 hour', 10 + g % 40, 'bench',
                  'content', 1 + g % 40, 'w:' || m.id || ':' || g, now()
           FROM accounts_member m, generate_series(1, 12) g WHERE m.role = 'customer';
           INSERT INTO success_homework (touch, account, member, item, due_on, assigned_at,
               completed_at)
           SELECT t.id, t.account, (SELECT min(id) FROM accounts_member WHERE account = t.account),
                  1 + t.id % 40, (t.occurred_at + interval '7 days')::date, t.occurred_at,
                  CASE WHEN t.id % 4 = 0 THEN NULL ELSE t.occurred_at + interval '3 days' END
           FROM success_touch t WHERE t.occurred_at > now() - interval '120 days';
           INSERT INTO community_category (name, description, position, visibility, created_at)
           VALUES ('質問', '', 0, 'all', now());
           INSERT INTO community_topic (category, author, kind, title, search_text, pinned,
               locked, hidden, solved, post_count, last_activity_at, created_at, content_hash)
           SELECT (SELECT min(id) FROM community_category), m.id, 'question', '質問 ' || m.id,
                  '', false, false, false, m.id % 5 <> 0, 1,
                  now() - (m.id % 200) * interval '1 hour',
                  now() - (m.id % 200) * interval '1 hour', ''
           FROM accounts_member m WHERE m.role = 'customer' AND m.id % 3 = 0;
           ANALYZE;""",
        DB_NAME,
    )


FLOOR_SQL = (
    "SELECT account, to_char((occurred_at AT TIME ZONE 'UTC') + interval '540 minutes', "
    "'YYYY-MM') AS month, SUM(duration_minutes) FROM success_touch WHERE outcome = 'held' "
    "AND occurred_at >= {} GROUP BY 1, 2",
    "SELECT account, to_char((occurred_at AT TIME ZONE 'UTC') + interval '540 minutes', "
    "'YYYY-MM') AS month, kind, SUM(value), COUNT(*) FROM engagement_signal "
    "WHERE occurred_at >= {} AND kind IN ('content_completed', 'webinar_attended', "
    "'mokumoku_attended', 'topic_created', 'reply_created', 'answer_accepted', "
    "'reaction_received') GROUP BY 1, 2, 3",
)


async def bench(accounts: int, runs: int) -> dict[str, Any]:
    from datetime import timedelta

    from core import database
    from core.database import fetch
    from core.timeutil import utcnow
    from success.mix import mixes, statuses
    from success.playbooks import evaluate_playbooks
    from success.schemas import MixSettings
    from success.tables import Playbook
    from success.triggers import TRIGGERS, Situation, find_matches

    results = await generated(
        generate,
        accounts,
        "SELECT (SELECT count(*) FROM success_touch) AS touches, "
        "(SELECT count(*) FROM engagement_signal) AS signals, "
        "(SELECT count(*) FROM success_homework) AS homework",
    )
    zone, now = "Asia/Tokyo", utcnow()
    since = now - timedelta(days=31 * MONTHS)

    async def mix_all() -> None:
        found = await mixes(zone, now, MONTHS)
        assert len(found) >= accounts * 0.9

    async def floor() -> None:
        for sql in FLOOR_SQL:
            await fetch(sql, since)

    await mix_all()  # warm the cache, as the floor below
    results["floor_ms"] = await timed(floor, runs)
    results["mix_24_months_ms"] = await timed(mix_all, runs)
    results["mix_vs_floor"] = round(
        results["mix_24_months_ms"]["median"] / results["floor_ms"]["median"], 2
    )

    mix_settings = MixSettings()

    async def status_all() -> None:
        await statuses(mix_settings, zone, now)

    results["mix_status_ms"] = await timed(status_all, runs)
    situation = Situation(now, zone, mix_settings)
    per_trigger: dict[str, Any] = {}
    for trigger in TRIGGERS:

        async def one(trigger: str = trigger.value) -> None:
            await find_matches(trigger, None, situation)

        per_trigger[trigger.value] = {
            **(await timed(one, runs)),
            "matches": len(await find_matches(trigger.value, None, situation)),
        }
    results["triggers_ms"] = per_trigger
    results["all_triggers_ms"] = round(sum(t["median"] for t in per_trigger.values()), 1)
    for trigger, spec in TRIGGERS.items():
        await Playbook(
            name=str(spec.label),
            trigger=trigger.value,
            threshold=spec.default_threshold,
            active=True,
            notify=False,
        ).save()
    started = time.perf_counter()
    first = await evaluate_playbooks(situation)
    results["evaluation_first_ms"] = round((time.perf_counter() - started) * 1000, 1)
    results["tasks_made"] = first.created

    async def steady() -> None:
        result = await evaluate_playbooks(situation)
        assert result.created == 0

    results["evaluation_steady_ms"] = await timed(steady, runs)
    await database.close()
    return results


def run(accounts: int, runs: int) -> dict[str, Any]:
    fresh_database(DB_NAME)
    in_process_env(DB_NAME)
    results = asyncio.run(bench(accounts, runs))
    return {
        "parameters": {"accounts": accounts, "months": MONTHS, "runs": runs},
        "results": results,
    }
