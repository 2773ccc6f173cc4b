"""Score alerts: the owner CSM hears once when an account turns red or falls by the alert amount.

The crossing state lives on the score row (red_alert_open, drop_alert_open): an alert is
raised when a state turns on, and closed when it turns off again, so an account that stays
red is not reported every night, and one that recovers and falls again is reported again.
A first score (no previous row) only records the state: a new account is not "turning" red.
Nor is an account without history: with no score to compare (no baseline snapshot yet, the
email's "previous score —") a state that turns on is recorded but raises nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from accounts.services import member_locale
from accounts.tables import Account, Member
from core.database import transaction
from core.errors import NotFound
from core.i18n import N_
from core.mail import send_email
from core.settings import CoreSettings
from core.timeutil import utcnow
from engagement.tables import ScoreAlert

ALERT_KINDS = {"red": "red_alert_open", "drop": "drop_alert_open"}
ALERT_LABELS = {
    "red": N_("Turned red"),
    "drop": N_("Score fell sharply"),
}


class Change(Protocol):
    @property
    def account_id(self) -> int: ...
    @property
    def old(self) -> dict[str, Any] | None: ...
    @property
    def new(self) -> dict[str, Any]: ...


async def apply_alert_crossings(app_settings: CoreSettings, changes: Sequence[Change]) -> int:
    """Raise alerts for states that turned on, close those that turned off; returns raised."""
    raised, recovered, by_account = _crossings(changes)
    await _close_recovered(recovered)
    if not raised:
        return 0
    accounts = await Account.select(Account.id, Account.name, Account.owner).where(
        Account.id.is_in(list(raised))
    )
    owner_ids = [a["owner"] for a in accounts if a["owner"] is not None]
    owners = {
        m.id: m
        for m in await Member.objects().where(
            Member.id.is_in(owner_ids or [0]) & Member.active.eq(True)
        )
    }
    for account in accounts:
        score = by_account[account["id"]]
        kinds = raised[account["id"]]
        await ScoreAlert.insert(
            *[
                ScoreAlert(
                    account=account["id"],
                    kind=kind,
                    score=score["score"],
                    baseline_score=score["baseline_score"],
                    owner=account["owner"],
                )
                for kind in kinds
            ]
        )
        owner = owners.get(account["owner"])
        if owner is not None and owner.is_staff:
            await _email_owner(app_settings, owner, account, kinds, score)
    return sum(len(kinds) for kinds in raised.values())


def _crossings(
    changes: Sequence[Change],
) -> tuple[dict[int, list[str]], dict[str, list[int]], dict[int, dict[str, Any]]]:
    """({account: kinds turned on}, {kind: accounts turned off}, {account: its new row})."""
    raised: dict[int, list[str]] = {}
    recovered: dict[str, list[int]] = {kind: [] for kind in ALERT_KINDS}
    by_account: dict[int, dict[str, Any]] = {}
    for change in changes:
        if change.old is None:
            continue
        for kind, column in ALERT_KINDS.items():
            was, now = bool(change.old[column]), bool(change.new[column])
            if now and not was and change.new["baseline_score"] is not None:
                raised.setdefault(change.account_id, []).append(kind)
                by_account[change.account_id] = change.new
            elif was and not now:
                recovered[kind].append(change.account_id)
    return raised, recovered, by_account


async def _close_recovered(recovered: dict[str, list[int]]) -> None:
    now_at = utcnow()
    for kind, account_ids in recovered.items():
        if account_ids:
            await ScoreAlert.update({ScoreAlert.closed_at: now_at}).where(
                ScoreAlert.account.is_in(account_ids)
                & (ScoreAlert.kind == kind)
                & ScoreAlert.closed_at.is_null()
            )


async def _email_owner(
    app_settings: CoreSettings,
    owner: Member,
    account: dict[str, Any],
    kinds: list[str],
    score: dict[str, Any],
) -> None:
    await send_email(
        owner.email,
        "emails/engagement_alert.html",
        member_locale(owner, app_settings.default_locale),
        account_name=account["name"],
        kinds=[ALERT_LABELS[kind] for kind in kinds],
        score=score["score"],
        baseline=score["baseline_score"],
        link=f"{app_settings.base_url}/dashboard/accounts/{account['id']}",
    )


async def open_alerts(owner_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Open alerts, newest first (of one owner's accounts when `owner_id` is given)."""
    query = ScoreAlert.select(
        ScoreAlert.id,
        ScoreAlert.account,
        ScoreAlert.account.name.as_alias("account_name"),
        ScoreAlert.kind,
        ScoreAlert.score,
        ScoreAlert.baseline_score,
        ScoreAlert.created_at,
        ScoreAlert.owner.display_name.as_alias("owner_name"),
    ).where(ScoreAlert.closed_at.is_null())
    if owner_id is not None:
        query = query.where(ScoreAlert.account.owner == owner_id)
    return await query.order_by(ScoreAlert.id, ascending=False).limit(limit)


async def close_alert(alert_id: int, member_id: int) -> None:
    """A CSM marks an alert handled; closing it twice changes nothing."""
    async with transaction():
        alert = await ScoreAlert.objects().where(ScoreAlert.id == alert_id).first()
        if alert is None:
            raise NotFound(N_("This alert does not exist."))
        if alert.closed_at is None:
            await ScoreAlert.update(
                {ScoreAlert.closed_at: utcnow(), ScoreAlert.closed_by: member_id}
            ).where(ScoreAlert.id == alert_id)
