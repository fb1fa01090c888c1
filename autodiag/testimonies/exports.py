"""Exports of verbatims (CSV, XLSX, PDF) to share with agents and
management (grid OR.4, OR.5), with the platform's export rules
(docs/exports.md): CSV in UTF-8 with a byte order mark, `;`, CRLF, dates
JJ/MM/AAAA; XLSX with a bold header; every text written as text, never as a
formula. The text exported is the one with personal data masked; authors'
e-mail addresses never leave the platform."""

from __future__ import annotations

import csv
import io

from django.utils import timezone

from autodiag.testimonies.enums import COMMITMENT_WORDS

COLUMNS = [
    "recu_le",
    "code_structure",
    "structure",
    "etat",
    "canal",
    "ressenti",
    "engagements",
    "pseudonyme",
    "titre",
    "temoignage",
    "reponse",
    "repondu_le",
    "delai_reponse_jours",
    "utile",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def rows(testimonies):
    for t in testimonies.select_related("structure").iterator(chunk_size=2000):
        yield [
            timezone.localdate(t.received_at),
            t.structure.code,
            t.structure.name,
            t.get_status_display(),
            t.get_channel_display(),
            t.get_sentiment_display(),
            ", ".join(f"{n}. {COMMITMENT_WORDS[n]}" for n in t.commitment_numbers),
            t.pseudonym,
            t.public_title,
            t.public_text,
            t.answer_text,
            timezone.localdate(t.answered_at) if t.answered_at else None,
            round(t.answer_seconds / 86400, 1) if t.answer_seconds is not None else None,
            t.useful_count,
        ]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return f"{value}".replace(".", ",")
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text  # a spreadsheet shows it as typed, never runs it
    return text


def csv_bytes(testimonies) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(testimonies):
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(testimonies) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Témoignages")
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows(testimonies):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value:
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif hasattr(value, "strftime"):
                cell.number_format = "DD/MM/YYYY"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
