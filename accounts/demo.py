"""Demo data for an empty embedded database: Japanese customer accounts, members and two staff."""

from __future__ import annotations

import logging

from accounts.tables import Account, AccountDomain, Member
from core.database import transaction
from core.security import hash_password
from core.settings import CoreSettings

log = logging.getLogger("kizuna.demo")

DEMO_PASSWORD = "kizuna-demo-2026"  # noqa: S105 - public demo login, listed in the README

STAFF = [
    ("admin@kizuna.example", "管理者 花子", "admin"),
    ("csm@kizuna.example", "佐藤 健太", "csm"),
]
ACCOUNTS = [
    # name, domain, CRM id, ARR (yen), plan, tier, self sign-up
    (
        "株式会社さくらテック",
        "sakura-tech.example",
        "0015g00000SAKURA",
        24_000_000,
        "Enterprise",
        "high",
        True,
    ),
    (
        "みなと物流株式会社",
        "minato-logi.example",
        "0015g00000MINATO",
        6_000_000,
        "Business",
        "low",
        False,
    ),
    (
        "北斗フーズ株式会社",
        "hokuto-foods.example",
        "0015g00000HOKUTO",
        1_200_000,
        "Starter",
        "tech",
        False,
    ),
]
CUSTOMERS = [
    ("yamada@sakura-tech.example", "山田 太郎", 0),
    ("suzuki@sakura-tech.example", "鈴木 一郎", 0),
    ("tanaka@minato-logi.example", "田中 美咲", 1),
    ("ito@minato-logi.example", "伊藤 翔", 1),
    ("kobayashi@hokuto-foods.example", "小林 由美", 2),
]


async def load_demo_data(settings: CoreSettings) -> bool:
    """Load the demo set once, into a database with no members; print the logins."""
    if await Member.count() > 0:
        return False
    password_hash = hash_password(DEMO_PASSWORD)
    async with transaction():
        staff_ids: dict[str, int] = {}
        for email, name, role in STAFF:
            member = Member(
                email=email,
                display_name=name,
                handle=email.split("@")[0],
                role=role,
                password_hash=password_hash,
            )
            await member.save()
            staff_ids[role] = member.id
        account_ids = []
        for name, domain, crm_id, arr, plan, tier, signup in ACCOUNTS:
            account = Account(
                name=name,
                crm_external_id=crm_id,
                arr=arr,
                plan=plan,
                touch_tier=tier,
                owner=staff_ids["csm"],
                allow_self_signup=signup,
            )
            await account.save()
            await AccountDomain(account=account.id, domain=domain).save()
            account_ids.append(account.id)
        for email, name, index in CUSTOMERS:
            await Member(
                email=email,
                display_name=name,
                handle=email.split("@")[0],
                role="customer",
                account=account_ids[index],
                password_hash=password_hash,
            ).save()
    lines = [f"  {email:34} ({role})" for email, _, role in STAFF]
    lines += [f"  {email:34} (customer)" for email, _, _ in CUSTOMERS]
    print(
        "\nKizuna demo data loaded. Sign in at "
        f"{settings.base_url}/login with password {DEMO_PASSWORD!r}:\n" + "\n".join(lines) + "\n"
    )
    return True
