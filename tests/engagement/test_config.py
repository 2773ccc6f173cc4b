"""The scoring configuration page: every field, translated errors with nothing saved, versions
with their author and changes, and the full recompute each save queues."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.timeutil import utcnow
from engagement.config_service import LABELS, form_values
from engagement.recompute import recompute_scores
from engagement.schemas import ScoringSettings
from engagement.tables import ScoringConfig
from tests.engagement.helpers import add_signal, score_of
from tests.factories import make_account, make_member
from tests.support import sign_in_as


def defaults(**changes: object) -> dict[str, str]:
    """The default settings as the form posts them (text), with `changes`."""
    values = {k: str(v) for k, v in form_values(ScoringSettings()).items()}
    values.pop("reengagement_enabled")  # an unticked checkbox is not sent
    values.update({k: str(v) for k, v in changes.items()})
    return values


async def test_form_shows_every_setting(client, settings):
    await sign_in_as(client, "admin")
    response = await client.get("/staff/engagement/config")
    assert response.status_code == 200
    for name in ScoringSettings.model_fields:
        assert f'name="{name}"' in response.text, name
    assert "シグナルの重み" in response.text and "再エンゲージメントメール" in response.text
    assert "既定の設定が適用されています" in response.text


BAD_INPUTS = [
    # (changes, field with the error, part of the Japanese message)
    ({"community_weight": "25"}, "community_weight", "合計"),
    ({"recency_weight": "-10", "community_weight": "55"}, "recency_weight", "0"),
    ({"half_life_days": "-5"}, "half_life_days", "0"),
    ({"half_life_days": "0"}, "half_life_days", "0"),
    ({"red_below": "80", "green_from": "70"}, "green_from", "要注意"),
    ({"tier_low_arr": "20000000"}, "tier_high_arr", "ロータッチ"),
    ({"lookback_days": "1.5"}, "lookback_days", "整数"),
    ({"weight_topic_created": "abc"}, "weight_topic_created", "数値"),
    ({"events_target": ""}, "events_target", "必須"),
    ({"reengagement_days": "3"}, "reengagement_days", "7"),
]


@pytest.mark.parametrize(("changes", "field", "fragment"), BAD_INPUTS)
async def test_bad_input_is_refused_and_nothing_saved(client, settings, changes, field, fragment):
    await sign_in_as(client, "admin")
    response = await client.post_form("/staff/engagement/config", defaults(**changes))
    assert response.status_code == 400
    html = response.text
    error = html.split(f'id="e-{field}"')[1].split("</p>")[0]
    assert fragment in error, error
    assert "設定は保存されていません" in html
    # The refused value stays in the form so the admin can fix it.
    for name, value in changes.items():
        if value:
            assert f'value="{value}"' in html.split(f'name="{name}"')[1].split(">")[0]
    assert await ScoringConfig.count() == 0


async def test_weights_not_summing_to_100_flag_all_four(client, settings):
    await sign_in_as(client, "admin")
    response = await client.post_form(
        "/staff/engagement/config", defaults(community_weight=30, events_weight=30)
    )
    assert response.status_code == 400
    for name in ("community_weight", "events_weight", "breadth_weight", "recency_weight"):
        assert f'id="e-{name}"' in response.text
    assert await ScoringConfig.count() == 0


async def test_csm_cannot_change_the_configuration(client, settings):
    await sign_in_as(client, "csm")
    assert (await client.get("/staff/engagement/config")).status_code == 403
    response = await client.post_form("/staff/engagement/config", defaults())
    assert response.status_code == 403
    assert await ScoringConfig.count() == 0


async def test_save_creates_versions_and_history_shows_changes(client, settings):
    admin = await sign_in_as(client, "admin", name="設定 管理者")
    response = await client.post_form(
        "/staff/engagement/config", defaults(weight_topic_created=5, reengagement_enabled="1")
    )
    assert response.status_code == 303
    response = await client.post_form(
        "/staff/engagement/config",
        defaults(weight_topic_created=5, reengagement_enabled="1", silent_days=45),
    )
    assert response.status_code == 303
    rows = await ScoringConfig.select().order_by(ScoringConfig.id).output(load_json=True)
    assert len(rows) == 2
    assert all(row["created_by"] == admin.id for row in rows)
    first, second = (ScoringSettings.model_validate(r["settings"]) for r in rows)
    assert first.weight_topic_created == 5 and first.reengagement_enabled
    assert second.silent_days == 45 and second.weight_topic_created == 5

    page = (await client.get("/staff/engagement/config")).text
    assert f"バージョン{rows[1]['id']}が適用されています" in page
    newest = page.split(f'data-version="{rows[1]["id"]}"')[1].split("</li>\n    <li")[0]
    assert "設定 管理者" in newest
    assert "接点のない顧客とする日数" in newest and "30 → 45" in newest
    assert "トピックを作成" not in newest  # unchanged in the second version
    oldest = page.split(f'data-version="{rows[0]["id"]}"')[1]
    assert "トピックを作成: 3 → 5" in oldest  # the first version against the defaults
    assert "停止中 → 有効" in oldest
    assert 'value="45"' in page  # the form shows the version in force


async def test_save_recomputes_every_score(client, settings, run_jobs):
    account = await make_account()
    member = await make_member(account)
    for days in (1, 3, 8):
        await add_signal(account, member, "topic_created", utcnow() - timedelta(days=days))
    await recompute_scores(settings)
    before = await score_of(account)
    assert before is not None and before["config_version"] is None

    await sign_in_as(client, "admin")
    changed = defaults(community_weight=70, events_weight=0, breadth_weight=20, recency_weight=10)
    response = await client.post_form("/staff/engagement/config", changed)
    assert response.status_code == 303
    assert (await score_of(account))["score"] == before["score"]  # not before the job runs
    await run_jobs()
    after = await score_of(account)
    [version] = await ScoringConfig.select(ScoringConfig.id)
    assert after["config_version"] == version["id"]
    assert after["score"] > before["score"]
    assert after["community"] == before["community"]


def test_labels_cover_every_setting():
    assert set(LABELS) == set(ScoringSettings.model_fields)
