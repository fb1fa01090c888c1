from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "En cours"
    VALIDATED = "validated", "Validé"
