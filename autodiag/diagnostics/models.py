"""Diagnostics: a structure's answers to one questionnaire version, from the
draft the team fills in together to the validated diagnostic whose answers
are locked and whose report is frozen at validation.

State changes are explicit methods (`Diagnostic.objects.start`,
`diagnostic.save_answer`, `diagnostic.validate`); who may call them is
decided by `autodiag.permissions`, the one permission layer.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from django.conf import settings
from django.db import DatabaseError, connections, models, transaction
from django.utils import timezone
from django.utils.formats import date_format

from autodiag.diagnostics import cells as answer_cells
from autodiag.diagnostics.enums import ScoreKind, Status
from autodiag.diagnostics.progress import to_confirm_ids
from autodiag.diagnostics.signals import result_frozen
from autodiag.french import count
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.questionnaires.schema import (
    NOT_APPLICABLE,
    Questionnaire,
    QuestionType,
    conditions_hold,
)
from autodiag.scoring.answers import (
    AnswerValueError,
    hidden_because,
    item_displayed,
    normalize_answer,
    profile_of,
    storable,
    used_channels,
)
from autodiag.scoring.engine import score
from autodiag.scoring.report import Report
from autodiag.structures.models import Membership, Structure


class DiagnosticError(Exception):
    """A state change the rules refuse; the message is for the user."""


LOCKED_MESSAGE = "Ce diagnostic est validé : ses réponses ne peuvent plus être modifiées."
LIST_TYPES = (QuestionType.YES_NO, QuestionType.CHANNEL_ROWS)


class LockedError(DiagnosticError):
    def __init__(self):
        super().__init__(LOCKED_MESSAGE)


@contextlib.contextmanager
def refusing_locked():
    """The database's own refusal (the lock triggers of migration 0002) is
    the same LockedError as the model's: a 409 for the pages, never a 500."""
    try:
        yield
    except DatabaseError as exc:
        if "validé" in str(exc):
            raise LockedError() from exc
        raise


def lock_for_answers(diagnostic_id: int, using: str = "default", exclusive: bool = False) -> str:
    """Serialise answer writes with validation on the diagnostic's row, and
    return its status read under that lock. PostgreSQL: FOR SHARE for a
    write to the answers (writers do not wait for each other), FOR UPDATE
    for validation (it waits for every write under way, and writes wait for
    it). SQLite: every transaction starts with BEGIN IMMEDIATE (settings),
    so the caller's transaction already holds the database's write lock.
    Call inside a transaction."""
    connection = connections[using]
    table = connection.ops.quote_name(Diagnostic._meta.db_table)
    lock = ""
    if connection.vendor == "postgresql":
        lock = " FOR UPDATE" if exclusive else " FOR SHARE"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s{lock}", [diagnostic_id])
        row = cursor.fetchone()
    if row is None:
        raise DiagnosticError("Diagnostic introuvable.")
    return row[0]


@dataclass
class SaveOutcome:
    """What a save did: the stored answer after it (value, cells), and the
    cells it did not apply because a teammate changed them meanwhile."""

    question_id: str
    value: object
    cells: dict
    updated_at: datetime.datetime
    conflicts: list[str] = field(default_factory=list)

    def revisions(self) -> dict[str, int]:
        return answer_cells.revisions(self.cells)


class TooEarlyError(DiagnosticError):
    def __init__(self, next_date: datetime.date):
        self.next_date = next_date
        super().__init__(
            "Un diagnostic a été validé il y a moins de "
            f"{settings.DIAGNOSTIC_MIN_MONTHS} mois : le prochain pourra commencer "
            f"le {next_date.strftime('%d/%m/%Y')}."
        )


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    # The 31 August + 6 months is the last day of February, not 3 March.
    last_day = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


class DiagnosticQuerySet(models.QuerySet):
    def drafts(self):
        return self.filter(status=Status.DRAFT)

    def validated(self):
        return self.filter(status=Status.VALIDATED)

    def for_member(self, user):
        return self.filter(structure__in=Structure.objects.for_member(user))

    def validated_between(self, start: datetime.date | None, end: datetime.date | None):
        queryset = self.validated()
        if start:
            queryset = queryset.filter(validated_at__date__gte=start)
        if end:
            queryset = queryset.filter(validated_at__date__lte=end)
        return queryset


class DiagnosticManager(models.Manager.from_queryset(DiagnosticQuerySet)):
    def for_answering(self, pk: int, user) -> tuple[Diagnostic, str | None] | None:
        """(the diagnostic, the user's role in its structure or None), or None
        for an unknown diagnostic: what the autosave needs, in one indexed
        query written out rather than built by the ORM, because it runs at
        every answer and building the equivalent ORM query cost more than
        running it. The instance holds only its id, structure, version and
        status (other fields load on access); its version's large document
        is not read (the built questionnaire is kept per process)."""
        connection = connections[self.db]
        quote = connection.ops.quote_name
        diagnostic, version = self.model._meta, QuestionnaireVersion._meta
        sql = (
            f"SELECT d.id, d.structure_id, d.questionnaire_id, d.status, q.content_hash, m.role "
            f"FROM {quote(diagnostic.db_table)} d "
            f"JOIN {quote(version.db_table)} q ON q.id = d.questionnaire_id "
            f"LEFT JOIN {quote(Membership._meta.db_table)} m "
            f"ON m.structure_id = d.structure_id AND m.user_id = %s "
            f"WHERE d.id = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk, pk])
            row = cursor.fetchone()
        if row is None:
            return None
        *fields, content_hash, role = row
        found = self.model.from_db(
            self.db, ["id", "structure_id", "questionnaire_id", "status"], fields
        )
        found.questionnaire = QuestionnaireVersion.from_db(
            self.db, ["id", "content_hash"], [found.questionnaire_id, content_hash]
        )
        return found, role

    def next_start_date(self, structure: Structure) -> datetime.datetime | None:
        """When the structure may start its next diagnostic (None: now)."""
        last = self.filter(structure=structure).validated().order_by("-validated_at").first()
        if last is None:
            return None
        allowed = add_months(last.validated_at, settings.DIAGNOSTIC_MIN_MONTHS)
        return allowed if allowed > timezone.now() else None

    @transaction.atomic
    def start(
        self, structure: Structure, by, questionnaire: QuestionnaireVersion, prefill: bool = False
    ):
        """A new draft; with `prefill`, every answer of the last validated
        diagnostic on the same version is copied, each to be confirmed."""
        Structure.objects.select_for_update().get(pk=structure.pk)  # one start at a time
        if self.filter(structure=structure).drafts().exists():
            raise DiagnosticError(
                "Un diagnostic est déjà en cours pour cette structure : reprenez-le."
            )
        next_date = self.next_start_date(structure)
        if next_date is not None:
            raise TooEarlyError(timezone.localtime(next_date).date())
        source = None
        if prefill:
            source = self.filter(structure=structure).validated().order_by("-validated_at").first()
            if source is None:
                raise DiagnosticError("Aucun diagnostic validé ne peut servir de point de départ.")
        diagnostic = self.create(
            structure=structure, questionnaire=questionnaire, created_by=by, prefilled_from=source
        )
        diagnostic.record_identity(by)
        if source is not None:
            diagnostic.copy_answers_from(source, by)
        return diagnostic


class Diagnostic(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="diagnostics")
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, verbose_name="version"
    )
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("commencé le", auto_now_add=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    prefilled_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="prérempli depuis",
    )

    objects = DiagnosticManager()

    class Meta:
        verbose_name = "diagnostic"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure"],
                condition=models.Q(status="draft"),
                name="one_draft_per_structure",
                violation_error_message=(
                    "Cette structure a déjà un diagnostic en cours : un seul à la fois."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft", validated_at__isnull=True)
                | models.Q(status="validated", validated_at__isnull=False),
                name="validated_has_a_date",
                violation_error_message=(
                    "Un diagnostic validé a une date de validation ; un diagnostic en cours n’en a pas."
                ),
            ),
        ]
        indexes = [models.Index(fields=["structure", "status", "validated_at"])]

    def __str__(self):
        return f"Diagnostic {self.pk} de {self.structure.name} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @cached_property
    def version(self) -> Questionnaire:
        return self.questionnaire.questionnaire()

    # -- answers --------------------------------------------------------------

    def stored_answers(self, include_cleared: bool = False) -> dict[str, Answer]:
        """The answers by question. A cleared answer stays as a row holding
        JSON null (so that its revisions survive); it is no answer, and is
        left out unless `include_cleared` (the filling pages need its
        revisions)."""
        answers = self.answers.select_related("updated_by", "confirmed_by", "carried_from")
        if not include_cleared:
            answers = answers.exclude(value=None)
        return {answer.question_id: answer for answer in answers}

    def profile_answers(self) -> dict[str, Answer]:
        """Only the answers display conditions read (the autosave's need)."""
        profile_ids = [q.id for q in self.version.questions() if q.is_profile]
        return {
            answer.question_id: answer
            for answer in self.answers.filter(question_id__in=profile_ids).exclude(value=None)
        }

    def normalized_answers(self, stored: dict | None = None) -> dict:
        """The answers as the engine reads them. A stored value that no
        longer fits (it cannot happen through the app) is left out."""
        stored = self.stored_answers() if stored is None else stored
        values = {}
        for question_id, answer in stored.items():
            question = self.version.question(question_id)
            if question is None:
                continue
            try:
                values[question_id] = normalize_answer(question, answer.value)
            except AnswerValueError:
                continue
        return values

    def report(self, stored: dict | None = None) -> Report:
        """The live report of the current answers (drafts and validated)."""
        return score(self.version, self.normalized_answers(stored))

    def to_confirm(self, stored: dict | None = None, report: Report | None = None) -> list[str]:
        """Carried-over answers still to confirm, among the displayed
        questions (progress.to_confirm_ids, the one count)."""
        stored = self.stored_answers() if stored is None else stored
        report = self.report(stored) if report is None else report
        return to_confirm_ids(report, stored)

    def identity(self) -> dict[str, str]:
        """The structure's identity, from the referential, by field name."""
        structure = self.structure
        return {
            "code": structure.code,
            "reseau": structure.network.name,
            "departement": structure.department_code,
            "nom": structure.name,
        }

    def record_identity(self, by) -> None:
        """Answer the identity questions from the referential: the team does
        not type what the platform already knows."""
        identity = self.identity()
        now = timezone.now()
        Answer.objects.bulk_create(
            Answer(
                diagnostic=self,
                question_id=question.id,
                value=identity[question.structure_field],
                updated_by=by,
                updated_at=now,
            )
            for question in self.version.questions()
            if question.structure_field in identity
        )

    def save_answer(self, question_id: str, raw_value, by) -> SaveOutcome:
        """Store a whole answer as a script does (demo, imports, tests):
        every cell of the question set to `raw_value`'s, last write wins.
        The pages save cells with the revisions they saw (`save_cells`)."""
        question = self._answerable(question_id)
        if question.type in LIST_TYPES and isinstance(raw_value, dict):
            changes = {answer_cells.WHOLE: None}
            changes.update({item.id: raw_value.get(item.id) for item in question.items})
        elif question.type in LIST_TYPES and raw_value in (None, "", {}):
            changes = {answer_cells.WHOLE: None}
            changes.update({item.id: None for item in question.items})
        else:
            changes = {answer_cells.WHOLE: raw_value}
        return self.save_cells(question_id, changes, None, by)

    def _answerable(self, question_id: str):
        if not self.is_draft:
            raise LockedError()
        question = self.version.question(question_id)
        if question is None:
            raise AnswerValueError(f"question inconnue « {question_id} »")
        if question.structure_field:
            raise AnswerValueError(
                "ce champ vient du référentiel des structures et ne se modifie pas ici"
            )
        return question

    def save_cells(self, question_id: str, changes: dict, base: dict | None, by) -> SaveOutcome:
        """Check the changed cells of one question (`cells` module) and merge
        them into the stored answer atomically, serialised with validation.
        `base`: the revisions the author last saw (None: last write wins).
        Raises AnswerValueError for a value the question refuses and
        LockedError on a validated diagnostic."""
        question = self._answerable(question_id)
        if not isinstance(changes, dict) or not changes:
            raise AnswerValueError("aucune réponse à enregistrer")
        if base is not None and not (
            isinstance(base, dict)
            and all(isinstance(r, int) and not isinstance(r, bool) for r in base.values())
        ):
            raise AnswerValueError("révisions illisibles")
        changes = self._checked_cells(question, changes)
        at = timezone.now()
        with refusing_locked():
            return Answer.objects.merge(self, question_id, changes, base, by, at)

    def _checked_cells(self, question, changes: dict) -> dict:
        """The changes as storable values, or AnswerValueError."""
        whole = answer_cells.WHOLE
        is_list = question.type in LIST_TYPES
        unknown = [c for c in changes if c != whole and not is_list]
        if unknown:
            raise AnswerValueError("cette question n’a pas de lignes")
        checked = {}
        for cell, raw in changes.items():
            if raw is None or raw == "" or raw == {} or raw == []:
                checked[cell] = None
            elif cell == whole and is_list:
                if isinstance(raw, dict):
                    raise AnswerValueError("une réponse par ligne est attendue")
                checked[cell] = storable(normalize_answer(question, raw))
                if checked[cell] != NOT_APPLICABLE:
                    raise AnswerValueError("seul « na » s’applique à la liste entière")
            elif cell == whole:
                checked[cell] = storable(normalize_answer(question, raw))
            else:
                checked[cell] = storable(normalize_answer(question, {cell: raw})).get(cell)
        if question.type is QuestionType.TEXT and checked.get(whole) == "":
            checked[whole] = None
        depends_on_profile = question.conditions or any(
            i.conditions or i.channel for i in question.items
        )
        if depends_on_profile and not question.is_profile:
            profile = profile_of(self.version, self.normalized_answers(self.profile_answers()))
            if not conditions_hold(question.conditions, profile):
                raise AnswerValueError(
                    f"cette question ne s’applique pas à votre structure ({hidden_because(question, profile)})"
                )
            if is_list:
                channels = used_channels(self.version, profile)
                shown = {
                    item.id for item in question.items if item_displayed(item, profile, channels)
                }
                # Rows the profile hides are not the person's answer: dropped.
                checked = {c: v for c, v in checked.items() if c == whole or c in shown}
        return checked

    def confirm_answer(self, question_id: str, by) -> int:
        """Confirm one answer carried over from the last diagnostic."""
        return self.confirm_answers([question_id], by)

    def confirm_section(self, section_id: str, by) -> int:
        """Confirm, in one action, every carried-over answer of a section
        that is displayed and still to confirm; how many were."""
        section = self.version.section(section_id)
        if section is None:
            raise DiagnosticError("Section introuvable.")
        pending = set(self.to_confirm())
        return self.confirm_answers([q.id for q in section.questions if q.id in pending], by)

    @transaction.atomic
    def confirm_answers(self, question_ids: list[str], by) -> int:
        if lock_for_answers(self.pk, self._state.db or "default") != Status.DRAFT:
            raise LockedError()
        now = timezone.now()
        with refusing_locked():
            return self.answers.filter(question_id__in=question_ids, to_confirm=True).update(
                to_confirm=False, confirmed_by=by, confirmed_at=now, changed_at=now
            )

    def copy_answers_from(self, source: Diagnostic, by) -> None:
        """Carry over last time's answers, each marked "à confirmer", with
        where they come from (not who clicked « Commencer »). Answers to
        questions the new version lacks are not carried."""
        now = timezone.now()
        Answer.objects.bulk_create(
            Answer(
                diagnostic=self,
                question_id=answer.question_id,
                value=answer.value,
                to_confirm=True,
                carried_from=source,
                updated_by=None,
                updated_at=now,
                changed_at=now,
            )
            for answer in source.answers.all()
            if (question := self.version.question(answer.question_id)) is not None
            and not question.structure_field  # already recorded from today's referential
            and answer.value is not None
        )

    # -- validation -----------------------------------------------------------

    def validation_problems(self, stored: dict | None = None) -> tuple[list[str], list[str]]:
        """(missing question ids, pre-filled ids still to confirm)."""
        stored = self.stored_answers() if stored is None else stored
        report = self.report(stored)
        return list(report.missing), self.to_confirm(stored, report)

    @transaction.atomic
    def validate(self, by, at: datetime.datetime | None = None) -> Result:
        """Lock the answers and freeze the report. The caller checked that
        `by` may validate (permissions.can_validate). `at`: when the team
        validated, for a validation recorded after the meeting (the
        demonstration's past diagnostics); the moment cannot change later
        (the database refuses it)."""
        # Every answer write takes the same row lock first (lock_for_answers):
        # a save lands before this snapshot, or waits and is refused after.
        locked = Diagnostic.objects.select_for_update().get(pk=self.pk)
        if not locked.is_draft:
            raise LockedError()
        stored = locked.stored_answers()
        missing, to_confirm = locked.validation_problems(stored)
        if missing or to_confirm:
            problems = []
            if missing:
                problems.append(f"{count(len(missing), 'question')} sans réponse")
            if to_confirm:
                reprises = count(len(to_confirm), "réponse reprise", "réponses reprises")
                problems.append(f"{reprises} à confirmer")
            raise DiagnosticError(f"Le diagnostic ne peut pas être validé : {', '.join(problems)}.")
        locked.status = Status.VALIDATED
        locked.validated_by = by
        locked.validated_at = at or timezone.now()
        locked.save(update_fields=["status", "validated_by", "validated_at"])
        self.status, self.validated_by, self.validated_at = locked.status, by, locked.validated_at
        return Result.objects.freeze(locked, locked.report(stored))


# One statement on PostgreSQL: lock the draft's row (FOR SHARE, so that
# validation waits for it and it waits for validation; a validated
# diagnostic yields no row, so nothing is written), then insert the answer
# or merge the changed cells into the stored one under its row lock.
POSTGRES_MERGE = """
WITH d AS (
    SELECT id FROM diagnostics_diagnostic WHERE id = %(d)s AND status = 'draft' FOR SHARE
)
INSERT INTO diagnostics_answer AS a (diagnostic_id, question_id, value, cells, to_confirm,
    updated_by_id, updated_at, changed_at, carried_from_id, confirmed_by_id, confirmed_at)
SELECT d.id, %(q)s, m.value, m.cells, false, %(by)s, %(at)s, %(at)s, NULL, NULL, NULL
FROM d, diagnostics_merge_cells(NULL, '{}'::jsonb, %(changes)s::jsonb, %(base)s::jsonb,
    %(by)s::bigint, %(at_text)s::text) m
ON CONFLICT (diagnostic_id, question_id) DO UPDATE SET
    (value, cells, to_confirm, updated_by_id, updated_at, changed_at, carried_from_id) = (
        SELECT m.value, m.cells, a.to_confirm AND m.applied = 0,
            CASE WHEN m.applied > 0 THEN excluded.updated_by_id ELSE a.updated_by_id END,
            CASE WHEN m.applied > 0 THEN excluded.updated_at ELSE a.updated_at END,
            CASE WHEN m.applied > 0 THEN excluded.changed_at ELSE a.changed_at END,
            CASE WHEN m.applied > 0 THEN NULL ELSE a.carried_from_id END
        FROM diagnostics_merge_cells(a.value, a.cells, %(changes)s::jsonb, %(base)s::jsonb,
            %(by)s::bigint, %(at_text)s::text) m)
RETURNING a.value, a.cells, a.updated_at
"""


class AnswerManager(models.Manager):
    def merge(self, diagnostic, question_id: str, changes: dict, base, by, at) -> SaveOutcome:
        """Merge changed cells into the stored answer, atomically and after
        the diagnostic's lock (`lock_for_answers`): PostgreSQL in one
        statement in autocommit, the cheapest write (STACK-NOTES); SQLite
        under its write lock. LockedError if the diagnostic is validated."""
        connection = connections[self.db]
        if connection.vendor == "postgresql":
            stored = self._merge_postgres(
                connection, diagnostic, question_id, changes, base, by, at
            )
        else:
            stored = self._merge_locked(diagnostic, question_id, changes, base, by, at)
        if stored is None:
            raise LockedError()
        value, cells, updated_at = stored
        return SaveOutcome(
            question_id=question_id,
            value=value,
            cells=cells,
            updated_at=updated_at,
            conflicts=answer_cells.conflicts(value, changes),
        )

    def _merge_postgres(self, connection, diagnostic, question_id, changes, base, by, at):
        with connection.cursor() as cursor:
            cursor.execute(
                POSTGRES_MERGE,
                {
                    "d": diagnostic.pk,
                    "q": question_id,
                    "changes": json.dumps(changes),
                    "base": None if base is None else json.dumps(base),
                    "by": by.pk if by else None,
                    "at": at,
                    "at_text": at.isoformat(),
                },
            )
            row = cursor.fetchone()
        if row is None:
            return None
        value, cells, updated_at = row
        if isinstance(value, str):  # psycopg without its JSON loaders
            value, cells = json.loads(value), json.loads(cells)
        return value, cells, updated_at

    def _merge_locked(self, diagnostic, question_id, changes, base, by, at):
        with transaction.atomic(using=self.db):  # BEGIN IMMEDIATE: the write lock
            if lock_for_answers(diagnostic.pk, self.db) != Status.DRAFT:
                return None
            answer = (
                self.filter(diagnostic_id=diagnostic.pk, question_id=question_id)
                .only("id", "value", "cells", "to_confirm", "updated_at", "carried_from_id")
                .first()
            )
            old_value = answer.value if answer else None
            old_cells = answer.cells if answer else {}
            value, cells, applied = answer_cells.merge(
                old_value, old_cells, changes, base, by.pk if by else None, at.isoformat()
            )
            if answer is None:
                answer = Answer(
                    diagnostic_id=diagnostic.pk,
                    question_id=question_id,
                    updated_by=by,
                    updated_at=at,
                    changed_at=at,
                )
                answer.value, answer.cells = value, cells
                self._write(answer, insert=True)
            elif applied:
                update = {
                    "value": value,
                    "cells": cells,
                    "to_confirm": False,
                    "updated_by": by,
                    "updated_at": at,
                    "changed_at": at,
                    "carried_from": None,
                }
                update["value"] = _json_or(value)
                self.filter(pk=answer.pk).update(**update)
                answer.updated_at = at
            return value, cells, answer.updated_at

    def _write(self, answer, insert: bool):
        answer.value = _json_or(answer.value)
        answer.save(force_insert=insert, using=self.db)


def _json_or(value):
    """A cleared answer is stored as JSON null, not SQL NULL."""
    return models.Value(None, models.JSONField()) if value is None else value


class Answer(models.Model):
    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField("question", max_length=100)
    value = models.JSONField("réponse")
    to_confirm = models.BooleanField("à confirmer", default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="modifiée par",
    )
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)
    # Per cell (cells module): revision, who, when.
    cells = models.JSONField("cellules", default=dict, blank=True)
    # Any change a teammate's open page must show (a save, a confirmation):
    # the live refresh reads the answers changed since its cursor.
    changed_at = models.DateTimeField("changée le", default=timezone.now)
    carried_from = models.ForeignKey(
        Diagnostic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="reprise du diagnostic",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="confirmée par",
    )
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)

    objects = AnswerManager()

    class Meta:
        verbose_name = "réponse"
        constraints = [
            models.UniqueConstraint(
                fields=["diagnostic", "question_id"], name="one_answer_per_question"
            )
        ]

    def __str__(self):
        return f"{self.question_id} = {self.value}"

    def save(self, *args, **kwargs):
        self._refuse_if_locked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_locked()
        return super().delete(*args, **kwargs)

    def provenance(self) -> str:
        """Where the answer comes from, in words, for the pages and PDFs."""
        if self.carried_from_id:
            source = self.carried_from
            origin = "Reprise du diagnostic validé"
            if source is not None and source.validated_at:
                origin += f" le {_long_date(source.validated_at)}"
            if self.to_confirm:
                return f"{origin} — à confirmer"
            if self.confirmed_by_id:
                return f"{origin}, confirmée par {_name(self.confirmed_by)} {_moment(self.confirmed_at)}"
            return origin
        if self.updated_by_id is None:
            return ""
        return f"Modifiée par {_name(self.updated_by)} {_moment(self.updated_at)}"

    def _refuse_if_locked(self):
        status = (
            Diagnostic.objects.filter(pk=self.diagnostic_id)
            .values_list("status", flat=True)
            .first()
        )
        if status == Status.VALIDATED:
            raise LockedError()


def _name(user) -> str:
    return user.display_name if user is not None else "un membre"


def _long_date(moment) -> str:
    """« 12 mars 2025 », « 1er mars 2025 » (reports.context.long_date's
    format; diagnostics does not import reports)."""
    local = timezone.localtime(moment).date()
    day = "1er" if local.day == 1 else str(local.day)
    return f"{day}\u00a0{date_format(local, 'F')}\u00a0{local.year}"


def _moment(moment) -> str:
    local = timezone.localtime(moment)
    return f"le {date_format(local, 'j F')} à {local.strftime('%H:%M')}"


class PresenceQuerySet(models.QuerySet):
    def recent(self):
        return self.filter(seen_at__gte=timezone.now() - PRESENCE_WINDOW)


PRESENCE_WINDOW = datetime.timedelta(seconds=30)


class Presence(models.Model):
    """Who has which section of a draft open: each open page beats (at
    load and at every live refresh); a beat older than PRESENCE_WINDOW no
    longer counts."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    section_id = models.CharField(max_length=100)
    seen_at = models.DateTimeField()

    objects = PresenceQuerySet.as_manager()

    class Meta:
        verbose_name = "présence"
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "user"], name="one_presence_per_member")
        ]

    def __str__(self):
        return f"{self.user_id} sur {self.section_id}"

    @classmethod
    def beat(cls, diagnostic, user, section_id: str) -> list[str]:
        """Record that `user` has `section_id` open; the names of the others
        who have it open now."""
        cls.objects.update_or_create(
            diagnostic=diagnostic,
            user=user,
            defaults={"section_id": section_id, "seen_at": timezone.now()},
        )
        others = (
            cls.objects.recent()
            .filter(diagnostic=diagnostic, section_id=section_id)
            .exclude(user=user)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        return [presence.user.display_name for presence in others]


def _decimal(value: Fraction | None) -> Decimal | None:
    """A percentage for the database: 4 decimals are plenty for ordering and
    aggregating; the exact report stays in Result.report."""
    if value is None:
        return None
    return Decimal(value.numerator * 100) / Decimal(value.denominator)


class ResultManager(models.Manager):
    def freeze(self, diagnostic: Diagnostic, report: Report) -> Result:
        result = self.create(
            diagnostic=diagnostic,
            questionnaire_hash=diagnostic.questionnaire.content_hash,
            global_score=_quantize(_decimal(report.global_ratio)),
            report=report.to_json(),
        )
        rows = [
            Score(diagnostic=diagnostic, kind=ScoreKind.GLOBAL, key="", score=result.global_score)
        ]
        for commitment in report.commitments:
            rows.append(
                Score(
                    diagnostic=diagnostic,
                    kind=ScoreKind.COMMITMENT,
                    key=str(commitment.number),
                    score=_quantize(_decimal(commitment.ratio)),
                )
            )
            rows += [
                Score(
                    diagnostic=diagnostic,
                    kind=ScoreKind.THEME,
                    key=f"{commitment.number}:{theme.section_id}",
                    score=_quantize(_decimal(theme.ratio)),
                )
                for theme in commitment.themes
            ]
        rows += [
            Score(
                diagnostic=diagnostic,
                kind=ScoreKind.CHANNEL,
                key=channel.channel_id,
                score=_quantize(_decimal(channel.ratio)),
            )
            for channel in report.channels
        ]
        Score.objects.bulk_create(rows)
        result_frozen.send(sender=Result, result=result, scores=rows)
        return result


def _quantize(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.0001"))


class Result(models.Model):
    """The report of a validated diagnostic, frozen at validation with the
    version it was computed against, so that it reads the same forever."""

    diagnostic = models.OneToOneField(Diagnostic, on_delete=models.PROTECT, related_name="result")
    questionnaire_hash = models.CharField(max_length=64)
    global_score = models.DecimalField(
        "note globale (%)", max_digits=7, decimal_places=4, null=True
    )
    report = models.JSONField("rapport")
    computed_at = models.DateTimeField(auto_now_add=True)

    objects = ResultManager()

    class Meta:
        verbose_name = "résultat"

    def __str__(self):
        return f"Résultat du diagnostic {self.diagnostic_id}"


class Score(models.Model):
    """One figure of a frozen report, as a row, so that consolidating many
    diagnostics is a query (issue: consolidated view)."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="scores")
    kind = models.CharField(max_length=12, choices=ScoreKind.choices)
    key = models.CharField(max_length=120)  # commitment number, "n:section", channel id
    score = models.DecimalField(max_digits=7, decimal_places=4, null=True)  # None: non évalué

    class Meta:
        verbose_name = "score"
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "kind", "key"], name="one_score_per_key")
        ]
        indexes = [models.Index(fields=["kind", "key", "score"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key} : {self.score}"
