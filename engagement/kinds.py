"""Signal kinds and how the score model groups them (families, what counts as activity)."""

from __future__ import annotations

from enum import StrEnum

from core.i18n import N_


class SignalKind(StrEnum):
    topic_created = "topic_created"
    reply_created = "reply_created"
    answer_accepted = "answer_accepted"
    reaction_received = "reaction_received"
    event_registered = "event_registered"
    webinar_attended = "webinar_attended"
    mokumoku_attended = "mokumoku_attended"
    event_no_show = "event_no_show"
    daily_visit = "daily_visit"


# Daily visits are self-serve presence in the product's community space, so their (small)
# weight goes to the community family; they count for breadth and recency like any activity.
FAMILY: dict[str, str] = {
    SignalKind.topic_created: "community",
    SignalKind.reply_created: "community",
    SignalKind.answer_accepted: "community",
    SignalKind.reaction_received: "community",
    SignalKind.daily_visit: "community",
    SignalKind.event_registered: "events",
    SignalKind.webinar_attended: "events",
    SignalKind.mokumoku_attended: "events",
    SignalKind.event_no_show: "events",
}

# A no-show lowers the events measure but is not activity: it neither makes a member
# "active" for breadth nor refreshes the account's last activity (recency, silent accounts).
NOT_ACTIVITY = frozenset({SignalKind.event_no_show.value})

KIND_LABELS: dict[str, str] = {
    SignalKind.topic_created: N_("Topic started"),
    SignalKind.reply_created: N_("Reply"),
    SignalKind.answer_accepted: N_("Accepted answer"),
    SignalKind.reaction_received: N_("Like received"),
    SignalKind.event_registered: N_("Event registration"),
    SignalKind.webinar_attended: N_("Webinar attended"),
    SignalKind.mokumoku_attended: N_("Mokumoku-kai attended"),
    SignalKind.event_no_show: N_("No-show"),
    SignalKind.daily_visit: N_("Daily visit"),
}
