"""Which CRM fields hold what Kizuna pulls: per CRM, the account fields and the renewal (closed
Opportunity or deal) fields, saved beside the export mapping (CrmMapping.pull_map).

An account field left blank is not the CRM's: Kizuna keeps its own value. The rest are the
CRM's: a pull overwrites them. Salesforce names may follow one relationship (Owner.Email).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from accounts.tables import Member
from core.errors import DomainError
from core.i18n import N_
from core.timeutil import utcnow
from crm.files.mapping import load_mapping
from crm.tables import CrmMapping

# (name, label msgid, required)
ACCOUNT_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("name", N_("Name"), True),
    ("domains", N_("Email domains"), False),
    ("arr", N_("Contract value (ARR)"), False),
    ("plan", N_("Plan"), False),
    ("owner_email", N_("Owner's email"), False),
    ("contract_start", N_("Contract start"), False),
    ("renewal_date", N_("Renewal date"), False),
    ("touch_tier", N_("Touch tier"), False),
)
RENEWAL_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("account", N_("Account reference"), True),
    ("close_date", N_("Close date"), True),
    ("won", N_("Won (true/false)"), True),
    ("arr_after", N_("Amount (ARR after)"), True),
    ("arr_before", N_("Previous ARR"), False),
    # Which records are renewals: an Opportunity Type (Salesforce) or a pipeline id (HubSpot).
    ("renewal_filter", N_("Renewal type or pipeline"), True),
)
DEFAULTS: dict[str, dict[str, str]] = {
    "salesforce": {
        "name": "Name",
        "domains": "Email_Domains__c",
        "arr": "ARR__c",
        "plan": "Plan__c",
        "owner_email": "Owner.Email",
        "contract_start": "Contract_Start__c",
        "renewal_date": "Renewal_Date__c",
        "touch_tier": "Touch_Tier__c",
        "account": "AccountId",
        "close_date": "CloseDate",
        "won": "IsWon",
        "arr_after": "Amount",
        "arr_before": "Previous_ARR__c",
        "renewal_filter": "Renewal",
    },
    "hubspot": {
        "name": "name",
        "domains": "domain",
        "arr": "kizuna_arr",
        "plan": "kizuna_plan",
        "owner_email": "hubspot_owner_id",
        "contract_start": "contract_start_date",
        "renewal_date": "renewal_date",
        "touch_tier": "touch_tier",
        "account": "associations",
        "close_date": "closedate",
        "won": "hs_is_closed_won",
        "arr_after": "amount",
        "arr_before": "previous_arr",
        "renewal_filter": "renewals",
    },
}
_NAME = {
    "salesforce": re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}(\.[A-Za-z][A-Za-z0-9_]{0,79})?$"),
    "hubspot": re.compile(r"^[a-z][a-z0-9_]{0,99}$"),
}
_FILTER = re.compile(r"^[\w .\-]{1,100}$")


@dataclass(frozen=True)
class PullMap:
    crm: str
    fields: dict[str, str]  # Kizuna field → CRM field ("" = not the CRM's)

    def owned(self, name: str) -> bool:
        return bool(self.fields.get(name))

    def __getitem__(self, name: str) -> str:
        return self.fields.get(name, "")


async def load_pull_map(crm: str) -> PullMap:
    """The saved pull fields of `crm` over its defaults."""
    row = (
        await CrmMapping.select(CrmMapping.pull_map)
        .where(CrmMapping.crm == crm)
        .output(load_json=True)
        .first()
    )
    saved = dict(row["pull_map"] or {}) if row else {}
    return PullMap(crm, {**DEFAULTS[crm], **{k: str(v) for k, v in saved.items()}})


def parse_pull_form(crm: str, data: dict[str, Any]) -> PullMap:
    """The pull fields from the form (pull_<name>); a DomainError naming each bad one."""
    errors: dict[str, str] = {}
    fields: dict[str, str] = {}
    for name, _, required in ACCOUNT_FIELDS + RENEWAL_FIELDS:
        value = str(data.get(f"pull_{name}") or "").strip()
        pattern = _FILTER if name == "renewal_filter" else _NAME[crm]
        if not value:
            if required:
                errors[f"pull_{name}"] = N_("This field is required.")
        elif not (crm == "hubspot" and name == "account") and not pattern.match(value):
            errors[f"pull_{name}"] = N_("Not a field name this CRM accepts.")
        fields[name] = value
    if crm == "hubspot":
        fields["account"] = "associations"  # deals reach companies through associations
    if errors:
        raise DomainError(
            N_("The pull fields were not saved: correct the marked fields."), field_errors=errors
        )
    return PullMap(crm, fields)


async def save_pull_map(pull: PullMap, member: Member) -> None:
    """Save the pull fields in one statement (no lost update): a new row takes the export
    mapping's defaults; an existing one keeps its key and score fields."""
    export = await load_mapping(pull.crm)
    row = CrmMapping(
        crm=pull.crm,
        key_field=export.key_field,
        field_map=dict(export.fields),
        pull_map=pull.fields,
        updated_by=member.id,
        updated_at=utcnow(),
    )
    await CrmMapping.insert(row).on_conflict(
        target=CrmMapping.crm,
        action="DO UPDATE",
        values=[CrmMapping.pull_map, CrmMapping.updated_by, CrmMapping.updated_at],
    )
