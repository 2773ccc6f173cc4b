"""Score alerts through real recomputes of crafted ledgers: one alert (and one email to the owner
CSM) per crossing, the CSM's alert list and its close button; re-engagement emails."""

from __future__ import annotations

from datetime import timedelta
from email.header import decode_header, make_header

from accounts.tables import Member
from engagement.recompute import recompute_scores
from engagement.reengagement import send_reengagement_emails
from engagement.schemas import ScoringSettings
from engagement.tables import ReengagementEmail, ScoreAlert
from tests.engagement.helpers import AS_OF, add_signal, days_ago, score_of
from tests.engagement.ui_helpers import put_snapshot
from tests.factories import make_account, make_member
from tests.support import Mailbox, sign_in_as


def subject(message) -> str:
    return str(make_header(decode_header(str(message["Subject"]))))


async def lively_account(owner: Member | None, name: str = "警報商事"):
    """An account that is green at AS_OF: a busy week of topics, replies and events."""
    account = await make_account(name, owner_id=owner.id if owner else None)
    member = await make_member(account)
    for day in range(7):
        for kind in ("topic_created", "reply_created", "reply_created", "webinar_attended"):
            await add_signal(account, member, kind, days_ago(day + 0.5))
        await add_signal(account, member, "mokumoku_attended", days_ago(day + 0.2))
    return account, member


async def green_history(account, as_of) -> None:
    """The snapshot a trend window before `as_of`: the account has a score to cross from."""
    await put_snapshot(account, (as_of - timedelta(days=30)).date(), 80.0, "green")


async def alerts_of(account, kind: str | None = None) -> list[dict]:
    query = ScoreAlert.select().where(ScoreAlert.account == account.id).order_by(ScoreAlert.id)
    if kind:
        query = query.where(ScoreAlert.kind == kind)
    return await query


async def test_red_alert_once_per_crossing_with_email(client, settings, run_jobs, mailbox):
    owner = await make_member(None, role="csm", email="owner@example.com", name="担当 一郎")
    account, member = await lively_account(owner)
    await recompute_scores(settings, as_of=AS_OF)
    first = await score_of(account)
    assert first["band"] == "green"
    assert await alerts_of(account, "red") == []

    quiet = AS_OF + timedelta(days=120)  # no new signal for four months
    await green_history(account, quiet)
    await recompute_scores(settings, as_of=quiet)
    assert (await score_of(account))["band"] == "red"
    [alert] = await alerts_of(account, "red")
    assert alert["kind"] == "red" and alert["owner"] == owner.id and alert["closed_at"] is None
    await recompute_scores(settings, as_of=quiet + timedelta(days=1))  # still red: no repeat
    assert len(await alerts_of(account, "red")) == 1

    await run_jobs()
    [message] = mailbox.to("owner@example.com")
    assert "警報商事" in subject(message)
    text = Mailbox.text_of(message)
    assert "「要注意」になった" in text
    link = text[text.index("http://testserver.local/") :].split()[0]
    path = link.removeprefix("http://testserver.local")
    await sign_in_as(client, "csm")
    followed = await client.get(path, follow_redirects=True)
    assert followed.status_code == 200 and "警報商事" in followed.text

    # Recovery closes the alert; falling again raises a new one.
    later = quiet + timedelta(days=2)
    for day in range(5):
        for kind in ("topic_created", "webinar_attended", "mokumoku_attended"):
            await add_signal(account, member, kind, later - timedelta(days=day, hours=1))
    await recompute_scores(settings, as_of=later)
    assert (await score_of(account))["band"] != "red"
    [closed] = await alerts_of(account, "red")
    assert closed["closed_at"] is not None
    await green_history(account, later + timedelta(days=150))
    await recompute_scores(settings, as_of=later + timedelta(days=150))
    alerts = await alerts_of(account, "red")
    assert len(alerts) == 2 and alerts[1]["closed_at"] is None
    await run_jobs()
    assert len(mailbox.to("owner@example.com")) == 2


async def test_a_new_account_without_history_raises_no_alert(settings, run_jobs, mailbox):
    owner = await make_member(None, role="csm", email="new-owner@example.com")
    account, _ = await lively_account(owner, "新規商事")
    await recompute_scores(settings, as_of=AS_OF)
    quiet = AS_OF + timedelta(days=120)
    await recompute_scores(settings, as_of=quiet)
    row = await score_of(account)
    assert row["band"] == "red" and row["baseline_score"] is None
    assert row["red_alert_open"]  # the state is recorded, with nothing to cross from
    assert await alerts_of(account) == []
    await run_jobs()
    assert mailbox.to("new-owner@example.com") == []


async def test_drop_alert_against_the_snapshot_a_trend_window_back(settings, run_jobs, mailbox):
    owner = await make_member(None, role="csm", email="drop-owner@example.com")
    account, _ = await lively_account(owner, "急落物産")
    await recompute_scores(settings, as_of=AS_OF)
    later = AS_OF + timedelta(days=60)
    # Thirty days back the account scored 99: today's lower score is a sharp fall.
    await put_snapshot(account, (later - timedelta(days=30)).date(), 99.0, "green")
    await recompute_scores(settings, as_of=later)
    row = await score_of(account)
    assert row["baseline_score"] == 99.0 and row["score"] <= 84
    assert row["flagged"] and row["trend"] == "down"
    kinds = [a["kind"] for a in await alerts_of(account)]
    assert "drop" in kinds
    await run_jobs()
    [message] = mailbox.to("drop-owner@example.com")
    assert "スコアが大きく低下" in Mailbox.text_of(message)


async def test_alert_without_an_owner_is_recorded_without_email(settings, run_jobs, mailbox):
    account, _ = await lively_account(None, "無担当商店")
    await recompute_scores(settings, as_of=AS_OF)
    await green_history(account, AS_OF + timedelta(days=120))
    await recompute_scores(settings, as_of=AS_OF + timedelta(days=120))
    [alert] = await alerts_of(account, "red")
    assert alert["owner"] is None
    await run_jobs()
    assert mailbox.messages == []


async def test_csm_sees_and_closes_own_alerts(client, settings):
    csm = await sign_in_as(client, "csm")
    other = await make_member(None, role="csm")
    mine = await make_account("自担当", owner_id=csm.id)
    theirs = await make_account("他担当", owner_id=other.id)
    [a] = await ScoreAlert.insert(
        ScoreAlert(account=mine.id, kind="red", score=12.0, owner=csm.id)
    ).returning(ScoreAlert.id)
    await ScoreAlert.insert(ScoreAlert(account=theirs.id, kind="drop", score=40.0, owner=other.id))

    page = (await client.get("/staff/engagement/alerts")).text
    assert "自担当" in page and "他担当" not in page
    everyone = (await client.get("/staff/engagement/alerts?all=1")).text
    assert "自担当" in everyone and "他担当" in everyone
    dashboard = (await client.get("/staff/engagement")).text
    assert "担当顧客の未対応アラート: 1件" in dashboard
    assert "担当顧客の未対応アラート: 1件" in (await client.get("/")).text
    account_page = (await client.get(f"/staff/engagement/accounts/{mine.id}")).text
    assert f"/staff/engagement/alerts/{a['id']}/close" in account_page

    response = await client.post_form(
        f"/staff/engagement/alerts/{a['id']}/close",
        {"next": f"/staff/engagement/accounts/{mine.id}"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/engagement/accounts/{mine.id}"
    row = await ScoreAlert.objects().where(ScoreAlert.id == a["id"]).first()
    assert row is not None and row.closed_at is not None and row.closed_by == csm.id
    assert "担当顧客の未対応アラート" not in (await client.get("/staff/engagement")).text
    # Closing twice changes nothing; an unknown alert is 404; an outside `next` is ignored.
    again = await client.post_form(
        f"/staff/engagement/alerts/{a['id']}/close", {"next": "https://evil.example/"}
    )
    assert again.headers["location"] == "/staff/engagement/alerts"
    assert (await client.post_form("/staff/engagement/alerts/99999/close", {})).status_code == 404


async def test_reengagement_off_by_default_and_opt_out_honoured(settings, run_jobs, mailbox):
    account = await make_account("静寂株式会社")
    keen = await make_member(account, email="keen@example.com")
    await make_member(account, email="optout@example.com")
    await Member.update({Member.reengagement_opt_out: True}).where(
        Member.email == "optout@example.com"
    )
    await add_signal(account, keen, "daily_visit", days_ago(100))
    await recompute_scores(settings, as_of=AS_OF)

    assert await send_reengagement_emails(settings, ScoringSettings(), AS_OF) == 0
    await run_jobs()
    assert mailbox.messages == []

    enabled = ScoringSettings(reengagement_enabled=True, reengagement_days=60)
    assert await send_reengagement_emails(settings, enabled, AS_OF) == 1
    assert await send_reengagement_emails(settings, enabled, AS_OF + timedelta(days=1)) == 0
    await run_jobs()
    assert len(mailbox.to("keen@example.com")) == 1
    assert mailbox.to("optout@example.com") == []
    [sent] = await ReengagementEmail.select(ReengagementEmail.member)
    assert sent["member"] == keen.id
    assert "コミュニティ" in subject(mailbox.to("keen@example.com")[0])
