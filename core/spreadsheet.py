"""CSV cells that a spreadsheet shows as text: the one guard against formula injection.

Excel, LibreOffice and Google Sheets run a cell that starts with = + - or @ as a formula
(=HYPERLINK, =WEBSERVICE, DDE), and a leading tab, carriage return or NUL can hide such a start.
As OWASP recommends, text starting with one of them gets a single quote in front: the sheet
shows the text and runs nothing. Numbers are not text and are written as they are.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def guard_cell(value: Any) -> str:
    """`value` as a CSV cell a spreadsheet will not evaluate ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(value)
