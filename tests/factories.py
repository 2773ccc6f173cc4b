"""Rows for tests, made through the real services."""

from __future__ import annotations

from itertools import count
from typing import Any

from accounts.services import create_member, parse_domains, save_account
from accounts.tables import Account, Member

PASSWORD = "correct-horse-battery"
_seq = count(1)


async def make_account(name: str | None = None, domains: str = "", **fields: Any) -> Account:
    n = next(_seq)
    values = {"name": name or f"テスト株式会社{n}", "arr": fields.pop("arr", 1_000_000), **fields}
    return await save_account(None, values, parse_domains(domains))


async def make_member(
    account: Account | None = None,
    role: str = "customer",
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    **fields: Any,
) -> Member:
    n = next(_seq)
    return await create_member(
        email=email or f"member{n}@example.com",
        display_name=name or f"メンバー{n}",
        role=role,
        account_id=account.id if account is not None else None,
        password=password,
        **fields,
    )
