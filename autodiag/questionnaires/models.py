"""The record of the questionnaire versions in the database.

A version is stored as it was loaded (its parsed document and content hash)
so that a diagnostic always reads the questions it was answered against,
whatever later happens to the files. A version never changes: recording a
file with a known id and another content is refused.
"""

import json

from django.db import models, transaction

from autodiag.questionnaires.loader import build_questionnaire
from autodiag.questionnaires.schema import AUDIT, Questionnaire


class VersionChangedError(Exception):
    """A file reuses the id of a recorded version with other content."""


class QuestionnaireVersionQuerySet(models.QuerySet):
    def of_self_diagnostics(self):
        """The versions diagnostics are answered (or results imported) on:
        every kind but the label's audit grids."""
        return self.exclude(kind=AUDIT)


class QuestionnaireVersion(models.Model):
    id = models.CharField("identifiant", primary_key=True, max_length=64)
    title = models.CharField("titre", max_length=200)
    kind = models.CharField("type", max_length=32)
    content_hash = models.CharField("empreinte", max_length=64)
    document = models.JSONField("contenu")
    loaded_at = models.DateTimeField("chargée le", auto_now_add=True)

    objects = QuestionnaireVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "version de questionnaire"
        verbose_name_plural = "versions de questionnaire"
        ordering = ["id"]

    def __str__(self):
        return f"{self.title} ({self.id})"

    @classmethod
    @transaction.atomic
    def record(cls, questionnaire: Questionnaire) -> tuple["QuestionnaireVersion", bool]:
        """Store a validated version once; (version, created)."""
        existing = cls.objects.select_for_update().filter(pk=questionnaire.id).first()
        if existing is not None:
            if existing.content_hash != questionnaire.content_hash:
                raise VersionChangedError(
                    f"la version « {questionnaire.id} » est déjà enregistrée avec un autre contenu "
                    f"(empreinte {existing.content_hash[:12]}…, fichier {questionnaire.content_hash[:12]}…) : "
                    "une version publiée ne change jamais, créez un nouveau fichier avec un nouvel id"
                )
            return existing, False
        document = json.loads(json.dumps(questionnaire.document, ensure_ascii=False, default=str))
        version = cls.objects.create(
            id=questionnaire.id,
            title=questionnaire.title,
            kind=questionnaire.kind,
            content_hash=questionnaire.content_hash,
            document=document,
        )
        return version, True

    def questionnaire(self) -> Questionnaire:
        """The version as recorded (not as the file may read today). Built
        once per process: a recorded version never changes, so its large
        document is read from the database only the first time (callers may
        defer the `document` field)."""
        key = (self.pk, self.content_hash)
        if key not in _BUILT:
            _BUILT[key] = build_questionnaire(
                self.document, file_name=f"{self.pk} (base de données)"
            )
        return _BUILT[key]


_BUILT: dict[tuple[str, str], Questionnaire] = {}
