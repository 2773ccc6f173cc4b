"""The workbench's words for its values (msgids), shared by pages, emails and the API."""

from __future__ import annotations

from core.i18n import N_
from success.mix import Stage
from success.tables import Priority, TouchKind, TouchOutcome
from success.timeline import SOURCE_LABELS

TOUCH_KINDS = {
    TouchKind.meeting_online.value: N_("1:1 meeting (online)"),
    TouchKind.meeting_onsite.value: N_("1:1 meeting (on site)"),
    TouchKind.call.value: N_("Call"),
    TouchKind.email.value: N_("Email"),
    TouchKind.qbr.value: N_("QBR"),
}
OUTCOMES = {
    TouchOutcome.held.value: N_("Took place"),
    TouchOutcome.no_show.value: N_("The customer did not come"),
}
PRIORITIES = {
    Priority.high.value: N_("High"),
    Priority.normal.value: N_("Normal"),
    Priority.low.value: N_("Low"),
}
STAGES = {
    Stage.onboarding.value: N_("Onboarding"),
    Stage.adoption.value: N_("Adoption"),
    Stage.self_reliant.value: N_("Self-reliant"),
}
TIERS = {"high": N_("High touch"), "low": N_("Low touch"), "tech": N_("Tech touch")}
BANDS = {"red": N_("Red"), "yellow": N_("Yellow"), "green": N_("Green")}
ALERTS = {"red": N_("Turned red"), "drop": N_("Score fell sharply")}

LABELS = {
    "touch_kinds": TOUCH_KINDS,
    "outcomes": OUTCOMES,
    "priorities": PRIORITIES,
    "stages": STAGES,
    "tier_labels": TIERS,
    "band_labels": BANDS,
    "alert_labels": ALERTS,
    "sources": {source.value: label for source, label in SOURCE_LABELS.items()},
}
