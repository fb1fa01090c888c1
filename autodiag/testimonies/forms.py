"""The forms of listening to users: the public testimony form (signed out),
moderation, the answer, answer templates, the set-up, and the inbox's
filters. Every message is French and names the field."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from autodiag.testimonies.enums import (
    ANSWER_MAX_LENGTH,
    COMMITMENT_CHOICES,
    PSEUDONYM_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Channel,
    RejectReason,
    Sentiment,
)
from autodiag.testimonies.models import AnswerTemplate, Listening

HONEYPOT_FIELD = "site_internet"
DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


def error_summary(*forms_) -> list[dict]:
    """The error summary's links, one per message, to the field concerned."""
    errors = []
    for form in forms_:
        for name, messages in form.errors.items():
            anchor = form[name].auto_id if name in form.fields else "erreurs"
            label = form.fields[name].label if name in form.fields else ""
            # « Votre pseudonyme : … », never « … service ? : … » nor « …. : … »
            label = str(label).rstrip(" ?.:!\u00a0")
            for message in messages:
                errors.append(
                    {"anchor": anchor, "text": f"{label} : {message}" if label else message}
                )
    return errors


class TestimonyForm(DsfrBaseForm):
    """What a user tells about a visit or a contact."""

    text = forms.CharField(
        label="Racontez ce qui s’est passé",
        help_text=f"Ce qui s’est bien ou mal passé, ce que vous attendiez. {TEXT_MAX_LENGTH} caractères au plus. "
        "N’indiquez ni votre nom, ni votre numéro de dossier, ni vos coordonnées.",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Racontez en quelques mots ce qui s’est passé.",
            "max_length": "Votre texte dépasse %(limit_value)d caractères (il en compte %(show_value)d) : raccourcissez-le.",
        },
    )
    title = forms.CharField(
        label="Un titre pour votre témoignage",
        help_text="Par exemple : « Un accueil attentif pour mon dossier de retraite ».",
        max_length=TITLE_MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": "Le titre dépasse %(limit_value)d caractères (il en compte %(show_value)d)."
        },
    )
    happened_on = forms.DateField(
        label="Quand était-ce ?",
        help_text="Date de votre visite ou de votre contact.",
        required=False,
        widget=forms.DateInput(**DATE_WIDGET),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Indiquez une date au format JJ/MM/AAAA."},
    )
    channel = forms.ChoiceField(
        label="Comment étiez-vous en contact avec le service ?",
        choices=Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez comment vous étiez en contact avec le service."},
    )
    sentiment = forms.ChoiceField(
        label="Comment l’avez-vous vécu ?",
        choices=Sentiment.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Indiquez si vous êtes satisfait, ni l’un ni l’autre, ou insatisfait."
        },
    )
    commitments = forms.MultipleChoiceField(
        label="De quoi parle votre témoignage ?",
        help_text="Facultatif : cochez ce qui correspond le mieux.",
        choices=COMMITMENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    pseudonym = forms.CharField(
        label="Votre pseudonyme",
        help_text="Il sera affiché avec votre témoignage s’il est publié. Évitez vos nom et prénom.",
        max_length=PSEUDONYM_MAX_LENGTH,
        error_messages={
            "required": "Choisissez un pseudonyme (par exemple « rugby 71 »).",
            "max_length": "Le pseudonyme dépasse %(limit_value)d caractères.",
        },
    )
    email = forms.EmailField(
        label="Votre adresse électronique",
        help_text="Facultative : pour être prévenu par courriel de la réponse du service. "
        "Elle n’est jamais publiée. Format attendu : nom@domaine.fr",
        required=False,
        error_messages={
            "invalid": "Adresse électronique invalide (format attendu : nom@domaine.fr)."
        },
    )
    consent = forms.BooleanField(
        label="J’accepte que mon témoignage soit lu par l’équipe du service et, après relecture, "
        "publié sous mon pseudonyme sur la page publique du service.",
        error_messages={"required": "Cochez la case pour accepter que votre témoignage soit lu."},
    )
    # A field people never see nor reach (hidden with CSS, out of the tab
    # order, away from screen readers): robots that fill every field do.
    site_internet = forms.CharField(
        label="Ne remplissez pas ce champ",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_happened_on(self):
        day = self.cleaned_data.get("happened_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        if day and day < timezone.localdate() - datetime.timedelta(days=3 * 365):
            raise forms.ValidationError("La date remonte à plus de trois ans.")
        return day

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 10:
            raise forms.ValidationError("Votre texte est trop court : au moins 10 caractères.")
        return text

    def clean_pseudonym(self):
        return " ".join(self.cleaned_data["pseudonym"].split())

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def testimony_fields(self) -> dict:
        from autodiag.testimonies.models import commitments_mask

        data = self.cleaned_data
        return {
            "title": data["title"].strip(),
            "text": data["text"],
            "happened_on": data["happened_on"],
            "channel": data["channel"],
            "sentiment": data["sentiment"],
            "commitments": commitments_mask(data["commitments"]),
            "pseudonym": data["pseudonym"],
            "email": data["email"].strip().lower(),
        }


DECISIONS = [
    ("publish", "Publier sur la page publique du service"),
    ("private", "Garder privé (lu et traité par l’équipe, jamais publié)"),
    ("reject", "Rejeter"),
]


class ModerationForm(DsfrBaseForm):
    decision = forms.ChoiceField(
        label="Décision",
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une décision."},
    )
    public_title = forms.CharField(
        label="Titre publié", max_length=TITLE_MAX_LENGTH, required=False
    )
    public_text = forms.CharField(
        label="Texte publié",
        help_text="Les données personnelles repérées sont déjà remplacées par « [masqué] ». "
        "Masquez de même tout nom, numéro ou adresse restant. Le texte d’origine reste visible "
        "de l’équipe seulement.",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
    )
    reject_reason = forms.ChoiceField(
        label="Motif du rejet",
        choices=[("", "Choisir un motif"), *RejectReason.choices],
        required=False,
    )
    reject_note = forms.CharField(label="Précision", max_length=300, required=False)

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == "publish" and not (data.get("public_text") or "").strip():
            self.add_error("public_text", "Le texte publié ne peut pas être vide.")
        if decision == "reject" and not data.get("reject_reason"):
            self.add_error("reject_reason", "Choisissez le motif du rejet.")
        return data


class AnswerForm(DsfrBaseForm):
    text = forms.CharField(
        label="Réponse du service",
        help_text="Remerciez l’usager, dites ce que vous avez appris et ce qui change. "
        "Elle est publiée avec le témoignage s’il est public.",
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "required": "Écrivez la réponse.",
            "max_length": "La réponse dépasse %(limit_value)d caractères (elle en compte %(show_value)d).",
        },
    )
    signature = forms.CharField(label="Signature", max_length=200)


class AnswerTemplateForm(forms.ModelForm, DsfrBaseForm):
    class Meta:
        model = AnswerTemplate
        fields = ["title", "body"]
        help_texts = {"body": "« {pseudonyme} » sera remplacé par le pseudonyme de l’auteur."}
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}


class ListeningForm(forms.ModelForm, DsfrBaseForm):
    class Meta:
        model = Listening
        fields = ["is_open", "signature"]
        labels = {"is_open": "Recevoir des témoignages (lien court, carte, affiche)"}
        help_texts = {"signature": "Signe chaque réponse, par exemple « L’équipe de l’accueil »."}


INBOX_TABS = {
    "a-moderer": "À modérer",
    "a-repondre": "À répondre",
    "repondus": "Réponse apportée",
    "rejetes": "Rejetés",
    "tous": "Tous",
}


@dataclass
class InboxFilters:
    tab: str
    channel: str
    sentiment: str
    commitment: int | None
    start: datetime.date | None
    end: datetime.date | None


def _day(value: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def read_inbox_filters(query) -> tuple[InboxFilters, dict[str, str], dict[str, str]]:
    """The inbox's filters from a query string: the filters (wrong values
    dropped), the values as typed, and a French message per wrong value."""
    values = {
        name: str(query.get(name, "")).strip()
        for name in ("onglet", "canal", "ressenti", "engagement", "du", "au")
    }
    errors: dict[str, str] = {}
    tab = values["onglet"] or "a-moderer"
    if tab not in INBOX_TABS:
        errors["onglet"] = f"Onglet inconnu : « {tab} »."
        tab = "a-moderer"
    channel = values["canal"]
    if channel and channel not in Channel.values:
        errors["canal"] = f"Canal inconnu : « {channel} »."
        channel = ""
    sentiment = values["ressenti"]
    if sentiment and sentiment not in Sentiment.values:
        errors["ressenti"] = f"Ressenti inconnu : « {sentiment} »."
        sentiment = ""
    commitment = None
    if values["engagement"]:
        if values["engagement"] in {key for key, _ in COMMITMENT_CHOICES}:
            commitment = int(values["engagement"])
        else:
            errors["engagement"] = f"Engagement inconnu : « {values['engagement']} » (1 à 8)."
    dates = {}
    for name, label in (("du", "début"), ("au", "fin")):
        dates[name] = None
        if values[name]:
            try:
                dates[name] = _day(values[name])
            except ValueError:
                errors[name] = (
                    f"Date de {label} invalide : « {values[name]} » (format attendu JJ/MM/AAAA)."
                )
    if dates["du"] and dates["au"] and dates["du"] > dates["au"]:
        errors["au"] = "La date de fin doit suivre la date de début."
        dates["au"] = None
    return (
        InboxFilters(tab, channel, sentiment, commitment, dates["du"], dates["au"]),
        values,
        errors,
    )
