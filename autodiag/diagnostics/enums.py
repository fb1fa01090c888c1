from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "En cours"
    VALIDATED = "validated", "Validé"


class ScoreKind(models.TextChoices):
    GLOBAL = "global", "Note globale"
    COMMITMENT = "commitment", "Engagement"
    THEME = "theme", "Thématique"
    CHANNEL = "channel", "Canal"
