"""The signal kinds: one table (`KINDS`) of every fact the score model knows about a kind.

Adding a kind is one entry here (and its label's translation): its family, label, default
weight, the domain that records it, what it is about (its subject), its dedupe namespace and
whether it counts as activity. The scoring configuration's weight fields, the family sums,
the labels and the ledger's dedupe keys are all read from it.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    meeting_attended = "meeting_attended"
    meeting_no_show = "meeting_no_show"
    content_viewed = "content_viewed"
    content_completed = "content_completed"
    homework_completed = "homework_completed"


class SubjectType(StrEnum):
    """What a signal is about: the kind of thing its `subject_id` names."""

    topic = "topic"
    post = "post"
    registration = "registration"
    member = "member"
    touch = "touch"
    content = "content"
    homework = "homework"


class Touch(StrEnum):
    """The touch model a kind belongs to (the hybrid mix reads it): community, low touch
    (one-to-many sessions), high touch (1:1 with a CSM), tech touch (self-serve content)."""

    community = "community"
    low = "low"
    high = "high"
    tech = "tech"


@dataclass(frozen=True)
class Kind:
    family: str  # the measure it feeds: "community" (self-serve) or "events" (staff-led)
    label: str  # msgid
    weight: float  # its default weight in the scoring configuration
    source: str  # the domain that records it
    subject: SubjectType
    key: str  # dedupe namespace: one fact per (key, subject id[, detail])
    activity: bool = True  # makes a member active (breadth) and refreshes recency
    touch: Touch = Touch.community  # its touch model, for the hybrid mix and the explanation


# Two measures, by who leads: "community" is what customers do by themselves (the forum,
# visits, tech-touch content and homework), "events" what they do with the vendor's staff
# (webinars and mokumoku-kai: low touch; 1:1 meetings with a CSM: high touch). Daily visits are
# self-serve presence, so their (small) weight goes to the community family. A no-show lowers
# the events measure but is not activity. Both attendance kinds share the namespace
# "attended": one per registration. A content view counts once per member, item and day.
KINDS: dict[SignalKind, Kind] = {
    SignalKind.topic_created: Kind(
        "community", N_("Topic started"), 3.0, "community", SubjectType.topic, "topic_created"
    ),
    SignalKind.reply_created: Kind(
        "community", N_("Reply"), 2.0, "community", SubjectType.post, "reply_created"
    ),
    SignalKind.answer_accepted: Kind(
        "community", N_("Accepted answer"), 6.0, "community", SubjectType.post, "answer_accepted"
    ),
    SignalKind.reaction_received: Kind(
        "community", N_("Like received"), 1.0, "community", SubjectType.post, "reaction_received"
    ),
    SignalKind.event_registered: Kind(
        "events",
        N_("Event registration"),
        1.0,
        "events",
        SubjectType.registration,
        "event_registered",
        touch=Touch.low,
    ),
    SignalKind.webinar_attended: Kind(
        "events",
        N_("Webinar attended"),
        4.0,
        "events",
        SubjectType.registration,
        "attended",
        touch=Touch.low,
    ),
    SignalKind.mokumoku_attended: Kind(
        "events",
        N_("Mokumoku-kai attended"),
        6.0,
        "events",
        SubjectType.registration,
        "attended",
        touch=Touch.low,
    ),
    SignalKind.event_no_show: Kind(
        "events",
        N_("No-show"),
        -2.0,
        "events",
        SubjectType.registration,
        "no_show",
        activity=False,
        touch=Touch.low,
    ),
    SignalKind.daily_visit: Kind(
        "community", N_("Daily visit"), 0.2, "visits", SubjectType.member, "daily_visit"
    ),
    SignalKind.meeting_attended: Kind(
        "events",
        N_("1:1 meeting attended"),
        3.0,
        "success",
        SubjectType.touch,
        "meeting",  # one per touch and member (detail)
        touch=Touch.high,
    ),
    SignalKind.meeting_no_show: Kind(
        "events",
        N_("1:1 meeting missed"),
        -3.0,
        "success",
        SubjectType.touch,
        "meeting",  # attended or missed: one or the other per touch and member
        activity=False,
        touch=Touch.high,
    ),
    SignalKind.content_viewed: Kind(
        "community",
        N_("Content viewed"),
        0.5,
        "content",
        SubjectType.content,
        "content_viewed",  # detail: member and day
        touch=Touch.tech,
    ),
    SignalKind.content_completed: Kind(
        "community",
        N_("Content completed"),
        2.0,
        "content",
        SubjectType.content,
        "content_completed",  # detail: member
        touch=Touch.tech,
    ),
    SignalKind.homework_completed: Kind(
        "community",
        N_("Homework done"),
        3.0,
        "success",
        SubjectType.homework,
        "homework_completed",
        touch=Touch.tech,
    ),
}

FAMILY: dict[str, str] = {kind.value: spec.family for kind, spec in KINDS.items()}
KIND_LABELS: dict[str, str] = {kind.value: spec.label for kind, spec in KINDS.items()}
NOT_ACTIVITY = frozenset(kind.value for kind, spec in KINDS.items() if not spec.activity)
TOUCH: dict[str, str] = {kind.value: spec.touch.value for kind, spec in KINDS.items()}
