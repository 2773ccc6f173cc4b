"""Re-engagement (tech-touch) emails to members of accounts silent for N days; off by default.

A member gets at most one email per inactivity period: the period is keyed by when the
account went quiet (its last activity, or its creation if it never had any), so a new
email can only follow fresh activity and a new silence. Opted-out members get none.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from accounts.unsubscribe import unsubscribe_headers, unsubscribe_url
from core.database import fetch, is_postgres, transaction
from core.mail import send_email
from core.settings import CoreSettings
from engagement.schemas import ScoringSettings
from engagement.scoring import epoch_seconds
from engagement.tables import ReengagementEmail

BATCH = 500

_CANDIDATES = """
SELECT m.id AS member, m.email, m.display_name, m.locale, a.id AS account, a.name AS account_name,
       {since} AS inactive_since
FROM accounts_member m
JOIN accounts_account a ON a.id = m.account
LEFT JOIN engagement_account_score sc ON sc.account = a.id
WHERE m.active AND a.active AND m.role = 'customer' AND NOT m.reengagement_opt_out
  AND m.password_hash IS NOT NULL AND {quiet}
  AND NOT EXISTS (SELECT 1 FROM engagement_reengagement_email r
                  WHERE r.member = m.id AND r.inactive_since = {since})
ORDER BY m.id
LIMIT {limit}
"""


def _candidates_sql() -> str:
    since = "coalesce(sc.last_activity_at, a.created_at)"
    if is_postgres():
        quiet = f"{since} < {{}}"
    else:
        quiet = f"CAST(strftime('%s', {since}) AS INTEGER) < {{}}"
    return _CANDIDATES.format(since=since, quiet=quiet, limit=BATCH)


async def send_reengagement_emails(
    app_settings: CoreSettings, settings: ScoringSettings, as_of: datetime
) -> int:
    """Email every eligible member once for the current silence; returns how many were sent."""
    if not settings.reengagement_enabled:
        return 0
    cutoff = as_of - timedelta(days=settings.reengagement_days)
    limit_arg: Any = cutoff if is_postgres() else epoch_seconds(cutoff)
    sent = 0
    while True:
        rows = await fetch(_candidates_sql(), limit_arg)
        for row in rows:
            sent += await _send_one(app_settings, settings, row)
        if len(rows) < BATCH:
            return sent


async def _send_one(
    app_settings: CoreSettings, settings: ScoringSettings, row: dict[str, Any]
) -> int:
    since = row["inactive_since"]
    if isinstance(since, str):
        since = datetime.fromisoformat(since)
    async with transaction():
        inserted = (
            await ReengagementEmail.insert(
                ReengagementEmail(
                    member=row["member"], account=row["account"], inactive_since=since
                )
            )
            .on_conflict(
                target=(ReengagementEmail.member, ReengagementEmail.inactive_since),
                action="DO NOTHING",
            )
            .returning(ReengagementEmail.id)
        )
        if not inserted:
            return 0
        await send_email(
            row["email"],
            "emails/engagement_reengagement.html",
            row["locale"] or app_settings.default_locale,
            name=row["display_name"],
            account_name=row["account_name"],
            days=settings.reengagement_days,
            community_link=f"{app_settings.base_url}/community",
            settings_link=f"{app_settings.base_url}/settings",
            unsubscribe_link=unsubscribe_url(app_settings, row["member"], "reengagement"),
            headers=unsubscribe_headers(app_settings, row["member"], "reengagement"),
        )
    return 1
