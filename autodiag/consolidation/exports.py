"""CSV and XLSX exports of the consolidated views (columns in
docs/exports.md):

- `consolidated`: the consolidated table, one row per figure (each
  commitment, the total, the consolidated rate, each channel, theme and
  national question) with count, mean, minimum, maximum, median, the
  previous period's mean and the national mean;
- `structures`: the results of the structures, one row per diagnostic (each
  structure's latest validated diagnostic of the period, or with
  `every=True` every diagnostic validated in the period), a column per
  commitment, channel, theme and national question.

Figures are percentages as numbers with 4 decimals (as frozen), never
rounded for display. Text cells never become formulas
(`autodiag.spreadsheet`). CSV: UTF-8 with a byte order mark, `;` between
columns and a decimal comma, as a spreadsheet set to French reads it; XLSX:
numbers as numbers (openpyxl's write-only mode, constant memory).

Small exports are built in the request; large ones (more than
`SYNC_LIMIT` rows) by a background task (`tasks.py`) that records its
progress on the `Export` row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from autodiag import territories
from autodiag.consolidation.figures import UNITS_PER_PERCENT, unpack
from autodiag.consolidation.layout import CHANNEL, COMMITMENT, GLOBAL, QUESTION, THEME, layout_of
from autodiag.consolidation.models import ResultLine
from autodiag.consolidation.statistics import (
    Filters,
    consolidated_statistics,
    lines_in_scope,
    national_statistics,
    structures_filtered,
)
from autodiag.spreadsheet import csv_text, xlsx_text

SYNC_LIMIT = settings.EXPORT_SYNC_ROWS
PROGRESS_EVERY = 2_000
FOUR = Decimal("0.0001")
KIND_LABELS = {
    GLOBAL: "note globale",
    COMMITMENT: "engagement",
    CHANNEL: "canal",
    THEME: "thématique",
    QUESTION: "question nationale",
}


def percent(value: Fraction | None) -> Decimal | None:
    """A ratio as a percentage with 4 decimals (half even, like the frozen
    Score rows), None when not evaluated."""
    if value is None:
        return None
    return (Decimal(value.numerator * 100) / Decimal(value.denominator)).quantize(FOUR)


def units_percent(units: int) -> Decimal | None:
    return None if units < 0 else (Decimal(units) / UNITS_PER_PERCENT).quantize(FOUR)


# -- the consolidated table -----------------------------------------------------

CONSOLIDATED_COLUMNS = [
    "nature",
    "cle",
    "libelle",
    "engagement",
    "diagnostics",
    "moyenne",
    "minimum",
    "maximum",
    "mediane",
    "moyenne_periode_precedente",
    "moyenne_nationale",
]


def consolidated_rows(user, filters: Filters) -> Iterator[list]:
    current = consolidated_statistics(user, filters)
    previous = consolidated_statistics(user, filters.previous_period())
    national = national_statistics(filters)
    for figure in current.layout.figures:
        summary = current.summary(figure.kind, figure.key)
        before = previous.summary(figure.kind, figure.key)
        country = national.summary(figure.kind, figure.key)
        yield [
            KIND_LABELS[figure.kind],
            figure.key,
            figure.label,
            figure.commitment,
            summary.count,
            percent(summary.mean),
            percent(summary.minimum),
            percent(summary.maximum),
            percent(summary.median),
            percent(before.mean),
            percent(country.mean),
        ]
    yield [
        "taux consolidé",
        "",
        "Taux d’atteinte consolidé (moyenne des moyennes par engagement)",
        None,
        current.count,
        percent(current.rate),
        None,
        None,
        None,
        percent(previous.rate),
        percent(national.rate),
    ]


# -- the structures' results ------------------------------------------------------

STRUCTURE_COLUMNS = [
    "code",
    "structure",
    "reseau",
    "typologie",
    "type_structure",
    "departement",
    "region",
    "version",
    "valide_le",
    "diagnostic",
]


def structure_columns(layout) -> list[str]:
    return STRUCTURE_COLUMNS + [column_name(f) for f in layout.figures]


def column_name(figure) -> str:
    if figure.kind == GLOBAL:
        return "note_globale"
    if figure.kind == COMMITMENT:
        return f"engagement_{figure.key}"
    if figure.kind == THEME:
        number, section = figure.key.split(":")
        return f"thematique_{number}_{section}"
    if figure.kind == CHANNEL:
        return f"canal_{figure.key}"
    return f"question_{figure.key}"


def structure_lines(user, filters: Filters, every: bool = False):
    """The lines to export: each structure's latest of the period, or every
    diagnostic validated in the period (`every`)."""
    if not every:
        return lines_in_scope(user, filters)
    start, end = filters.bounds()
    lines = ResultLine.objects.filter(
        questionnaire=filters.version, validated_at__gte=start, validated_at__lt=end
    )
    structures = structures_filtered(user, filters)
    if structures is not None:
        lines = lines.filter(structure__in=structures.values("pk"))
    return lines


def structure_rows(lines, progress: Callable[[int], None] | None = None) -> Iterator[list]:
    region_names = {r.code: r.name for r in territories.regions()}
    done = 0
    queryset = lines.select_related("structure__network").order_by(
        "structure__code", "validated_at"
    )
    for line in queryset.iterator(chunk_size=2000):
        structure = line.structure
        yield [
            structure.code,
            structure.name,
            structure.network.name,
            structure.get_typology_display(),
            structure.structure_type,
            structure.department_code,
            region_names.get(structure.region_code, structure.region_code),
            line.questionnaire_id,
            timezone.localtime(line.validated_at).date(),
            line.diagnostic_id,
            *[units_percent(units) for units in unpack(line.figures)],
        ]
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)


# -- writers ---------------------------------------------------------------------


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str):
        return csv_text(value)  # names come from imported referentials: never a formula
    return str(value)


def write_csv(out: io.TextIOBase, columns: list[str], rows) -> None:
    out.write("\ufeff")  # spreadsheets read UTF-8 only with it
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])


def write_xlsx(path_or_buffer, sheet_title: str, columns: list[str], rows) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(path_or_buffer)


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return xlsx_text(WriteOnlyCell(sheet), value)  # never a formula
    return value


def build(kind: str, file_format: str, user, filters: Filters, every: bool, target, progress=None):
    """Write an export to `target` (a path or a binary buffer)."""
    if kind == "consolidated":
        columns, rows, title = (
            CONSOLIDATED_COLUMNS,
            consolidated_rows(user, filters),
            "Vision consolidée",
        )
    else:
        layout = layout_of(filters.version.questionnaire())
        columns = structure_columns(layout)
        rows = structure_rows(structure_lines(user, filters, every), progress)
        title = "Résultats par structure"
    if file_format == "csv":
        if isinstance(target, str | Path):
            with open(target, "w", encoding="utf-8", newline="") as out:
                write_csv(out, columns, rows)
        else:
            text = io.TextIOWrapper(target, encoding="utf-8", newline="")
            write_csv(text, columns, rows)
            text.flush()
            text.detach()
    else:
        write_xlsx(target, title, columns, rows)


def filename(kind: str, file_format: str, filters: Filters) -> str:
    what = "vision-consolidee" if kind == "consolidated" else "resultats-structures"
    return f"autodiag-{what}-{filters.version.pk}-{filters.start.isoformat()}-{filters.end.isoformat()}.{file_format}"
