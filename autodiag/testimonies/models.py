"""Listening to users (seed 002, « Écoute des usagers »; docs/testimonies.md):
testimonies users leave about a site without an account, the team's
moderation and answers, the reusable answer templates, and readers'
« utile » marks.

State changes are explicit methods (`Testimony.objects.receive`,
`publish`, `keep_private`, `reject`, `answer`, `link_action`,
`mark_useful`); who may call them is decided by `autodiag.permissions`.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from autodiag.actions.enums import ActionStatus
from autodiag.actions.models import ActionSheet
from autodiag.structures.models import Structure
from autodiag.testimonies import tally
from autodiag.testimonies.enums import (
    ANSWER_MAX_LENGTH,
    COMMITMENT_WORDS,
    KEPT_STATUSES,
    PSEUDONYM_MAX_LENGTH,
    SENTIMENT_SYMBOLS,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Channel,
    RejectReason,
    Sentiment,
    Status,
)
from autodiag.testimonies.masking import mask_personal_data

# Short codes: no 0/O, 1/l/I, easy to read aloud and to type from a card.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 6


class TestimonyError(Exception):
    """A change the rules refuse; `problems` maps a field to a French message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__(" ".join(problems.values()))


def new_short_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def commitments_mask(numbers) -> int:
    mask = 0
    for number in numbers:
        mask |= 1 << int(number)
    return mask


def commitment_numbers(mask: int) -> list[int]:
    return [n for n in COMMITMENT_WORDS if mask & (1 << n)]


class ListeningManager(models.Manager):
    def of(self, structure: Structure) -> Listening:
        found = self.filter(structure=structure).first()
        if found is not None:
            return found
        for _ in range(5):  # a new random code; another try on the rare collision
            try:
                with transaction.atomic():
                    return self.create(
                        structure=structure,
                        short_code=new_short_code(),
                        signature=f"L’équipe — {structure.name}",
                    )
            except IntegrityError:
                found = self.filter(structure=structure).first()
                if found is not None:
                    return found
        raise RuntimeError("no free short code")


class Listening(models.Model):
    """A structure's listening set-up: the short link printed on cards and
    posters (/t/<code>), whether testimonies are open, and the signature of
    the service's answers."""

    structure = models.OneToOneField(Structure, on_delete=models.CASCADE, related_name="listening")
    short_code = models.CharField("code du lien court", max_length=12, unique=True)
    is_open = models.BooleanField("témoignages ouverts", default=True)
    signature = models.CharField("signature des réponses", max_length=200)

    objects = ListeningManager()

    class Meta:
        verbose_name = "écoute des usagers d’une structure"
        verbose_name_plural = "écoute des usagers des structures"

    def __str__(self):
        return f"Écoute des usagers de {self.structure} (/t/{self.short_code})"

    @property
    def short_path(self) -> str:
        return f"/t/{self.short_code}"

    @property
    def short_url(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.short_path


class TestimonyQuerySet(models.QuerySet):
    def for_structure(self, structure):
        return self.filter(structure=structure)

    def to_moderate(self):
        return self.filter(status=Status.NEW)

    def kept(self):
        """Published or kept private: the ones the team answers and counts."""
        return self.filter(status__in=KEPT_STATUSES)

    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def rejected(self):
        return self.filter(status=Status.REJECTED)

    def to_answer(self):
        return self.kept().filter(answered_at__isnull=True)

    def answered(self):
        return self.filter(answered_at__isnull=False)

    def with_sentiment(self, sentiment: str):
        return self.filter(sentiment=sentiment)

    def through(self, channel: str):
        return self.filter(channel=channel)

    def about(self, commitment: int):
        """Testimonies that name the commitment (a bit of `commitments`)."""
        bit = 1 << int(commitment)
        return self.alias(_bit=F("commitments").bitand(bit)).filter(_bit=bit)

    def received_between(self, start, end):
        """Received on `start` … `end` (local dates, both included; either may be None)."""
        queryset = self
        if start is not None:
            queryset = queryset.filter(received_on__gte=start)
        if end is not None:
            queryset = queryset.filter(received_on__lte=end)
        return queryset

    def newest_first(self):
        return self.order_by("-received_at", "-pk")


class TestimonyManager(models.Manager.from_queryset(TestimonyQuerySet)):
    @transaction.atomic
    def receive(self, structure: Structure, *, received_at=None, **fields) -> Testimony:
        """A testimony as a user sent it (`received_at`: now, unless one is
        imported): waiting for moderation. The public text starts as the
        text with personal data masked."""
        now = received_at or timezone.now()
        text = fields["text"]
        testimony = self.create(
            structure=structure,
            received_at=now,
            received_on=timezone.localdate(now),
            public_text=mask_personal_data(text),
            public_title=mask_personal_data(fields.get("title", "")),
            consent_at=now,
            **fields,
        )
        tally.apply(structure.pk, testimony.received_on, [], tally.contribution(testimony))
        return testimony


class Testimony(models.Model):
    """A user's testimony about a visit or contact, as typed (`title`,
    `text`, kept for the team), its public version after moderation
    (`public_title`, `public_text`: personal data masked), the moderation
    decision and the service's answer."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="testimonies")
    title = models.CharField("titre", max_length=TITLE_MAX_LENGTH, blank=True)
    text = models.TextField("ce qui s’est passé")
    happened_on = models.DateField("date de la visite ou du contact", null=True, blank=True)
    channel = models.CharField("canal", max_length=20, choices=Channel.choices)
    sentiment = models.CharField("ressenti", max_length=12, choices=Sentiment.choices)
    commitments = models.PositiveSmallIntegerField(
        "engagements concernés", default=0
    )  # bit n set: commitment n (1 to 8), see commitments_mask
    pseudonym = models.CharField("pseudonyme", max_length=PSEUDONYM_MAX_LENGTH)
    email = models.EmailField("adresse électronique", blank=True)
    consent_at = models.DateTimeField("consentement donné le")
    received_at = models.DateTimeField("reçu le")
    received_on = models.DateField("reçu le (jour)")  # local day, for periods and charts

    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.NEW)
    public_title = models.CharField("titre publié", max_length=TITLE_MAX_LENGTH, blank=True)
    public_text = models.TextField("texte publié")
    moderated_at = models.DateTimeField("modéré le", null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modéré par",
    )
    reject_reason = models.CharField(
        "motif du rejet", max_length=12, choices=RejectReason.choices, blank=True
    )
    reject_note = models.CharField("précision sur le rejet", max_length=300, blank=True)

    answer_text = models.TextField("réponse du service", blank=True)
    answer_signature = models.CharField("signature de la réponse", max_length=200, blank=True)
    answered_at = models.DateTimeField("répondu le", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="réponse de",
    )
    answer_seconds = models.PositiveIntegerField(
        "délai de réponse (secondes)", null=True, blank=True
    )  # from receipt to the first answer: medians without date arithmetic in SQL
    author_notified_at = models.DateTimeField("auteur prévenu le", null=True, blank=True)
    useful_count = models.PositiveIntegerField("« utile »", default=0)
    action = models.ForeignKey(
        ActionSheet,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="testimonies",
        verbose_name="fiche action issue du témoignage",
    )

    objects = TestimonyManager()

    class Meta:
        verbose_name = "témoignage"
        ordering = ["-received_at"]
        constraints = [
            # Nothing leaves "à modérer" without a person's dated decision.
            models.CheckConstraint(
                condition=Q(status=Status.NEW) | Q(moderated_at__isnull=False),
                name="testimony_moderated_by_a_person",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.REJECTED) | ~Q(reject_reason=""),
                name="testimony_rejected_with_a_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["structure", "status", "received_at"]),
            models.Index(fields=["received_on", "structure"]),
            # Medians of the time to answer read this index in order (statistics.py).
            models.Index(
                fields=["answer_seconds"],
                include=["received_on", "structure"],
                condition=Q(answer_seconds__isnull=False, status__in=KEPT_STATUSES),
                name="testimony_answer_delays",
            ),
        ]

    def __str__(self):
        return f"Témoignage de {self.pseudonym} ({self.received_on:%d/%m/%Y}) — {self.structure}"

    # -- what the pages read ------------------------------------------------------

    @property
    def sentiment_symbol(self) -> str:
        return SENTIMENT_SYMBOLS.get(self.sentiment, "")

    @property
    def commitment_numbers(self) -> list[int]:
        return commitment_numbers(self.commitments)

    @property
    def commitment_words(self) -> list[str]:
        return [COMMITMENT_WORDS[n] for n in self.commitment_numbers]

    @property
    def is_new(self) -> bool:
        return self.status == Status.NEW

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def display_title(self) -> str:
        """The public title, or the first words of the public text."""
        if self.public_title:
            return self.public_title
        words = self.public_text.split()
        short = " ".join(words[:10])
        return short + ("…" if len(words) > 10 else "")

    @property
    def loop_closed(self) -> bool:
        """« Vous nous l’avez dit, nous l’avons fait »: its action is done."""
        return self.action_id is not None and self.action.status == ActionStatus.DONE

    # -- moderation -------------------------------------------------------------------

    @transaction.atomic
    def _moderate(self, status: str, by, **fields) -> None:
        before = tally.contribution(self)
        self.status = status
        self.moderated_at = timezone.now()
        self.moderated_by = by
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=["status", "moderated_at", "moderated_by", *fields])
        tally.apply(self.structure_id, self.received_on, before, tally.contribution(self))

    def _checked_public(self, public_title: str, public_text: str) -> dict:
        public_text = (public_text or "").strip()
        if not public_text:
            raise TestimonyError({"public_text": "Le texte publié ne peut pas être vide."})
        if len(public_text) > TEXT_MAX_LENGTH or len(public_title or "") > TITLE_MAX_LENGTH:
            raise TestimonyError({"public_text": "Le texte publié est trop long."})
        return {"public_title": (public_title or "").strip(), "public_text": public_text}

    def publish(self, by, *, public_title: str, public_text: str) -> None:
        """Shown on the structure's public page, as the moderator left it."""
        self._moderate(
            Status.PUBLISHED,
            by,
            reject_reason="",
            reject_note="",
            **self._checked_public(public_title, public_text),
        )

    def keep_private(self, by) -> None:
        """Read, answered and counted by the team; never shown to the public."""
        self._moderate(Status.PRIVATE, by, reject_reason="", reject_note="")

    def reject(self, by, *, reason: str, note: str = "") -> None:
        if reason not in RejectReason.values:
            raise TestimonyError({"reason": "Choisissez le motif du rejet."})
        self._moderate(Status.REJECTED, by, reject_reason=reason, reject_note=note.strip()[:300])

    # -- answers ------------------------------------------------------------------------

    def answer(self, by, *, text: str, signature: str) -> bool:
        """Record the service's answer (or a corrected one). Returns True
        for the first answer, which the author is told of."""
        text = (text or "").strip()
        if self.status not in KEPT_STATUSES:
            raise TestimonyError(
                {"text": "Publiez ou gardez le témoignage avant d’y répondre (modération)."}
            )
        if not text:
            raise TestimonyError({"text": "Écrivez la réponse."})
        if len(text) > ANSWER_MAX_LENGTH:
            raise TestimonyError(
                {"text": f"La réponse dépasse {ANSWER_MAX_LENGTH} caractères ({len(text)})."}
            )
        first = self.answered_at is None
        before = tally.contribution(self)
        now = timezone.now()
        self.answer_text = text
        self.answer_signature = (signature or "").strip()[:200]
        self.answered_by = by
        fields = ["answer_text", "answer_signature", "answered_by"]
        if first:
            self.answered_at = now
            self.answer_seconds = max(0, int((now - self.received_at).total_seconds()))
            fields += ["answered_at", "answer_seconds"]
        with transaction.atomic():
            self.save(update_fields=fields)
            tally.apply(self.structure_id, self.received_on, before, tally.contribution(self))
        return first

    def record_author_notified(self) -> None:
        self.author_notified_at = timezone.now()
        self.save(update_fields=["author_notified_at"])

    def link_action(self, action: ActionSheet | None) -> None:
        if action is not None and action.structure_id != self.structure_id:
            raise TestimonyError({"action": "Cette fiche action n’est pas celle de la structure."})
        self.action = action
        self.save(update_fields=["action"])

    # -- readers ------------------------------------------------------------------------

    def mark_useful(self, browser: str) -> bool:
        """Count one « utile » per browser (`browser`: the browser's random
        cookie). False when this browser already marked it."""
        digest = hashlib.sha256(browser.encode("utf-8")).hexdigest()
        try:
            with transaction.atomic():
                UsefulMark.objects.create(testimony=self, browser=digest)
                Testimony.objects.filter(pk=self.pk).update(useful_count=F("useful_count") + 1)
        except IntegrityError:
            return False
        self.useful_count += 1
        return True


class MonthlyTally(models.Model):
    """The counters of a structure's testimonies received in a month
    (`autodiag.testimonies.tally`: one column per counter)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    month = models.DateField("mois")  # its first day

    class Meta:
        verbose_name = "décompte mensuel des témoignages"
        verbose_name_plural = "décomptes mensuels des témoignages"
        constraints = [
            models.UniqueConstraint(fields=["structure", "month"], name="one_tally_per_month")
        ]
        indexes = [models.Index(fields=["month", "structure"])]

    def __str__(self):
        return f"Témoignages de {self.structure_id}, {self.month:%m/%Y}"


tally.add_counter_fields(MonthlyTally)


class UsefulMark(models.Model):
    """One browser found the answer useful (its cookie, hashed)."""

    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="useful_marks")
    browser = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "marque « utile »"
        constraints = [
            models.UniqueConstraint(fields=["testimony", "browser"], name="useful_once_per_browser")
        ]

    def __str__(self):
        return f"« Utile » pour {self.testimony_id}"


class AnswerTemplate(models.Model):
    """A reusable answer of a structure's team; « {pseudonyme} » is replaced
    by the author's pseudonym."""

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="answer_templates"
    )
    title = models.CharField("nom du modèle", max_length=100)
    body = models.TextField("texte", max_length=ANSWER_MAX_LENGTH)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "modèle de réponse"
        verbose_name_plural = "modèles de réponse"
        ordering = ["title"]

    def __str__(self):
        return self.title

    def for_testimony(self, testimony: Testimony) -> str:
        return self.body.replace("{pseudonyme}", testimony.pseudonym)
