"""The words of testimonies: where they stand, how they felt, through which
channel, and why a moderator refused one."""

from django.db import models


class Status(models.TextChoices):
    """A testimony waits for a person's decision; nothing is ever published
    without one (seed 002: « Expérience publiée », « Réponse apportée »)."""

    NEW = "new", "À modérer"
    PUBLISHED = "published", "Expérience publiée"
    PRIVATE = "private", "Gardé privé"
    REJECTED = "rejected", "Rejeté"


# Testimonies the team keeps working on (inbox, answers, dashboards).
KEPT_STATUSES = (Status.PUBLISHED, Status.PRIVATE)


class Sentiment(models.TextChoices):
    SATISFIED = "satisfied", "Satisfait"
    NEUTRAL = "neutral", "Neutre"
    DISSATISFIED = "dissatisfied", "Insatisfait"


SENTIMENT_SYMBOLS = {
    Sentiment.SATISFIED: "☺",
    Sentiment.NEUTRAL: "😐",
    Sentiment.DISSATISFIED: "☹",
}


class Channel(models.TextChoices):
    """The contact channels of the questionnaire (sp-plus-2026 `channels`,
    same ids: tests/test_testimonies_models.py checks they agree)."""

    RECEPTION = "accueil-physique", "À l’accueil, sur place"
    PHONE = "telephone", "Par téléphone ou en visioconférence"
    MAIL = "courrier", "Par courrier"
    EMAIL = "courriel", "Par courriel"
    ONLINE = "internet", "Sur le site internet ou une démarche en ligne"


class RejectReason(models.TextChoices):
    OFF_TOPIC = "off_topic", "Hors sujet (ne concerne pas ce service)"
    ABUSIVE = "abusive", "Injurieux, diffamatoire ou discriminatoire"
    SPAM = "spam", "Publicité ou envoi automatique"
    DUPLICATE = "duplicate", "Doublon d’un témoignage déjà reçu"


# The 8 commitments in plain words, for users (the official wording is long).
COMMITMENT_WORDS = {
    1: "L’accueil, le respect et le droit à l’erreur",
    2: "Entrer facilement en contact avec le service",
    3: "Un accompagnement adapté à ma situation",
    4: "Le délai de traitement de ma demande",
    5: "Une information claire et compréhensible",
    6: "Les résultats de qualité du service",
    7: "La prise en compte de mon avis",
    8: "L’impact du service sur l’environnement",
}
COMMITMENT_CHOICES = [(str(n), words) for n, words in COMMITMENT_WORDS.items()]

# Limits of what a user may type.
TEXT_MAX_LENGTH = 3000
TITLE_MAX_LENGTH = 120
PSEUDONYM_MAX_LENGTH = 40
ANSWER_MAX_LENGTH = 5000
