"""What consolidation keeps beside the frozen results.

`ResultLine`: one compact row per validated diagnostic (or imported earlier
result) with its figures packed in its version's layout, and the moment it
stopped being its structure's latest on that version (`superseded_at`).
"Each structure once, its latest validated diagnostic in the range" then
reads as a condition on each row alone:

    start <= validated_at < end  and  superseded_at >= end

so that a consolidated view is one indexed range query and no window
function, whatever the scope (docs/ARCHITECTURE.md, "Consolidation").
Rows are written in the validation's transaction (`result_frozen`) and by
the import of earlier results; `autodiag consolidation rebuild` adds the
missing ones from the Score rows. The database refuses any change to a
line but its `superseded_at` (migration 0005).

`SiteText`: the "Points forts" and "Besoins d’appui" texts of validated
diagnostics, one row per text, for the page of what sites ask for.
"""

from __future__ import annotations

import datetime

from django.db import models, transaction

from autodiag.consolidation.figures import pack
from autodiag.consolidation.layout import layout_of
from autodiag.consolidation.lines import figures_row
from autodiag.diagnostics.models import Diagnostic
from autodiag.questionnaires.models import QuestionnaireVersion
from autodiag.structures.models import Structure

# "Still the latest": far enough, and still a valid local date (9999-12-31
# UTC is year 10000 in Paris).
STILL_LATEST = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)

STRENGTHS, SUPPORT_NEEDS = "points-forts", "besoins-appui"


class ResultLineQuerySet(models.QuerySet):
    def latest_between(self, start: datetime.datetime, end: datetime.datetime):
        """Each structure's latest line validated in [start, end)."""
        return self.filter(validated_at__gte=start, validated_at__lt=end, superseded_at__gte=end)


class ResultLineManager(models.Manager.from_queryset(ResultLineQuerySet)):
    @transaction.atomic
    def record(self, diagnostic: Diagnostic, figures: list[int]) -> ResultLine:
        """Add a diagnostic's line and keep `superseded_at` true for its
        structure's other lines on the same version (an imported earlier
        result may fall between two others)."""
        siblings = self.filter(
            structure_id=diagnostic.structure_id, questionnaire_id=diagnostic.questionnaire_id
        ).exclude(pk=diagnostic.pk)
        moment = diagnostic.validated_at
        later = siblings.filter(validated_at__gt=moment).order_by("validated_at").first()
        siblings.filter(validated_at__lt=moment, superseded_at__gt=moment).update(
            superseded_at=moment
        )
        line, _ = self.update_or_create(
            diagnostic=diagnostic,
            defaults={
                "structure_id": diagnostic.structure_id,
                "questionnaire_id": diagnostic.questionnaire_id,
                "validated_at": moment,
                "superseded_at": later.validated_at if later else STILL_LATEST,
                "figures": pack(figures),
            },
        )
        return line

    def record_result(self, diagnostic: Diagnostic, scores, report_json: dict) -> ResultLine:
        version = diagnostic.questionnaire.questionnaire()
        line = self.record(diagnostic, figures_row(layout_of(version), scores, report_json))
        SiteText.objects.record(diagnostic, version, report_json.get("texts", {}))
        return line


class ResultLine(models.Model):
    diagnostic = models.OneToOneField(
        Diagnostic, on_delete=models.CASCADE, primary_key=True, related_name="result_line"
    )
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    questionnaire = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="+"
    )
    validated_at = models.DateTimeField()
    superseded_at = models.DateTimeField(default=STILL_LATEST)
    figures = models.BinaryField()

    objects = ResultLineManager()

    class Meta:
        verbose_name = "ligne de résultats consolidables"
        indexes = [
            models.Index(fields=["questionnaire", "validated_at"], name="line_version_validated"),
            models.Index(
                fields=["questionnaire", "superseded_at", "validated_at"],
                name="line_version_superseded",
            ),
            models.Index(
                fields=["structure", "questionnaire", "validated_at"], name="line_structure"
            ),
        ]

    def __str__(self):
        return f"Ligne du diagnostic {self.diagnostic_id}"


class SiteTextManager(models.Manager):
    def record(self, diagnostic: Diagnostic, version, texts: dict) -> None:
        rows = []
        for question_id, text in texts.items():
            question = version.question(question_id)
            if question is None or question.purpose not in (STRENGTHS, SUPPORT_NEEDS):
                continue
            if not str(text).strip():
                continue
            rows.append(
                SiteText(
                    diagnostic=diagnostic,
                    section_id=question.section_id,
                    purpose=question.purpose,
                    text=str(text).strip(),
                )
            )
        self.filter(diagnostic=diagnostic).delete()
        self.bulk_create(rows)


class SiteText(models.Model):
    """A "Points forts" or "Besoins d’appui" text of a validated diagnostic."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="+")
    section_id = models.CharField("thématique", max_length=100)
    purpose = models.CharField(
        "nature",
        max_length=20,
        choices=[(STRENGTHS, "Points forts"), (SUPPORT_NEEDS, "Besoins d’appui")],
    )
    text = models.TextField("texte")

    objects = SiteTextManager()

    class Meta:
        verbose_name = "texte d’un site"
        indexes = [models.Index(fields=["diagnostic", "purpose"], name="sitetext_diagnostic")]

    def __str__(self):
        return f"{self.get_purpose_display()} ({self.section_id})"


class Reminder(models.Model):
    """A campaign reminder e-mailed to a structure's managers by a head."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    sent_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField("destinataires")  # the managers' addresses, one a line

    class Meta:
        verbose_name = "relance de campagne"
        verbose_name_plural = "relances de campagne"
        indexes = [models.Index(fields=["structure", "sent_at"], name="reminder_structure")]

    def __str__(self):
        return f"Relance de {self.structure} le {self.sent_at:%d/%m/%Y}"


class Export(models.Model):
    """A large export built in the background (`tasks.build_export`), with
    its progress; only the person who asked for it downloads it."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUSES = [
        (PENDING, "En attente"),
        (RUNNING, "En cours"),
        (DONE, "Prêt"),
        (FAILED, "Échec"),
    ]

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # "consolidated" or "structures"
    file_format = models.CharField(max_length=4)  # "csv" or "xlsx"
    every = models.BooleanField(default=False)  # every diagnostic of the period
    # The technical variant (column names, 4 decimals) rather than the readable one.
    technical = models.BooleanField(default=False)
    filters = models.JSONField()  # the query string's values, read again when built
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "export"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Export {self.file_name or self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.DONE:
            return 100
        return round(100 * self.done / self.total) if self.total else 0
