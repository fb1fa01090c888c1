"""Diagnostics: a structure's answers to one questionnaire version, from the
draft the team fills in together to the validated diagnostic whose answers
are locked and whose report is frozen at validation.

State changes are explicit methods (`Diagnostic.objects.start`,
`diagnostic.save_answer`, `diagnostic.validate`); who may call them is
decided by `autodiag.permissions`, the one permission layer.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from django.conf import settings
from django.db import connections, models, transaction
from django.utils import timezone

from autodiag.diagnostics.enums import ScoreKind, Status
from autodiag.diagnostics.signals import result_frozen
from autodiag.french import count
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.questionnaires.schema import Questionnaire, conditions_hold
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


class LockedError(DiagnosticError):
    def __init__(self):
        super().__init__("Ce diagnostic est validé : ses réponses ne peuvent plus être modifiées.")


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

    def stored_answers(self) -> dict[str, Answer]:
        return {answer.question_id: answer for answer in self.answers.select_related("updated_by")}

    def profile_answers(self) -> dict[str, Answer]:
        """Only the answers display conditions read (the autosave's need)."""
        profile_ids = [q.id for q in self.version.questions() if q.is_profile]
        return {
            answer.question_id: answer
            for answer in self.answers.filter(question_id__in=profile_ids)
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

    def to_confirm(self, stored: dict | None = None, profile: dict | None = None) -> list[str]:
        """Pre-filled answers still to confirm, among the displayed questions.
        Give `profile` (a report's) when at hand: it spares normalising the
        answers a second time."""
        stored = self.stored_answers() if stored is None else stored
        if profile is None:
            profile = profile_of(self.version, self.normalized_answers(stored))
        return [
            question.id
            for question in self.version.questions()
            if question.id in stored
            and stored[question.id].to_confirm
            and conditions_hold(question.conditions, profile)
        ]

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

    def save_answer(self, question_id: str, raw_value, by) -> Answer:
        """Check and store one answer (last write wins), recording who and
        when. Raises AnswerValueError for a value the question refuses and
        LockedError on a validated diagnostic."""
        if not self.is_draft:
            raise LockedError()
        question = self.version.question(question_id)
        if question is None:
            raise AnswerValueError(f"question inconnue « {question_id} »")
        if question.structure_field:
            raise AnswerValueError(
                "ce champ vient du référentiel des structures et ne se modifie pas ici"
            )
        if raw_value is None or raw_value == "" or raw_value == {}:
            self.answers.filter(question_id=question_id).delete()
            return None
        value = normalize_answer(question, raw_value)
        depends_on_profile = question.conditions or any(
            i.conditions or i.channel for i in question.items
        )
        if depends_on_profile and not question.is_profile:
            profile = profile_of(self.version, self.normalized_answers(self.profile_answers()))
            if not conditions_hold(question.conditions, profile):
                raise AnswerValueError(
                    f"cette question ne s’applique pas à votre structure ({hidden_because(question, profile)})"
                )
            if isinstance(value, dict):
                channels = used_channels(self.version, profile)
                shown = {
                    item.id for item in question.items if item_displayed(item, profile, channels)
                }
                value = {item_id: row for item_id, row in value.items() if item_id in shown}
        return Answer.objects.upsert(self, question_id, storable(value), by)

    def confirm_answer(self, question_id: str, by) -> int:
        if not self.is_draft:
            raise LockedError()
        return self.answers.filter(question_id=question_id, to_confirm=True).update(
            to_confirm=False, updated_by=by, updated_at=timezone.now()
        )

    def copy_answers_from(self, source: Diagnostic, by) -> None:
        """Carry over last time's answers, each marked "à confirmer".
        Answers to questions the new version lacks are not carried."""
        now = timezone.now()
        Answer.objects.bulk_create(
            Answer(
                diagnostic=self,
                question_id=answer.question_id,
                value=answer.value,
                to_confirm=True,
                updated_by=by,
                updated_at=now,
            )
            for answer in source.answers.all()
            if (question := self.version.question(answer.question_id)) is not None
            and not question.structure_field  # already recorded from today's referential
        )

    # -- validation -----------------------------------------------------------

    def validation_problems(self, stored: dict | None = None) -> tuple[list[str], list[str]]:
        """(missing question ids, pre-filled ids still to confirm)."""
        stored = self.stored_answers() if stored is None else stored
        report = self.report(stored)
        return list(report.missing), self.to_confirm(stored, report.profile)

    @transaction.atomic
    def validate(self, by) -> Result:
        """Lock the answers and freeze the report. The caller checked that
        `by` may validate (permissions.can_validate)."""
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
        locked.validated_at = timezone.now()
        locked.save(update_fields=["status", "validated_by", "validated_at"])
        self.status, self.validated_by, self.validated_at = locked.status, by, locked.validated_at
        return Result.objects.freeze(locked, locked.report(stored))


class AnswerManager(models.Manager):
    def upsert(self, diagnostic: Diagnostic, question_id: str, value, by) -> Answer:
        """One INSERT … ON CONFLICT DO UPDATE in autocommit, the cheapest
        write on both databases (STACK-NOTES); the last write wins."""
        answer = Answer(
            diagnostic=diagnostic,
            question_id=question_id,
            value=value,
            to_confirm=False,
            updated_by=by,
            updated_at=timezone.now(),
        )
        connection = connections[self.db]
        table = connection.ops.quote_name(Answer._meta.db_table)
        fields = {field.name: field for field in Answer._meta.concrete_fields}
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (diagnostic_id, question_id, value, to_confirm, updated_by_id, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (diagnostic_id, question_id) DO UPDATE SET value = excluded.value, "
                "to_confirm = excluded.to_confirm, updated_by_id = excluded.updated_by_id, "
                "updated_at = excluded.updated_at",
                [
                    diagnostic.pk,
                    question_id,
                    fields["value"].get_db_prep_save(value, connection),
                    False,
                    by.pk if by else None,
                    fields["updated_at"].get_db_prep_save(answer.updated_at, connection),
                ],
            )
        return answer


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

    def _refuse_if_locked(self):
        status = (
            Diagnostic.objects.filter(pk=self.diagnostic_id)
            .values_list("status", flat=True)
            .first()
        )
        if status == Status.VALIDATED:
            raise LockedError()


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
