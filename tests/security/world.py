"""The data set of the authorisation matrix: accounts A and B, staff, and something of every
kind that a path parameter can name, owned by account A, with unique marker texts.

Every object a route's path parameter names belongs to account A (or to staff): customer B
asking for it must be refused, and no answer to B or to an anonymous visitor may contain one
of A's markers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from accounts.tables import Account, Member
from accounts.unsubscribe import unsubscribe_url
from community.tables import Flag, Notification
from content.schemas import ContentIn
from content.services import save_item
from core.timeutil import utcnow
from crm.pull.tokens import create_token
from crm.tables import PullRun, SyncRun, WebhookDelivery
from crm.webhooks.endpoints import create_endpoint
from engagement.config_service import form_values
from engagement.tables import ScoreAlert
from engagement.versions import current_config
from events import series
from events.calendar import create_feed_token
from events.registration import allocation as registration
from events.rules import get_event
from events.schemas import SeriesIn
from events.services import audience_account_ids, event_hosts
from events.staff_controllers import event_form_values, series_form_values
from events.tables import Registration
from renewals.schemas import RenewalIn
from renewals.services import save_renewal
from settings import Settings
from success.schemas import HomeworkIn, TaskIn, TouchIn
from success.tables import Homework, Playbook
from success.tasks import create_task
from success.touches import log_touch
from tests.community.helpers import make_category, make_reply, make_topic
from tests.engagement.ui_helpers import put_score, put_snapshot
from tests.events.event_helpers import event_input, new_event
from tests.factories import make_account, make_member

# Texts that exist once in the data set; who may read each is in MARKER_READERS.
MARKERS = {
    "account_a": "株式会社エー秘匿AQ7",
    "member_a_name": "有栖 花子 M4X",
    "member_a_email": "alice.k9z@a.example",
    "private_category": "エー社専用カテゴリ C2V",
    "private_topic": "エー社の極秘トピック T8R",
    "private_post": "エー社の極秘返信 P3W",
    "event_a": "エー社限定もくもく会 E5N",
    "series_a": "エー社定例会 S6J",
    "staff_topic": "スタッフ限定トピック F1D",
    "draft_event": "下書きイベント D0G",
    "content_a": "エー社向けコンテンツ K5B",
    "touch_a": "エー社との面談メモ N2H",
}
ROLES = ("anon", "customer_a", "customer_b", "csm", "admin", "token")
_A_ONLY = {"account_a", "member_a_name", "member_a_email", "private_category"}
_A_ONLY |= {"private_topic", "private_post", "event_a", "series_a", "content_a"}
_STAFF_ONLY = {"staff_topic", "draft_event", "touch_a"}
# The markers each role may legitimately read (anything else in an answer is a leak).
MARKER_READERS: dict[str, set[str]] = {
    "anon": set(),
    "customer_a": _A_ONLY,
    "customer_b": set(),
    "csm": _A_ONLY | _STAFF_ONLY,
    "admin": _A_ONLY | _STAFF_ONLY,
    "token": set(),
}


@dataclass
class World:
    settings: Settings
    account_a: Account
    account_b: Account
    alice: Member  # customer of A: author of A's private question, registered for A's event
    anna: Member  # customer of A: replied in A's private topic
    bob: Member  # customer of B
    csm: Member  # owner of account A
    admin: Member
    public_category: Any
    private_category: Any
    staff_category: Any
    private_topic_id: int
    private_post_id: int  # anna's reply in the private topic
    event_a_id: int  # published, for account A only, alice confirmed
    registration_a_id: int
    checkin_code: str  # alice's
    series_id: int
    notification_id: int  # alice's: anna replied to her topic
    alert_id: int
    webhook_id: int
    delivery_id: int
    api_token_id: int
    sync_run_id: int
    pull_run_id: int
    feed_filename: str  # alice's private calendar feed
    unsubscribe_token: str  # alice's one-click unsubscribe from notification emails
    content_a_id: int  # a content item for account A only
    touch_a_id: int  # the CSM's 1:1 touch with alice (notes: touch_a), homework content_a
    homework_a_id: int  # alice's
    task_a_id: int  # a task on account A for the CSM
    playbook_id: int
    renewal_a_id: int  # account A's last renewal
    token_secret: str  # the bearer token the "token" role sends (both scopes)
    receiver_url: str  # a webhook receiver on loopback
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)  # staff forms, as shown
    me: Member | None = None  # the member of the role being checked

    @property
    def ids(self) -> dict[str, Any]:
        """What fills each path parameter of the router's paths."""
        return {
            "account_id": self.account_a.id,
            "member_id": self.alice.id,
            "handle": self.alice.handle,
            "category_id": self.private_category.id,
            "topic_id": self.private_topic_id,
            "post_id": self.private_post_id,
            "notification_id": self.notification_id,
            "event_id": self.event_a_id,
            "registration_id": self.registration_a_id,
            "series_id": self.series_id,
            "alert_id": self.alert_id,
            "endpoint_id": self.webhook_id,
            "delivery_id": self.delivery_id,
            "token_id": self.api_token_id,
            "run_id": self.sync_run_id,
            "pull_id": self.pull_run_id,
            "kind": "accounts",
            "crm": "salesforce",
            "filename": self.feed_filename,
            "token": self.unsubscribe_token,
            "item_id": self.content_a_id,
            "touch_id": self.touch_a_id,
            "homework_id": self.homework_a_id,
            "task_id": self.task_a_id,
            "playbook_id": self.playbook_id,
            "renewal_id": self.renewal_a_id,
            "csm_id": self.csm.id,
            "file_path": "kizuna.css",
            "path": "no-such-document",
        }


async def build_world(settings: Settings, receiver_url: str) -> World:
    account_a = await make_account(
        MARKERS["account_a"], domains="a.example", touch_tier="high", score_self_view=True
    )
    account_b = await make_account(
        "株式会社ビー",
        domains="b.example",
        touch_tier="low",
        score_self_view=True,
        allow_self_signup=True,
    )
    # Scores before any signal: a recompute job then updates these rows rather than racing.
    today = date.today()
    for account, score, band in ((account_a, 31.5, "yellow"), (account_b, 72.0, "green")):
        await put_score(account, score, band)
        await put_snapshot(account, today - timedelta(days=1), score, band)
    csm = await make_member(None, role="csm", email="csm@vendor.example", name="佐藤 CSM")
    await Account.update({Account.owner: csm.id}).where(Account.id == account_a.id)
    admin = await make_member(None, role="admin", email="admin@vendor.example", name="管理者")
    alice = await make_member(
        account_a, email=MARKERS["member_a_email"], name=MARKERS["member_a_name"]
    )
    anna = await make_member(account_a, email="anna@a.example", name="安奈 由美")
    bob = await make_member(account_b, email="bob@b.example", name="坊 太郎")

    public = await make_category("一般", position=1)
    private = await make_category(MARKERS["private_category"], "account", account_a, position=2)
    staff_only = await make_category("スタッフ", "staff", position=3)
    topic_id = await make_topic(alice, private, MARKERS["private_topic"], "困っています。")
    post_id = await make_reply(anna, topic_id, MARKERS["private_post"])
    await make_topic(csm, staff_only, MARKERS["staff_topic"], "社内メモ。", kind="discussion")
    await make_topic(bob, public, "ビー社からの質問", "どなたか教えてください。")
    await Flag.insert(Flag(post=post_id, member=alice.id, reason="spam", note=""))
    notification = await Notification.objects().where(Notification.recipient == alice.id).first()
    if notification is None:  # the reply notifies the asker in a job on some backends
        notification = Notification(
            recipient=alice.id, kind="reply", topic=topic_id, post=post_id, actor=anna.id
        )
        await notification.save()

    [alert] = await ScoreAlert.insert(
        ScoreAlert(account=account_a.id, kind="red", score=18.0, owner=csm.id)
    ).returning(ScoreAlert.id)

    event_a_id = await new_event(
        csm,
        title=MARKERS["event_a"],
        capacity=10,
        audience="accounts",
        audience_accounts=[account_a.id],
        hosts=[csm.id],
    )
    await new_event(csm, publish=False, title=MARKERS["draft_event"])
    row, _ = await registration.register(alice, event_a_id)
    series_id = await series.create_series(
        csm,
        SeriesIn(
            **event_input(
                title=MARKERS["series_a"], audience="accounts", audience_accounts=[account_a.id]
            ).model_dump(),
            repeat="weekly",
            occurrences=2,
        ),
        publish=True,
    )

    endpoint, _ = await create_endpoint(receiver_url, ["score.updated"], "CRM", admin.id, settings)
    [delivery] = await WebhookDelivery.insert(
        WebhookDelivery(
            endpoint=endpoint.id,
            message_id="msg_authz_matrix",
            event="score.updated",
            account=account_a.id,
            payload='{"type": "score.updated"}',
            status="delivered",
        )
    ).returning(WebhookDelivery.id)
    spare_token = await create_token("spare", ["scores:read"], 30, admin)
    role_token = await create_token("matrix", ["scores:read", "webhooks:manage"], 30, admin)
    [run] = await SyncRun.insert(SyncRun(crm="salesforce", status="succeeded")).returning(
        SyncRun.id
    )
    [pull] = await PullRun.insert(
        PullRun(crm="salesforce", kind="accounts", status="succeeded", fetched=1, unchanged=1)
    ).returning(PullRun.id)
    feed = await create_feed_token(alice)
    workbench = await _workbench(csm, admin, alice, account_a)
    reg = await Registration.select().where(Registration.id == row.id).first()
    assert reg is not None and reg["status"] == "confirmed"
    world = World(
        settings=settings,
        account_a=account_a,
        account_b=account_b,
        alice=alice,
        anna=anna,
        bob=bob,
        csm=csm,
        admin=admin,
        public_category=public,
        private_category=private,
        staff_category=staff_only,
        private_topic_id=topic_id,
        private_post_id=post_id,
        event_a_id=event_a_id,
        registration_a_id=reg["id"],
        checkin_code=reg["checkin_code"],
        series_id=series_id,
        notification_id=notification.id,
        alert_id=alert["id"],
        webhook_id=endpoint.id,
        delivery_id=delivery["id"],
        api_token_id=spare_token.token.id,
        sync_run_id=run["id"],
        pull_run_id=pull["id"],
        feed_filename=f"{feed}.ics",
        unsubscribe_token=unsubscribe_url(settings, alice.id, "notifications").rsplit("/", 1)[1],
        token_secret=role_token.secret,
        receiver_url=receiver_url,
        **workbench,
    )
    world.forms = await _staff_forms(world)
    return world


async def _workbench(
    csm: Member, admin: Member, alice: Member, account_a: Account
) -> dict[str, int]:
    """A's content item, the CSM's touch with alice giving it as homework, a task, a playbook."""
    item_id = await save_item(
        admin,
        None,
        ContentIn(
            title=MARKERS["content_a"],
            body="エー社のための手順です。",
            audience="accounts",
            audience_accounts=[account_a.id],
            published=True,
        ),
    )
    today = date.today()
    touch_id = await log_touch(
        csm,
        account_a.id,
        TouchIn(
            occurred_at=utcnow() - timedelta(hours=2),
            title="定例",
            notes=MARKERS["touch_a"],
            participant_ids=[alice.id],
            staff_ids=[csm.id],
            homework=[HomeworkIn(item_id=item_id, member_ids=[alice.id])],
        ),
        today,
    )
    [homework] = await Homework.select(Homework.id).where(Homework.touch == touch_id)
    task_id = await create_task(
        csm, account_a.id, TaskIn(title="状況確認", due_on=today + timedelta(days=3)), today
    )
    playbook = Playbook(name="要注意", trigger="score_red", active=False, created_by=admin.id)
    await playbook.save()
    renewal_id = await save_renewal(
        RenewalIn(
            account_id=account_a.id, renewal_date=today - timedelta(days=30), outcome="renewed"
        ),
        csm.id,
    )
    return {
        "renewal_a_id": renewal_id,
        "content_a_id": item_id,
        "touch_a_id": touch_id,
        "homework_a_id": homework["id"],
        "task_a_id": task_id,
        "playbook_id": playbook.id,
    }


def _form_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Values as a browser posts them: no None, ticked boxes as "1", unticked ones absent."""
    fields: dict[str, Any] = {}
    for name, value in values.items():
        if value is None or value is False:
            continue
        fields[name] = "1" if value is True else value
    return fields


async def _staff_forms(world: World) -> dict[str, dict[str, Any]]:
    """The staff forms filled as their pages show them (saving them changes nothing)."""
    _, scoring = await current_config()
    event = await get_event(world.event_a_id)
    hosts = [h["id"] for h in await event_hosts(world.event_a_id)]
    event_form = event_form_values(event, hosts, await audience_account_ids(world.event_a_id))
    series_row = await series.get_series(world.series_id)
    new_event = {**event_form, "title": "新しいイベント", "audience": "all", "repeat": "none"}
    return {
        "scoring_config": _form_fields(form_values(scoring)),
        "event_edit": _form_fields(event_form),
        "event_new": _form_fields(new_event),
        "series_edit": _form_fields(series_form_values(series.series_form(series_row))),
    }
