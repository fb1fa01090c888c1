"""Label audits: a national administrator gives an auditor access to a
structure for a period; the auditor scores every control point of the grid
(a questionnaire version of kind "audit") with the evidence seen and a
comment; validation locks the scores and freezes the report.

State changes are explicit methods (`Audit.objects.grant`,
`audit.save_point`, `audit.save_profile`, `audit.validate`); who may call
them is decided by `autodiag.permissions`.
"""

from __future__ import annotations

import datetime
from functools import cached_property

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from autodiag.audits.enums import Status
from autodiag.diagnostics.models import Answer
from autodiag.french import count
from autodiag.questionnaires.loader import load_questionnaire
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.questionnaires.schema import AUDIT, Questionnaire, conditions_hold
from autodiag.scoring.answers import (
    AnswerValueError,
    hidden_because,
    normalize_answer,
    profile_of,
    storable,
)
from autodiag.scoring.engine import score
from autodiag.scoring.report import Report
from autodiag.structures.models import Membership, Structure

# Evidence and comments are notes, not reports: a generous bound all the same.
MAX_NOTE_LENGTH = 10_000
# The profile question the referential answers (same ids as the 2026 questionnaire).
TYPOLOGY = "typologie"


class AuditError(Exception):
    """A state change the rules refuse; the message is for the user."""


class LockedError(AuditError):
    def __init__(self):
        super().__init__("Cet audit est validé : ses notes ne peuvent plus être modifiées.")


class AuditQuerySet(models.QuerySet):
    def drafts(self):
        return self.filter(status=Status.DRAFT)

    def validated(self):
        return self.filter(status=Status.VALIDATED)

    def open_on(self, day: datetime.date):
        """Audits whose access period includes `day`."""
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def latest_validated_per_structure(self):
        """Each structure's latest validated audit (the consolidated view
        counts a structure once)."""
        latest = (
            Audit.objects.validated()
            .filter(structure=models.OuterRef("structure"))
            .order_by("-validated_at", "-pk")
            .values("pk")[:1]
        )
        return self.validated().filter(pk=models.Subquery(latest))


class AuditManager(models.Manager.from_queryset(AuditQuerySet)):
    def current_grid(self) -> QuestionnaireVersion:
        return QuestionnaireVersion.objects.get(pk=settings.CURRENT_AUDIT_GRID, kind=AUDIT)

    def current_grid_content(self) -> Questionnaire:
        """The grid new audits use, as recorded, or from its shipped file
        while no audit has recorded it (preparing needs only its content)."""
        version = QuestionnaireVersion.objects.filter(
            pk=settings.CURRENT_AUDIT_GRID, kind=AUDIT
        ).first()
        return (
            version.questionnaire() if version else load_questionnaire(settings.CURRENT_AUDIT_GRID)
        )

    @transaction.atomic
    def grant(
        self,
        structure: Structure,
        auditor,
        starts_on: datetime.date,
        ends_on: datetime.date,
        by=None,
        grid: QuestionnaireVersion | None = None,
    ) -> Audit:
        """Give `auditor` access to `structure` from `starts_on` to `ends_on`
        (both included) to score the grid. The caller checked that `by` may
        (a national administrator)."""
        Structure.objects.select_for_update().get(pk=structure.pk)  # one grant at a time
        check_grant(structure, auditor, starts_on, ends_on)
        grid = grid or self.current_grid()
        if grid.kind != AUDIT:
            raise AuditError(f"« {grid.title} » n’est pas une grille d’audit.")
        audit = self.create(
            structure=structure,
            grid=grid,
            auditor=auditor,
            starts_on=starts_on,
            ends_on=ends_on,
            granted_by=by,
        )
        audit.record_profile(by)
        return audit


def check_grant(structure: Structure, auditor, starts_on, ends_on, audit=None) -> None:
    """The rules of an access period, for `grant` and the admin's form."""
    if starts_on and ends_on and ends_on < starts_on:
        raise AuditError("La fin de la période d’accès doit suivre son début.")
    if Membership.objects.filter(structure=structure, user=auditor).exists():
        raise AuditError(
            "Un membre de la structure ne peut pas en être l’auditeur : l’audit est externe."
        )
    if audit is not None and not audit.is_draft:
        return  # a validated audit's period may still be moved (access to its report)
    drafts = Audit.objects.drafts().filter(structure=structure)
    if audit is not None and audit.pk:
        drafts = drafts.exclude(pk=audit.pk)
    if drafts.exists():
        raise AuditError(
            "Un audit est déjà en cours pour cette structure : modifiez sa période plutôt que "
            "d’en ouvrir un autre."
        )


def refused_score(question, value) -> str:
    """What a point accepts, in the words of the form."""
    if str(value).strip().lower() in ("na", "non applicable"):
        return "« Non applicable » n’est pas proposé pour ce point de contrôle"
    if question.level_names:
        positions = ", ".join(question.level_names[:-1]) + f" ou {question.level_names[-1]}"
    else:
        positions = "0, 0,25, 0,75 ou 1 point"
    return f"note « {value} » inconnue : choisissez {positions}"


class Audit(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="audits")
    grid = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="grille d’audit",
        limit_choices_to={"kind": AUDIT},
    )
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="audits_assigned",
        verbose_name="auditeur",
    )
    starts_on = models.DateField("accès à partir du")
    ends_on = models.DateField("accès jusqu’au (inclus)")
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.DRAFT)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="accès donné par",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    # The report as it was at validation (docs/report-json.md), never recomputed.
    report = models.JSONField("rapport", null=True, blank=True)

    objects = AuditManager()

    class Meta:
        verbose_name = "audit du label"
        verbose_name_plural = "audits du label"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="audit_period_in_order",
                violation_error_message="La fin de la période d’accès précède son début.",
            ),
            models.UniqueConstraint(
                fields=["structure"],
                condition=models.Q(status="draft"),
                name="one_audit_in_progress_per_structure",
                violation_error_message=(
                    "Cette structure a déjà un audit en cours : validez-le ou supprimez-le "
                    "avant d’en ouvrir un autre."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft", validated_at__isnull=True)
                | models.Q(status="validated", validated_at__isnull=False, report__isnull=False),
                name="validated_audit_has_date_and_report",
                violation_error_message=(
                    "Un audit validé a une date de validation et un rapport ; "
                    "un audit en cours n’en a pas."
                ),
            ),
        ]
        indexes = [models.Index(fields=["auditor", "starts_on", "ends_on"])]

    def __str__(self):
        return f"Audit {self.pk} de {self.structure.name} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    def period_open(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.starts_on <= day <= self.ends_on

    @cached_property
    def version(self) -> Questionnaire:
        return self.grid.questionnaire()

    def delete(self, *args, **kwargs):
        if not self.is_draft:
            raise LockedError()
        return super().delete(*args, **kwargs)

    # -- scores -----------------------------------------------------------------

    def stored_answers(self) -> dict[str, AuditAnswer]:
        return {answer.question_id: answer for answer in self.answers.select_related("updated_by")}

    def normalized_answers(self, stored: dict | None = None) -> dict:
        """The scores and profile as the engine reads them (rows holding only
        evidence or a comment are not scores)."""
        stored = self.stored_answers() if stored is None else stored
        values = {}
        for question_id, answer in stored.items():
            question = self.version.question(question_id)
            if question is None or answer.value is None:
                continue
            try:
                values[question_id] = normalize_answer(question, answer.value)
            except AnswerValueError:
                continue
        return values

    def live_report(self, stored: dict | None = None) -> Report:
        return score(self.version, self.normalized_answers(stored))

    def report_json(self, stored: dict | None = None) -> dict:
        """The frozen report of a validated audit, the live one of a draft."""
        if not self.is_draft:
            return self.report
        return self.live_report(stored).to_json()

    def record_profile(self, by) -> None:
        """The structure's category from the referential, and whether it has
        control and recovery activities as its latest self-diagnostic said
        (the auditor may change the latter)."""
        now = timezone.now()
        rows = [
            AuditAnswer(
                audit=self,
                question_id=TYPOLOGY,
                value=self.structure.typology,
                updated_by=by,
                updated_at=now,
            )
        ]
        declared = self.declared_control_activities()
        if declared is not None and self.version.question("controle-recouvrement"):
            rows.append(
                AuditAnswer(
                    audit=self,
                    question_id="controle-recouvrement",
                    value=declared,
                    updated_by=by,
                    updated_at=now,
                )
            )
        AuditAnswer.objects.bulk_create(rows)

    def declared_control_activities(self) -> str | None:
        """The answer of the structure's latest validated self-diagnostic to
        "contrôle et recouvrement", if any."""
        answer = (
            Answer.objects.filter(
                diagnostic__structure=self.structure,
                diagnostic__status="validated",
                question_id="controle-recouvrement",
            )
            .order_by("-diagnostic__validated_at")
            .values_list("value", flat=True)
            .first()
        )
        return answer if answer in ("oui", "non") else None

    def save_point(self, point_id: str, value, evidence: str, comment: str, by) -> None:
        """Record the score of one control point (None: not scored yet) with
        the evidence seen and a comment. Raises AnswerValueError for an
        unknown point, a value the point does not allow or a point that does
        not apply to the structure, LockedError on a validated audit."""
        if not self.is_draft:
            raise LockedError()
        question = self.version.question(point_id)
        if question is None or not question.scored:
            raise AnswerValueError(f"point de contrôle inconnu « {point_id} »")
        evidence, comment = (evidence or "").strip(), (comment or "").strip()
        for label, text in (("éléments de preuve", evidence), ("commentaire", comment)):
            if len(text) > MAX_NOTE_LENGTH:
                raise AnswerValueError(
                    f"{label} : {count(MAX_NOTE_LENGTH, 'caractère')} au plus ({count(len(text), 'reçu')})"
                )
        stored = None
        if value not in (None, ""):
            try:
                stored = storable(normalize_answer(question, value))
            except AnswerValueError:
                raise AnswerValueError(refused_score(question, value)) from None
            profile = profile_of(self.version, self.normalized_answers())
            if not conditions_hold(question.conditions, profile):
                raise AnswerValueError(
                    "ce point ne s’applique pas à la structure "
                    f"({hidden_because(question, profile)})"
                )
        if stored is None and not evidence and not comment:
            self.answers.filter(question_id=point_id).delete()
            return
        AuditAnswer.objects.update_or_create(
            audit=self,
            question_id=point_id,
            defaults={
                "value": stored,
                "evidence": evidence,
                "comment": comment,
                "updated_by": by,
                "updated_at": timezone.now(),
            },
        )

    def save_profile(self, question_id: str, value, by) -> None:
        """Answer a profile question of the grid (not the category, which
        comes from the referential)."""
        if not self.is_draft:
            raise LockedError()
        question = self.version.question(question_id)
        if question is None or not question.is_profile:
            raise AnswerValueError(f"question de profil inconnue « {question_id} »")
        if question_id == TYPOLOGY:
            raise AnswerValueError(
                "la catégorie de la structure vient du référentiel des structures"
            )
        stored = storable(normalize_answer(question, value))
        AuditAnswer.objects.update_or_create(
            audit=self,
            question_id=question_id,
            defaults={"value": stored, "updated_by": by, "updated_at": timezone.now()},
        )

    # -- validation -------------------------------------------------------------

    def missing(self, stored: dict | None = None) -> tuple[list[str], list[str]]:
        """(control points without a score, profile questions unanswered),
        among those that apply to the structure."""
        report = self.live_report(stored)
        points = [qid for qid in report.missing if self.version.question(qid).scored]
        profile = [qid for qid in report.missing if not self.version.question(qid).scored]
        return points, profile

    @transaction.atomic
    def validate(self, by) -> None:
        """Lock the scores and freeze the report. The caller checked that
        `by` may validate (permissions.can_validate_audit)."""
        locked = Audit.objects.select_for_update().get(pk=self.pk)
        if not locked.is_draft:
            raise LockedError()
        stored = locked.stored_answers()
        points, profile = locked.missing(stored)
        if points or profile:
            parts = []
            if profile:
                parts.append("les caractéristiques de la structure ne sont pas toutes renseignées")
            if points:
                parts.append(f"{count(len(points), 'point')} de contrôle sans note")
            raise AuditError(f"L’audit ne peut pas être validé : {' ; '.join(parts)}.")
        locked.status = Status.VALIDATED
        locked.validated_at = timezone.now()
        locked.report = locked.live_report(stored).to_json()
        locked.save(update_fields=["status", "validated_at", "report"])
        self.status, self.validated_at, self.report = (
            locked.status,
            locked.validated_at,
            locked.report,
        )


class AuditAnswer(models.Model):
    """One control point's score, evidence and comment (or a profile
    answer). `value` is the normalised scale value ("0", "0.25", "0.75",
    "1", "na"), or None while the point has notes but no score."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField("point de contrôle", max_length=32)
    value = models.JSONField("note", null=True, blank=True)
    evidence = models.TextField("éléments de preuve", blank=True)
    comment = models.TextField("commentaire", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="modifiée par",
    )
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)

    class Meta:
        verbose_name = "note d’audit"
        verbose_name_plural = "notes d’audit"
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "question_id"], name="one_score_per_control_point"
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
        status = Audit.objects.filter(pk=self.audit_id).values_list("status", flat=True).first()
        if status == Status.VALIDATED:
            raise LockedError()
