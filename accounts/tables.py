"""Customer accounts, their email domains, members (customers and staff) and invitations."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


class Role(StrEnum):
    customer = "customer"
    csm = "csm"
    admin = "admin"


class TouchTier(StrEnum):
    high = "high"
    low = "low"
    tech = "tech"


class Account(Table, tablename="accounts_account"):
    """A customer company of the vendor."""

    id: Serial

    name = Varchar(length=200, index=True)
    crm_external_id = Varchar(
        length=100,
        null=True,
        default=None,
        unique=True,
        help_text="The account's id in the CRM (e.g. Salesforce Account Id); the export key.",
    )
    arr = BigInt(default=0, help_text="Annual contract value (ARR) in yen.")
    plan = Varchar(length=50, default="")
    contract_start = Date(
        null=True,
        default=None,
        help_text="First day of the contract: the lifecycle stage (onboarding…) counts from it.",
    )
    renewal_date = Date(null=True, default=None, help_text="Next renewal of the contract.")
    touch_tier = Varchar(
        length=10,
        default=TouchTier.low.value,
        choices=TouchTier,
        help_text="Touch tier assigned by staff: high, low or tech.",
    )
    owner: ForeignKey[Member] = ForeignKey(
        references=LazyTableReference("Member", module_path="accounts.tables"),
        null=True,
        on_delete=OnDelete.set_null,
        help_text="The CSM who owns this account.",
    )
    allow_self_signup = Boolean(
        default=False, help_text="People with an email at one of the domains may sign up."
    )
    score_self_view = Boolean(
        default=False, help_text="Members of this account may see its own engagement score."
    )
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class AccountDomain(Table, tablename="accounts_domain"):
    """An email domain that belongs to one account (used for self sign-up)."""

    id: Serial

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    domain = Varchar(length=253, unique=True, help_text="Lower-case, without the @.")


class Member(Table, tablename="accounts_member"):
    """A person: a customer at an account, or staff (CSM, admin) with no account."""

    id: Serial

    email = Varchar(length=320, unique=True, help_text="Lower-cased.")
    display_name = Varchar(length=100)
    handle = Varchar(length=64, unique=True, help_text="For @mentions; ASCII, unique.")
    role = Varchar(length=10, default=Role.customer.value, choices=Role, index=True)
    account = ForeignKey(references=Account, null=True, on_delete=OnDelete.restrict, index=True)
    password_hash = Varchar(
        length=200,
        null=True,
        default=None,
        help_text="argon2; empty until an invitation is accepted.",
    )
    locale = Varchar(
        length=5,
        null=True,
        default=None,
        help_text="Preferred UI language; empty follows the browser.",
    )
    timezone = Varchar(length=64, default="Asia/Tokyo")
    email_notifications = Boolean(default=True, help_text="Send notification emails.")
    reengagement_opt_out = Boolean(
        default=False, help_text="Never send re-engagement (tech-touch) emails."
    )
    last_seen_at = Timestamptz(null=True, default=None)
    active = Boolean(default=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.csm.value, Role.admin.value)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin.value


class Invitation(Table, tablename="accounts_invitation"):
    """A staff invitation by email; the signed link sets the password once."""

    id: Serial

    email = Varchar(length=320, index=True)
    display_name = Varchar(length=100, default="")
    role = Varchar(length=10, default=Role.customer.value, choices=Role)
    account = ForeignKey(references=Account, null=True, on_delete=OnDelete.cascade)
    invited_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
