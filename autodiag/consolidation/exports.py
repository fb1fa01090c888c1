"""CSV and XLSX exports of the consolidated views (columns described on
the exports page itself, from `Column`, and in docs/exports.md):

- `consolidated`: the consolidated table, one row per figure (each
  commitment, the total, the consolidated rate, each channel, theme and
  national question) with count, mean, minimum, maximum, median, the
  previous period's mean and the national mean;
- `structures`: the results of the structures, one row per diagnostic (each
  structure's latest validated diagnostic of the period, or with
  `every=True` every diagnostic validated in the period), a column per
  commitment, channel, theme and national question.

Two variants of each. The **readable** one (the default) is for a person
in a spreadsheet: French column headers, percentages to one decimal as the
pages show them (rounded half up), and in XLSX a frozen header row with
filters, then a « Colonnes » sheet describing every column. The
**technical** one is for programs: short stable column names
(`engagement_1`) and percentages with 4 decimals, as frozen. CSV: UTF-8
with a byte order mark, `;` between columns and a decimal comma, as a
spreadsheet set to French reads it; XLSX: numbers as numbers (openpyxl's
write-only mode, constant memory). Text cells never become formulas
(`autodiag.spreadsheet`).

Small exports are built in the request; large ones (more than
`SYNC_LIMIT` rows) by a background task (`tasks.py`) that records its
progress on the `Export` row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

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

SYNC_LIMIT = 5_000
PROGRESS_EVERY = 2_000
FOUR = Decimal("0.0001")
ONE_DECIMAL = Decimal("0.1")
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


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an export: its technical name, its French header, and
    what it holds (the « Colonnes » sheet and the exports page)."""

    name: str
    header: str
    description: str
    percent: bool = False  # a percentage: one decimal in the readable variant


CONSOLIDATED = [
    Column(
        "nature",
        "Nature",
        "Note globale, engagement, canal, thématique ou question nationale ; la dernière "
        "ligne est le taux consolidé.",
    ),
    Column(
        "cle",
        "Clé",
        "Numéro de l’engagement, identifiant du canal, de la thématique "
        "(« engagement:section ») ou de la question.",
    ),
    Column(
        "libelle",
        "Libellé",
        "L’intitulé de l’engagement, du canal, de la thématique ou de la question.",
    ),
    Column(
        "engagement",
        "Engagement",
        "Pour une thématique ou une question : l’engagement qu’elle sert.",
    ),
    Column(
        "diagnostics",
        "Diagnostics pris en compte",
        "Diagnostics où la valeur est évaluée (pour le taux consolidé : tous ceux pris en compte).",
    ),
    Column(
        "moyenne",
        "Moyenne (%)",
        "Moyenne sur ces diagnostics (pour le taux consolidé : moyenne des moyennes par engagement).",
        True,
    ),
    Column("minimum", "Minimum (%)", "Plus petite valeur sur ces diagnostics.", True),
    Column("maximum", "Maximum (%)", "Plus grande valeur sur ces diagnostics.", True),
    Column(
        "mediane",
        "Médiane (%)",
        "Valeur du milieu (nombre pair : moyenne des deux valeurs du milieu).",
        True,
    ),
    Column(
        "moyenne_periode_precedente",
        "Moyenne de la période précédente (%)",
        "La moyenne sur la période de même durée juste avant.",
        True,
    ),
    Column(
        "moyenne_nationale",
        "Moyenne nationale (%)",
        "La moyenne sur toutes les structures du pays, même version et même période.",
        True,
    ),
]
CONSOLIDATED_COLUMNS = [c.name for c in CONSOLIDATED]


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

STRUCTURE_FIELDS = [
    Column("code", "Code Services Publics+", "Le code de la structure dans le référentiel."),
    Column("structure", "Structure", "Le nom de la structure."),
    Column("reseau", "Réseau ou opérateur", "Le réseau ou l’opérateur de rattachement."),
    Column("typologie", "Typologie", "Service de l’État, opérateur, collectivité, hôpital…"),
    Column("type_structure", "Type de structure", "Le type de structure, comme au référentiel."),
    Column("departement", "Département", "Le code du département."),
    Column("region", "Région", "Le nom de la région."),
    Column("version", "Version du questionnaire", "sp-plus-2026, ou sp-plus-2021 (9 engagements)."),
    Column("valide_le", "Validé le", "La date de validation du diagnostic."),
    Column(
        "diagnostic",
        "N° du diagnostic",
        "Le numéro du diagnostic (son rapport : /diagnostics/<n°>/resultats/).",
    ),
]
STRUCTURE_COLUMNS = [c.name for c in STRUCTURE_FIELDS]


def structure_column_specs(layout) -> list[Column]:
    return STRUCTURE_FIELDS + [figure_column(f) for f in layout.figures]


def structure_columns(layout) -> list[str]:
    return [c.name for c in structure_column_specs(layout)]


def figure_column(figure) -> Column:
    """The column of one figure of the layout, in both variants."""
    if figure.kind == GLOBAL:
        return Column(
            "note_globale",
            "Note globale (%)",
            "Le taux d’atteinte global : la moyenne des engagements évalués (2021–2025 : "
            "la note de l’époque).",
            True,
        )
    if figure.kind == COMMITMENT:
        return Column(
            f"engagement_{figure.key}",
            f"Engagement {figure.key} (%)",
            f"Taux d’atteinte de l’engagement {figure.key} : {figure.label}",
            True,
        )
    if figure.kind == THEME:
        number, section = figure.key.split(":")
        return Column(
            f"thematique_{number}_{section}",
            f"Engagement {number} — {figure.label} (%)",
            f"Taux d’atteinte de la thématique « {figure.label} » au sein de l’engagement "
            f"{number} ; vide si elle ne s’applique pas à la structure.",
            True,
        )
    if figure.kind == CHANNEL:
        return Column(
            f"canal_{figure.key}",
            f"Canal : {figure.label} (%)",
            f"Taux d’atteinte du canal « {figure.label} » ; vide si la structure ne l’utilise pas.",
            True,
        )
    return Column(
        f"question_{figure.key}",
        f"Question nationale : {figure.label} (%)",
        "Points obtenus sur le maximum d’une question relevant du niveau national.",
        True,
    )


def column_name(figure) -> str:
    return figure_column(figure).name


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
    queryset = lines.select_related("structure__network").order_by(
        "structure__code", "validated_at"
    )
    for done, line in enumerate(queryset.iterator(chunk_size=2000), start=1):
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


def readable_value(value, column: Column):
    """A percentage to one decimal, rounded half up as the pages round."""
    if column.percent and isinstance(value, Decimal):
        return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    return value


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


def write_csv(out: io.TextIOBase, columns: list[Column], rows, technical: bool = False) -> None:
    out.write("\ufeff")  # spreadsheets read UTF-8 only with it
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.name if technical else c.header for c in columns])
    for row in rows:
        if not technical:
            row = [readable_value(v, c) for v, c in zip(row, columns, strict=True)]
        writer.writerow([_csv_cell(value) for value in row])


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def write_xlsx(
    path_or_buffer, sheet_title: str, columns: list[Column], rows, technical: bool = False
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    if not technical:
        # Set before the first row: write-only sheets stream their XML.
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            width = 14 if column.percent else max(12, min(40, len(column.header) + 2))
            sheet.column_dimensions[_letter(index)].width = width
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.name if technical else column.header)
        cell.font = Font(bold=True)
        if not technical:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        count += 1
        if technical:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
            continue
        cells = []
        for value, column in zip(row, columns, strict=True):
            cell = _xlsx_cell(sheet, readable_value(value, column))
            if column.percent:
                cell.number_format = "0.0"
            elif hasattr(value, "strftime"):
                cell.number_format = "DD/MM/YYYY"
            cells.append(cell)
        sheet.append(cells)
    if not technical:
        sheet.auto_filter.ref = f"A1:{_letter(len(columns))}{count + 1}"
        describe_columns(workbook, columns)
    workbook.save(path_or_buffer)


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        return xlsx_text(WriteOnlyCell(sheet), value)  # never a formula
    return WriteOnlyCell(sheet, value=float(value) if isinstance(value, Decimal) else value)


def describe_columns(workbook, columns: list[Column]) -> None:
    """The « Colonnes » sheet: every column's header, meaning and technical name."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet("Colonnes")
    sheet.freeze_panes = "A2"
    for letter, width in (("A", 40), ("B", 90), ("C", 34)):
        sheet.column_dimensions[letter].width = width
    header = []
    for title in ("Colonne", "Ce qu’elle contient", "Nom technique (variante technique, API)"):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for column in columns:
        description = column.description
        if column.percent:
            description += " En pourcentage, à une décimale."
        cells = [WriteOnlyCell(sheet, value=v) for v in (column.header, description, column.name)]
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append(cells)


def build(
    kind: str,
    file_format: str,
    user,
    filters: Filters,
    every: bool,
    target,
    progress=None,
    technical: bool = False,
):
    """Write an export to `target` (a path or a binary buffer)."""
    if kind == "consolidated":
        columns, rows, title = (
            CONSOLIDATED,
            consolidated_rows(user, filters),
            "Vision consolidée",
        )
    else:
        layout = layout_of(filters.version.questionnaire())
        columns = structure_column_specs(layout)
        rows = structure_rows(structure_lines(user, filters, every), progress)
        title = "Résultats par structure"
    if file_format == "csv":
        if isinstance(target, str | Path):
            with open(target, "w", encoding="utf-8", newline="") as out:
                write_csv(out, columns, rows, technical)
        else:
            text = io.TextIOWrapper(target, encoding="utf-8", newline="")
            write_csv(text, columns, rows, technical)
            text.flush()
            text.detach()
    else:
        write_xlsx(target, title, columns, rows, technical)


def filename(kind: str, file_format: str, filters: Filters, technical: bool = False) -> str:
    what = "vision-consolidee" if kind == "consolidated" else "resultats-structures"
    if technical:
        what += "-technique"
    return f"autodiag-{what}-{filters.version.pk}-{filters.start.isoformat()}-{filters.end.isoformat()}.{file_format}"
