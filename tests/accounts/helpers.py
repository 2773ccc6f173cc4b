"""Shared steps of the accounts tests: signing in as a given role."""

from __future__ import annotations

from email.header import decode_header, make_header
from email.message import Message

from accounts.tables import Account, Member
from tests.factories import PASSWORD, make_member
from tests.support import FormClient


async def sign_in_as(
    client: FormClient, role: str = "admin", account: Account | None = None, **fields: object
) -> Member:
    """A new member of `role`, signed in on `client`."""
    member = await make_member(account, role=role, **fields)
    response = await client.post_form("/login", {"email": member.email, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return member


def subject_of(message: Message) -> str:
    """The decoded Subject header (Japanese subjects arrive MIME-encoded)."""
    return str(make_header(decode_header(str(message["Subject"]))))
