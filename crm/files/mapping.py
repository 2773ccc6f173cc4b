"""Per-CRM field mapping: which CRM field is the key and which score goes to which field.

The key's value is always the account's `crm_external_id`. For Salesforce the key field is
`Id` when that is the Account Id, or a custom External ID field (…__c) holding it; for
HubSpot it is a unique-value company property (default `kizuna_account_id`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from accounts.tables import Member
from core.errors import DomainError
from core.i18n import N_
from core.timeutil import utcnow
from crm.files.fields import SCORE_FIELDS
from crm.tables import CrmMapping

Crm = Literal["salesforce", "hubspot"]
CRMS: tuple[Crm, ...] = ("salesforce", "hubspot")
CRM_LABELS = {"salesforce": "Salesforce", "hubspot": "HubSpot"}

DEFAULTS: dict[str, tuple[str, dict[str, str]]] = {
    "salesforce": (
        "Id",
        {
            "score": "Engagement_Score__c",
            "band": "Engagement_Band__c",
            "trend": "Engagement_Trend__c",
            "community": "Community_Score__c",
            "events": "Event_Score__c",
            "last_activity_at": "Last_Engagement_Date__c",
        },
    ),
    "hubspot": (
        "kizuna_account_id",
        {
            "score": "engagement_score",
            "band": "engagement_band",
            "trend": "engagement_trend",
            "community": "community_score",
            "events": "event_score",
            "last_activity_at": "last_engagement_date",
        },
    ),
}

# Salesforce: an optional namespace prefix, then words joined by single underscores, then __c.
_SF_NAME = r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*"
_SF_CUSTOM = re.compile(rf"^(?:{_SF_NAME}__)?{_SF_NAME}__c$")
_SF_KEY = re.compile(rf"^(?:Id|(?:{_SF_NAME}__)?{_SF_NAME}__c)$")
_HS_PROPERTY = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_NAME = {"salesforce": 80, "hubspot": 100}


@dataclass(frozen=True)
class FieldMapping:
    crm: str
    key_field: str
    fields: tuple[tuple[str, str], ...]
    """(score field, CRM field API name), in the order of SCORE_FIELDS."""

    @property
    def header(self) -> list[str]:
        return [self.key_field, *(name for _, name in self.fields)]


def default_mapping(crm: str) -> FieldMapping:
    key, fields = DEFAULTS[crm]
    return FieldMapping(
        crm, key, tuple((f.name, fields[f.name]) for f in SCORE_FIELDS if f.name in fields)
    )


async def load_mapping(crm: str) -> FieldMapping:
    """The saved mapping of `crm`, or its defaults."""
    if crm not in DEFAULTS:
        raise DomainError(N_("Unknown CRM: %(crm)s"), crm=crm)
    row = await CrmMapping.objects().where(CrmMapping.crm == crm).output(load_json=True).first()
    if row is None:
        return default_mapping(crm)
    saved: dict[str, str] = dict(row.field_map or {})  # type: ignore[arg-type]
    return FieldMapping(
        crm, row.key_field, tuple((f.name, saved[f.name]) for f in SCORE_FIELDS if f.name in saved)
    )


def _name_error(crm: str, name: str, *, key: bool) -> str | None:
    if not name:
        return N_("Enter the CRM field name.")
    if len(name) > MAX_NAME[crm]:
        return N_("The field name is too long.")
    if crm == "salesforce":
        pattern = _SF_KEY if key else _SF_CUSTOM
        if not pattern.match(name):
            if key:
                return N_("Use Id or a custom External ID field (letters, digits, _; ends in __c).")
            return N_("Use a custom field API name: letters, digits and _, ending in __c.")
    elif not _HS_PROPERTY.match(name):
        return N_("Use a property internal name: lower-case letters, digits and _.")
    return None


def parse_mapping_form(crm: str, data: dict[str, Any]) -> FieldMapping:
    """A mapping from the form (key_field, include_<field>, field_<field>), or a DomainError
    with one message per bad field; nothing is saved when any field is wrong."""
    errors: dict[str, str] = {}
    key_field = str(data.get("key_field") or "").strip()
    if (problem := _name_error(crm, key_field, key=True)) is not None:
        errors["key_field"] = problem
    chosen: list[tuple[str, str]] = []
    seen: dict[str, str] = {key_field.lower(): "key_field"} if key_field else {}
    for field in SCORE_FIELDS:
        if not data.get(f"include_{field.name}"):
            continue
        name = str(data.get(f"field_{field.name}") or "").strip()
        form_key = f"field_{field.name}"
        if (problem := _name_error(crm, name, key=False)) is not None:
            errors[form_key] = problem
            continue
        if name.lower() in seen:
            errors[form_key] = N_("Each CRM field can be used only once.")
            continue
        seen[name.lower()] = form_key
        chosen.append((field.name, name))
    if not chosen and not errors:
        errors["__all__"] = N_("Choose at least one score field to export.")
    if errors:
        raise DomainError(
            N_("The mapping was not saved: correct the marked fields."), field_errors=errors
        )
    return FieldMapping(crm, key_field, tuple(chosen))


async def save_mapping(mapping: FieldMapping, member: Member) -> None:
    """Create or replace the mapping of `mapping.crm` (one statement: no lost update)."""
    row = CrmMapping(
        crm=mapping.crm,
        key_field=mapping.key_field,
        field_map=dict(mapping.fields),
        updated_by=member.id,
        updated_at=utcnow(),
    )
    await CrmMapping.insert(row).on_conflict(
        target=CrmMapping.crm,
        action="DO UPDATE",
        values=[
            CrmMapping.key_field,
            CrmMapping.field_map,
            CrmMapping.updated_by,
            CrmMapping.updated_at,
        ],
    )
