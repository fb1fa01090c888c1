"""Action plans: a structure's action sheets ("fiches action", seed 002),
their dated reviews, and whether the plan is shown to users.

State changes are explicit methods (`ActionSheet.objects.create_for`,
`sheet.start`, `sheet.complete`, `sheet.abandon`, `sheet.reopen`,
`sheet.record_review`, `plan.publish`); who may call them is decided by
`autodiag.permissions`, the one permission layer.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from autodiag.actions.enums import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PUBLIC_STATUSES,
    TRANSITIONS,
    ActionStatus,
)
from autodiag.diagnostics.models import Diagnostic
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.structures.models import Structure


class ActionError(Exception):
    """A change the rules refuse; `problems` maps a field to a message for
    the user."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__(" ".join(problems.values()))


class ActionPlanManager(models.Manager):
    def of(self, structure: Structure) -> ActionPlan:
        plan, _ = self.get_or_create(structure=structure)
        return plan


class ActionPlan(models.Model):
    """A structure's plan: the counter of its sheet numbers (a number is
    never given twice, even after a sheet is deleted: posters and minutes
    quote them) and whether a manager published it for users."""

    structure = models.OneToOneField(
        Structure, on_delete=models.CASCADE, related_name="action_plan"
    )
    last_number = models.PositiveIntegerField("dernier numéro attribué", default=0)
    is_public = models.BooleanField("page publique", default=False)
    public_changed_at = models.DateTimeField("publication modifiée le", null=True, blank=True)
    public_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="publication modifiée par",
    )

    objects = ActionPlanManager()

    class Meta:
        verbose_name = "plan d’actions"
        verbose_name_plural = "plans d’actions"

    def __str__(self):
        return f"Plan d’actions de {self.structure}"

    def publish(self, by) -> None:
        self._set_public(True, by)

    def unpublish(self, by) -> None:
        self._set_public(False, by)

    def _set_public(self, public: bool, by) -> None:
        self.is_public = public
        self.public_changed_at = timezone.now()
        self.public_changed_by = by
        self.save(update_fields=["is_public", "public_changed_at", "public_changed_by"])


class ActionSheetQuerySet(models.QuerySet):
    def for_structure(self, structure: Structure):
        return self.filter(structure=structure)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)

    def done(self):
        return self.filter(status=ActionStatus.DONE)

    def public(self):
        """What users may read: actions under way or done."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def late(self, today: datetime.date | None = None):
        """Open actions whose planned end has passed."""
        return self.open().filter(planned_end_date__lt=today or timezone.localdate())

    def with_status(self, status: str):
        return self.filter(status=status)

    def serving(self, commitment: int):
        return self.filter(commitment=commitment)

    def led_by(self, user_id: int):
        return self.filter(responsible_id=user_id)

    def done_between(self, after: datetime.date | None, until: datetime.date | None):
        """Actions done strictly after `after` and up to `until` (either
        bound may be missing)."""
        queryset = self.done()
        if after is not None:
            queryset = queryset.filter(closed_on__gt=after)
        if until is not None:
            queryset = queryset.filter(closed_on__lte=until)
        return queryset

    def for_display(self):
        """With what the pages show beside each sheet, in a few queries;
        the questionnaire's large document is read once per process
        (QuestionnaireVersion.questionnaire), never with the rows."""
        return (
            self.select_related(
                "structure", "responsible", "questionnaire", "created_by", "updated_by"
            )
            .defer("questionnaire__document")
            .prefetch_related("contributors")
            .annotate(last_reviewed_on=Max("reviews__reviewed_on"))
            .order_by("number")
        )


class ActionSheetManager(models.Manager.from_queryset(ActionSheetQuerySet)):
    @transaction.atomic
    def create_for(self, structure: Structure, *, by, contributors=(), **fields) -> ActionSheet:
        """A new sheet with the structure's next number (one at a time: the
        plan's row is locked while the number is taken)."""
        plan = ActionPlan.objects.of(structure)
        plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
        plan.last_number += 1
        plan.save(update_fields=["last_number"])
        sheet = self.create(
            structure=structure, number=plan.last_number, created_by=by, updated_by=by, **fields
        )
        sheet.contributors.set(contributors)
        return sheet


class ActionSheet(models.Model):
    """A "fiche action": every field of seed 002, plus where it stands."""

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveIntegerField("numéro")
    # The commitment and theme are those of a questionnaire version: their
    # wording is read from it, as the results are.
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, verbose_name="version du questionnaire"
    )
    commitment = models.PositiveSmallIntegerField("engagement")
    theme = models.CharField("thématique", max_length=100, blank=True)
    title = models.CharField("libellé de l’action", max_length=200)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="actions_led",
        verbose_name="responsable de l’action",
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="actions_contributed",
        verbose_name="contributeurs",
    )
    other_contributors = models.CharField(
        "autres contributeurs", max_length=300, blank=True
    )  # users, elected officials, partners: people without an account
    start_date = models.DateField("démarrage de l’action")
    planned_end_date = models.DateField("fin prévue de l’action")
    problem = models.TextField("problématique identifiée")
    objective = models.TextField("objectif")
    description = models.TextField("descriptif de l’action", blank=True)
    indicators = models.TextField("indicateurs de suivi de l’action", blank=True)
    expected_results = models.TextField("résultats attendus", blank=True)
    users_asked = models.BooleanField("« Vous nous l’avez demandé »", default=False)
    status = models.CharField(
        "état", max_length=12, choices=ActionStatus.choices, default=ActionStatus.TO_START
    )
    progress = models.PositiveSmallIntegerField(
        "avancement (%)", default=0, validators=[MaxValueValidator(100)]
    )
    closed_on = models.DateField("réalisée ou abandonnée le", null=True, blank=True)
    source_diagnostic = models.ForeignKey(
        Diagnostic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="diagnostic d’origine",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = ActionSheetManager()

    class Meta:
        verbose_name = "fiche action"
        verbose_name_plural = "fiches action"
        ordering = ["structure", "number"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "number"], name="one_number_per_action"),
            models.CheckConstraint(
                condition=models.Q(planned_end_date__gte=models.F("start_date")),
                name="action_ends_after_it_starts",
                violation_error_message="La fin prévue précède la date de début.",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="progress_percent",
                violation_error_message="L’avancement est un pourcentage, 100 au plus.",
            ),
        ]
        indexes = [models.Index(fields=["structure", "status", "planned_end_date"])]

    def __str__(self):
        return f"Fiche action n° {self.number} — {self.title}"

    # -- what the pages read ----------------------------------------------------

    @property
    def version(self):
        return self.questionnaire.questionnaire()

    @property
    def commitment_title(self) -> str:
        found = self.version.commitment(self.commitment)
        return found.title if found else ""

    @property
    def theme_title(self) -> str:
        section = self.version.section(self.theme) if self.theme else None
        return section.title if section else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def days_late(self, today: datetime.date | None = None) -> int:
        """Days since the planned end, for an open action (0: not late)."""
        if not self.is_open:
            return 0
        return max(0, ((today or timezone.localdate()) - self.planned_end_date).days)

    def is_late(self, today: datetime.date | None = None) -> bool:
        return self.days_late(today) > 0

    # -- state changes ------------------------------------------------------------

    def _move(self, status: str, on: datetime.date | None = None) -> None:
        if status not in TRANSITIONS[self.status]:
            raise ActionError(
                {
                    "status": f"L’action « {self.get_status_display().lower()} » ne peut pas passer "
                    f"à « {ActionStatus(status).label.lower()} »."
                }
            )
        self.status = status
        if status in CLOSED_STATUSES:
            self.closed_on = on or timezone.localdate()
        else:
            self.closed_on = None
        if status == ActionStatus.DONE:
            self.progress = 100

    def start(self) -> None:
        if self.status != ActionStatus.TO_START:
            raise ActionError({"status": "Seule une action à lancer peut démarrer."})
        self._move(ActionStatus.IN_PROGRESS)

    def complete(self, on: datetime.date | None = None) -> None:
        self._move(ActionStatus.DONE, on)

    def abandon(self, on: datetime.date | None = None) -> None:
        self._move(ActionStatus.ABANDONED, on)

    def reopen(self) -> None:
        if self.is_open:
            raise ActionError({"status": "Seule une action réalisée ou abandonnée peut reprendre."})
        self._move(ActionStatus.IN_PROGRESS)

    def review_problems(
        self, *, on: datetime.date | None, status: str, progress: int | None, note: str
    ) -> dict[str, str]:
        """What is wrong with a review, by field (empty: it can be
        recorded). The forms show these messages; `record_review` refuses
        on them, so the rules live here only."""
        problems = {}
        today = timezone.localdate()
        created = timezone.localtime(self.created_at).date()
        if on is not None and on > today:
            problems["reviewed_on"] = "La date de la revue ne peut pas être dans le futur."
        elif on is not None and on < created:
            problems["reviewed_on"] = (
                f"La date de la revue précède la création de la fiche ({created.strftime('%d/%m/%Y')})."
            )
        if status not in TRANSITIONS.get(self.status, ()):
            problems["status"] = (
                f"Une action « {self.get_status_display().lower()} » ne peut pas passer "
                f"à « {ActionStatus(status).label.lower()} »"
                + (" : elle ne peut que reprendre (« en cours »)." if not self.is_open else ".")
            )
        if progress is not None and status == ActionStatus.TO_START and progress > 0:
            problems["progress"] = (
                "Une action à lancer n’a pas encore d’avancement : "
                "choisissez l’état « en cours » ou un avancement de 0 %."
            )
        abandoning = status == ActionStatus.ABANDONED and self.status != ActionStatus.ABANDONED
        if abandoning and not note.strip():
            problems["note"] = "Indiquez dans la note pourquoi l’action est abandonnée."
        return problems

    @transaction.atomic
    def record_review(
        self, *, by, on: datetime.date, status: str, progress: int, note: str = ""
    ) -> ActionReview:
        """A dated review: where the action stands, its progress and a note
        (the monthly review, or a point made on the sheet's page). The
        caller checked that `by` may review (permissions)."""
        locked = ActionSheet.objects.select_for_update().get(pk=self.pk)
        problems = locked.review_problems(on=on, status=status, progress=progress, note=note)
        if problems:
            raise ActionError(problems)
        before = locked.status
        if status != before:
            locked._move(status, on)
        if status != ActionStatus.DONE:
            locked.progress = progress
        locked.updated_by = by
        locked.save()
        review = ActionReview.objects.create(
            sheet=locked,
            reviewed_on=on,
            status_before=before,
            status=locked.status,
            progress=locked.progress,
            note=note.strip(),
            by=by,
        )
        for field in ("status", "progress", "closed_on", "updated_by", "updated_at"):
            setattr(self, field, getattr(locked, field))
        return review


class ActionReview(models.Model):
    """A dated review note: where the action stood that day."""

    sheet = models.ForeignKey(ActionSheet, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("date de la revue")
    status_before = models.CharField("état avant", max_length=12, choices=ActionStatus.choices)
    status = models.CharField("état", max_length=12, choices=ActionStatus.choices)
    progress = models.PositiveSmallIntegerField("avancement (%)")
    note = models.TextField("note", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="par",
    )
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    class Meta:
        verbose_name = "revue d’action"
        verbose_name_plural = "revues d’actions"
        ordering = ["-reviewed_on", "-created_at"]

    def __str__(self):
        return f"Revue du {self.reviewed_on:%d/%m/%Y} de la fiche n° {self.sheet.number}"

    @property
    def status_changed(self) -> bool:
        return self.status != self.status_before
