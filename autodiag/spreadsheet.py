"""Cells that a spreadsheet never runs (formula injection, OWASP "CSV
injection"): every text an export writes goes through here.

A CSV cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage
return is read as a formula by Excel and LibreOffice (`=HYPERLINK(…)`,
`+1+cmd|' /C calc'!A0`): it is written with a leading apostrophe, which
spreadsheets show as text. An XLSX text cell is typed as a string
(`data_type = "s"`), so it is never a formula whatever it starts with.
Pure Python (no Django)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """The text as a CSV cell a spreadsheet shows and never evaluates."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def xlsx_text(cell, text: str):
    """Put `text` in an openpyxl cell (normal or write-only) as a string,
    never a formula; returns the cell."""
    cell.value = text
    if text:
        cell.data_type = "s"
    return cell
