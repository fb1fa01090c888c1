"""Exports of a structure's action plan (XLSX with openpyxl, PDF with
WeasyPrint) and the heads' table of actions by commitment and state.

Every text cell of the XLSX is written as text, never as a formula: a
title typed as `=HYPERLINK(…)` stays a title.
"""

from __future__ import annotations

import datetime
import io
import re

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from autodiag.actions.enums import ActionStatus
from autodiag.actions.plan import counts, lateness, plan_timeline
from autodiag.reports.context import date_and_time, long_date
from autodiag.spreadsheet import xlsx_text

HEADER_FILL = PatternFill("solid", fgColor="E3E3FD")
DATE_FORMAT = "DD/MM/YYYY"


def filename(structure, kind: str, extension: str) -> str:
    """`autodiag-<code>-<kind>-<date>.<extension>`."""
    code = re.sub(r"[^A-Za-z0-9-]+", "-", structure.code).strip("-") or str(structure.pk)
    return f"autodiag-{code}-{kind}-{timezone.localdate().isoformat()}.{extension}"


def _text(cell, value: str) -> None:
    xlsx_text(cell, value)  # never a formula, whatever the text starts with


def _sheet_of(workbook, title: str, headers: list[tuple[str, int]]):
    sheet = workbook.create_sheet(title)
    for column, (header, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def _write_row(sheet, row: int, values: list) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            _text(cell, value)
        else:
            cell.value = value
        if isinstance(value, datetime.date):
            cell.number_format = DATE_FORMAT
        cell.alignment = Alignment(wrap_text=isinstance(value, str), vertical="top")


PLAN_COLUMNS = [
    ("N°", 6),
    ("Engagement", 11),
    ("Intitulé de l’engagement", 40),
    ("Thématique", 28),
    ("Libellé de l’action", 40),
    ("Responsable", 22),
    ("Contributeurs", 28),
    ("Autres contributeurs", 28),
    ("Démarrage", 12),
    ("Fin prévue", 12),
    ("État", 12),
    ("Avancement (%)", 12),
    ("Jours de retard", 10),
    ("Réalisée ou abandonnée le", 14),
    ("« Vous nous l’avez demandé »", 14),
    ("Problématique identifiée", 60),
    ("Objectif", 40),
    ("Descriptif de l’action", 40),
    ("Indicateurs de suivi", 40),
    ("Résultats attendus", 40),
    ("Dernière revue", 12),
    ("Créée le", 12),
    ("Créée par", 22),
]
REVIEW_COLUMNS = [
    ("N° de la fiche", 8),
    ("Libellé de l’action", 40),
    ("Date de la revue", 12),
    ("État avant", 12),
    ("État après", 12),
    ("Avancement (%)", 12),
    ("Note", 60),
    ("Par", 22),
]


def plan_xlsx(structure, sheets) -> bytes:
    """The plan as a workbook: one row per sheet with every field, and the
    review notes on a second worksheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = f"Plan d’actions — {structure.name}"
    workbook.properties.creator = "autodiag"
    today = timezone.localdate()
    plan = _sheet_of(workbook, "Plan d’actions", PLAN_COLUMNS)
    reviews = _sheet_of(workbook, "Revues", REVIEW_COLUMNS)
    review_row = 2
    for row, sheet in enumerate(sheets, start=2):
        _write_row(
            plan,
            row,
            [
                sheet.number,
                sheet.commitment,
                sheet.commitment_title,
                sheet.theme_title or "L’engagement dans son ensemble",
                sheet.title,
                sheet.responsible.display_name if sheet.responsible else "",
                ", ".join(person.display_name for person in sheet.contributors.all()),
                sheet.other_contributors,
                sheet.start_date,
                sheet.planned_end_date,
                sheet.get_status_display(),
                sheet.progress,
                sheet.days_late(today) or None,
                sheet.closed_on,
                "oui" if sheet.users_asked else "non",
                sheet.problem,
                sheet.objective,
                sheet.description,
                sheet.indicators,
                sheet.expected_results,
                getattr(sheet, "last_reviewed_on", None),
                timezone.localtime(sheet.created_at).date(),
                sheet.created_by.display_name if sheet.created_by else "",
            ],
        )
        for review in sorted(sheet.reviews.all(), key=lambda r: (r.reviewed_on, r.created_at)):
            _write_row(
                reviews,
                review_row,
                [
                    sheet.number,
                    sheet.title,
                    review.reviewed_on,
                    review.get_status_before_display(),
                    review.get_status_display(),
                    review.progress,
                    review.note,
                    review.by.display_name if review.by else "",
                ],
            )
            review_row += 1
    for worksheet, columns, last in (
        (plan, PLAN_COLUMNS, len(sheets) + 1),
        (reviews, REVIEW_COLUMNS, review_row - 1),
    ):
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filters_words(filters) -> str:
    """The active filters in words, for the PDF's title page."""
    if not filters.is_bound or not filters.is_valid():
        return ""
    words = []
    for name in ("statut", "engagement", "responsable"):
        value = filters.cleaned_data.get(name)
        if value:
            label = dict(filters.fields[name].choices).get(value, value)
            words.append(f"{filters.fields[name].label.lower()} : {label}")
    return " ; ".join(words)


def plan_pdf_context(structure, sheets, filters) -> dict:
    today = timezone.localdate()
    for sheet in sheets:
        sheet.lateness = lateness(sheet, today)
    return {
        "structure": structure,
        "sheets": sheets,
        "counts": counts(sheets),
        "timeline": plan_timeline(sheets, today, id="frise-plan"),
        "filters": filters_words(filters),
        "generated_at": date_and_time(timezone.now()),
        "today": long_date(today),
        "document_title": f"Plan d’actions — {structure.name}",
    }


def scope_table(rows: list[dict], versions) -> list[dict]:
    """The heads' table: for each questionnaire version with actions (the
    current one when there is none), each commitment with its number of
    actions by state, late ones, and a total row."""
    by_version: dict[str, dict[int, dict]] = {}
    for row in rows:
        by_version.setdefault(row["questionnaire"], {})[row["commitment"]] = row
    if not by_version:
        by_version[settings.CURRENT_QUESTIONNAIRE] = {}
    known = {version.pk: version for version in versions}
    tables = []
    for version_id, figures in by_version.items():
        record = known.get(version_id)
        if record is None:
            continue
        version = record.questionnaire()
        lines = []
        for commitment in version.commitments:
            row = figures.get(commitment.number, {})
            lines.append(
                {
                    "number": commitment.number,
                    "title": commitment.title,
                    "statuses": [row.get(status.value, 0) for status in ActionStatus],
                    "late": row.get("late", 0),
                    "total": row.get("total", 0),
                }
            )
        totals = {
            "statuses": [
                sum(line["statuses"][i] for line in lines) for i in range(len(ActionStatus))
            ],
            "late": sum(line["late"] for line in lines),
            "total": sum(line["total"] for line in lines),
        }
        tables.append({"version": record, "lines": lines, "totals": totals})
    return tables
