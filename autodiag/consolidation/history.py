"""Importing earlier results: the historical results of the 9-commitment
version (2021–2025) from a CSV file (docs/exports.md, "Import des résultats
antérieurs"), kept as their own results-only questionnaire version
(`sp-plus-2021`).

One line per validated diagnostic: the structure's code, the validation
date, the global score and the score of each commitment (empty: not
evaluated). Two steps, as for the referential of structures: `read_results`
checks every line and lists every fault (nothing is written), and
`apply_results` writes all the lines in one transaction, or none. Each
line becomes a validated diagnostic with its frozen result (a report in the
usual format, without themes or channels), its Score rows and its line of
figures, so that history pages, exports and the API read it like any
other.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from autodiag.consolidation.models import ResultLine
from autodiag.diagnostics.enums import ScoreKind, Status
from autodiag.diagnostics.models import Diagnostic, Result, Score
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.scoring.formatting import format_percent
from autodiag.structures.models import Structure

EARLIER_VERSION = "sp-plus-2021"
FOUR = Decimal("0.0001")


@dataclass
class Fault:
    line: int
    column: str
    message: str

    def __str__(self):
        where = f", colonne « {self.column} »" if self.column else ""
        return f"ligne {self.line}{where} : {self.message}"


@dataclass
class Row:
    line: int
    structure: Structure
    validated_on: datetime.date
    global_score: Decimal
    commitments: dict[int, Decimal | None]


@dataclass
class Preview:
    rows: list[Row] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.faults and bool(self.rows)


def _percent(text: str) -> Decimal | None:
    text = text.strip().replace("\u00a0", "").replace(" ", "").rstrip("%").replace(",", ".")
    if not text:
        return None
    value = Decimal(text)
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError
    return value.quantize(FOUR)


def _date(text: str) -> datetime.date:
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError


def read_results(content: bytes, structures_allowed) -> Preview:
    """Check every line of a CSV file (`;` or `,`, UTF-8). `structures_allowed`:
    the structures the importer may write for (their scope)."""
    preview = Preview()
    version = QuestionnaireVersion.objects.filter(pk=EARLIER_VERSION).first()
    if version is None:
        preview.faults.append(
            Fault(
                0,
                "",
                f"la version « {EARLIER_VERSION} » n’est pas chargée (autodiag questionnaire load)",
            )
        )
        return preview
    numbers = [c.number for c in version.questionnaire().commitments]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        preview.faults.append(
            Fault(1, "", "le fichier n’est pas en UTF-8 : enregistrez-le en « CSV UTF-8 »")
        )
        return preview
    dialect = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect)
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    reader.fieldnames = headers
    expected = ["code", "date_validation", "note_globale", *[f"engagement_{n}" for n in numbers]]
    missing = [name for name in expected if name not in headers]
    if missing:
        preview.faults.append(
            Fault(
                1,
                "",
                f"colonnes manquantes : {', '.join(missing)} (attendues : {', '.join(expected)})",
            )
        )
        return preview
    limit = settings.IMPORT_MAX_ROWS
    try:
        records = list(itertools.islice(reader, limit + 1))
    except csv.Error as error:  # a cell past csv's field limit…
        preview.faults.append(Fault(reader.line_num, "", f"ligne illisible ({error})"))
        return preview
    if len(records) > limit:
        preview.faults.append(
            Fault(
                0,
                "",
                f"le fichier dépasse {limit} lignes : scindez-le ou utilisez « autodiag import-results »",
            )
        )
        return preview
    codes = {r.get("code", "").strip() for r in records}
    known = {s.code: s for s in structures_allowed.filter(code__in=codes)}
    seen: set[tuple[str, datetime.date]] = set()
    today = timezone.localdate()
    for index, record in enumerate(records, start=2):
        code = (record.get("code") or "").strip()
        faults_before = len(preview.faults)
        structure = known.get(code)
        if not code:
            preview.faults.append(Fault(index, "code", "code de structure manquant"))
        elif structure is None:
            preview.faults.append(
                Fault(index, "code", f"structure « {code} » inconnue ou hors de votre périmètre")
            )
        try:
            validated_on = _date(record.get("date_validation") or "")
            if validated_on > today:
                preview.faults.append(Fault(index, "date_validation", "date dans le futur"))
        except ValueError:
            validated_on = None
            preview.faults.append(
                Fault(
                    index,
                    "date_validation",
                    f"date invalide « {record.get('date_validation')} » (JJ/MM/AAAA)",
                )
            )
        scores = {}
        for name in ["note_globale", *[f"engagement_{n}" for n in numbers]]:
            try:
                scores[name] = _percent(record.get(name) or "")
            except (ValueError, InvalidOperation):
                preview.faults.append(
                    Fault(
                        index,
                        name,
                        f"pourcentage entre 0 et 100 attendu (reçu « {record.get(name)} »)",
                    )
                )
        if scores.get("note_globale") is None and "note_globale" in scores:
            preview.faults.append(Fault(index, "note_globale", "la note globale est obligatoire"))
        if structure and validated_on:
            key = (code, validated_on)
            if key in seen:
                preview.faults.append(
                    Fault(index, "date_validation", "ligne en double (même structure, même date)")
                )
            seen.add(key)
        if len(preview.faults) == faults_before:
            preview.rows.append(
                Row(
                    index,
                    structure,
                    validated_on,
                    scores["note_globale"],
                    {n: scores[f"engagement_{n}"] for n in numbers},
                )
            )
    existing = set(
        Diagnostic.objects.filter(
            questionnaire_id=EARLIER_VERSION, structure__in=[r.structure for r in preview.rows]
        ).values_list("structure__code", "validated_at__date")
    )
    for row in preview.rows:
        if (row.structure.code, row.validated_on) in existing:
            preview.faults.append(
                Fault(
                    row.line,
                    "date_validation",
                    "un résultat de cette structure à cette date est déjà importé",
                )
            )
    if not records:
        preview.faults.append(Fault(2, "", "le fichier ne contient aucune ligne de résultats"))
    return preview


def _report(version, row: Row) -> dict:
    questionnaire = version.questionnaire()
    return {
        "format": 1,
        "questionnaire": {
            "id": version.pk,
            "title": version.title,
            "content_hash": version.content_hash,
        },
        "complete": True,
        "missing": [],
        "global": {
            "score": float(row.global_score),
            "display": format_percent(_fraction(row.global_score)),
            "commitments_not_evaluated": [n for n, v in row.commitments.items() if v is None],
        },
        "commitments": [
            {
                "number": c.number,
                "title": c.title,
                "score": None
                if row.commitments[c.number] is None
                else float(row.commitments[c.number]),
                "display": format_percent(_fraction(row.commitments[c.number])),
                "points": None,
                "max_points": None,
                "themes": [],
            }
            for c in questionnaire.commitments
        ],
        "channels": [],
        "questions": [],
        "texts": {},
    }


def _fraction(value: Decimal | None):
    from fractions import Fraction

    return None if value is None else Fraction(value) / 100


@transaction.atomic
def apply_results(preview: Preview, by) -> int:
    """Write every line (validated diagnostic, frozen result, Score rows,
    line of figures) or, on any fault, nothing."""
    if not preview.is_valid:
        raise ValueError("le fichier contient des erreurs : rien n’est importé")
    version = QuestionnaireVersion.objects.get(pk=EARLIER_VERSION)
    zone = timezone.get_current_timezone()
    for row in preview.rows:
        moment = datetime.datetime.combine(row.validated_on, datetime.time(12), tzinfo=zone)
        diagnostic = Diagnostic.objects.create(
            structure=row.structure,
            questionnaire=version,
            status=Status.VALIDATED,
            created_by=by,
            validated_by=by,
            validated_at=moment,
        )
        Diagnostic.objects.filter(pk=diagnostic.pk).update(created_at=moment)
        report = _report(version, row)
        Result.objects.create(
            diagnostic=diagnostic,
            questionnaire_hash=version.content_hash,
            global_score=row.global_score,
            report=report,
        )
        scores = [
            Score(diagnostic=diagnostic, kind=ScoreKind.GLOBAL, key="", score=row.global_score)
        ]
        scores += [
            Score(diagnostic=diagnostic, kind=ScoreKind.COMMITMENT, key=str(n), score=value)
            for n, value in row.commitments.items()
        ]
        Score.objects.bulk_create(scores)
        ResultLine.objects.record_result(diagnostic, scores, report)
    return len(preview.rows)
