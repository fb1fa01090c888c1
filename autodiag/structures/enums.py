from django.db import models


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    MANAGER = "manager", "Responsable"


class Typology(models.TextChoices):
    # The same ids as the profile question "typologie" of the 2026 questionnaire.
    ETAT = "etat", "Service de l’État"
    OPERATEUR = "operateur", "Opérateur ou organisme de protection sociale"
    COLLECTIVITE = "collectivite", "Collectivité territoriale"
    HOPITAL = "hopital", "Établissement hospitalier"
    ENSEIGNEMENT = "enseignement", "Établissement d’enseignement"


class ScopeKind(models.TextChoices):
    NETWORK = "network", "Tête de réseau"
    TERRITORY = "territory", "Responsable territorial"
    NATIONAL = "national", "Administration nationale"
