"""The forms of the action plan: a sheet, a review (one action, or every
open action at once for the monthly review), and the plan's filters.

The rules of a review live in `ActionSheet.review_problems`; the forms
show its messages beside the fields they concern.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from autodiag.accounts.models import User
from autodiag.actions.enums import TRANSITIONS, ActionStatus
from autodiag.actions.models import ActionSheet
from autodiag.actions.themes import commitments_with_themes, parse_theme_key, theme_key
from autodiag.collation import by_name
from autodiag.questionnaires.schema import Questionnaire

LATE = "en-retard"
DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


def theme_choices(version: Questionnaire) -> list:
    """The "engagement et thématique" list, one group per commitment; each
    option names its commitment, so that it reads well on its own."""
    groups = []
    for commitment in commitments_with_themes(version):
        options = [
            (theme_key(commitment.number), f"{commitment.number} — l’engagement dans son ensemble")
        ]
        options += [
            (theme_key(commitment.number, theme.section_id), f"{commitment.number} — {theme.title}")
            for theme in commitment.themes
        ]
        groups.append((f"Engagement {commitment.number} : {commitment.title}", options))
    return groups


def people_of(structure, *keep) -> forms.models.QuerySet:
    """The structure's members, and whoever a sheet already names (they
    stay selectable after leaving the team)."""
    kept = [user.pk for user in keep if user is not None]
    return (
        User.objects.filter(Q(memberships__structure=structure) | Q(pk__in=kept))
        .distinct()
        .order_by(by_name("last_name"), by_name("first_name"), "email")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class ActionSheetForm(forms.ModelForm, DsfrBaseForm):
    engagement = forms.ChoiceField(
        label="Engagement et thématique",
        help_text="L’engagement Services Publics+ que l’action sert, et la thématique du "
        "questionnaire qu’elle vise.",
    )

    class Meta:
        model = ActionSheet
        fields = [
            "title",
            "responsible",
            "contributors",
            "other_contributors",
            "start_date",
            "planned_end_date",
            "problem",
            "objective",
            "description",
            "indicators",
            "expected_results",
            "users_asked",
        ]
        field_classes = {"responsible": PersonChoiceField, "contributors": PeopleChoiceField}
        labels = {
            "title": "Libellé de l’action",
            "responsible": "Responsable de l’action",
            "contributors": "Contributeurs de l’équipe",
            "other_contributors": "Autres contributeurs",
            "start_date": "Démarrage de l’action",
            "planned_end_date": "Fin prévue de l’action",
            "problem": "Problématique identifiée",
            "objective": "Objectif",
            "description": "Descriptif de l’action",
            "indicators": "Indicateurs de suivi de l’action",
            "expected_results": "Résultats attendus",
            "users_asked": "« Vous nous l’avez demandé » : l’action répond à des propositions d’usagers",
        }
        help_texts = {
            "title": "Une phrase courte, lisible par les usagers : elle figure sur l’affiche.",
            "other_contributors": "Usagers du comité local, élus, partenaires : personnes sans "
            "compte sur la plateforme.",
            "start_date": "Format attendu : JJ/MM/AAAA",
            "planned_end_date": "Format attendu : JJ/MM/AAAA. Passée cette date, une action "
            "ni réalisée ni abandonnée est signalée en retard.",
            "objective": "Figure sur l’affiche et la page publique.",
            "description": "Exemple : augmenter le taux de décroché de 70 à 75 % sur les "
            "6 prochains mois.",
            "indicators": "Vos résultats d’autodiagnostic peuvent par exemple servir "
            "d’indicateurs de suivi.",
            "expected_results": "Objectifs opérationnels, taux de satisfaction…",
            "users_asked": "L’affiche et la page publique le signalent.",
        }
        widgets = {
            "contributors": forms.CheckboxSelectMultiple,
            "start_date": forms.DateInput(**DATE_WIDGET),
            "planned_end_date": forms.DateInput(**DATE_WIDGET),
            "problem": forms.Textarea(attrs={"rows": 12}),
            "objective": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "indicators": forms.Textarea(attrs={"rows": 3}),
            "expected_results": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = ["engagement", *Meta.fields]

    # Each message names what is missing: it is read alone in the summary.
    MESSAGES = {
        "engagement": {"required": "Choisissez l’engagement et la thématique que l’action sert."},
        "title": {"required": "Indiquez le libellé de l’action."},
        "responsible": {
            "required": "Choisissez le responsable de l’action.",
            "invalid_choice": "Choisissez le responsable parmi les membres de l’équipe.",
        },
        "contributors": {
            "invalid_choice": "Choisissez les contributeurs parmi les membres de l’équipe."
        },
        "start_date": {
            "required": "Indiquez la date de démarrage de l’action.",
            "invalid": "Date de démarrage invalide : utilisez le format JJ/MM/AAAA.",
        },
        "planned_end_date": {
            "required": "Indiquez la date de fin prévue de l’action.",
            "invalid": "Date de fin prévue invalide : utilisez le format JJ/MM/AAAA.",
        },
        "problem": {"required": "Décrivez la problématique identifiée."},
        "objective": {"required": "Indiquez l’objectif de l’action."},
    }

    def __init__(self, *args, structure, version: Questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["engagement"].choices = [
            ("", "Choisir une thématique"),
            *theme_choices(version),
        ]
        sheet = self.instance
        if sheet.pk:
            self.initial.setdefault("engagement", theme_key(sheet.commitment, sheet.theme))
        keep = [sheet.responsible, *sheet.contributors.all()] if sheet.pk else []
        people = people_of(structure, *keep)
        self.fields["responsible"].queryset = people
        self.fields["responsible"].required = True
        self.fields["responsible"].empty_label = "Choisir une personne de l’équipe"
        self.fields["contributors"].queryset = people
        self.fields["contributors"].required = False
        for name, messages in self.MESSAGES.items():
            self.fields[name].error_messages.update(messages)

    def clean_engagement(self):
        parsed = parse_theme_key(self.cleaned_data["engagement"])
        if parsed is None:
            raise forms.ValidationError(self.MESSAGES["engagement"]["required"])
        return parsed

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("planned_end_date")
        if start and end and end < start:
            self.add_error(
                "planned_end_date",
                "La fin prévue doit être le jour du démarrage ou après "
                f"(démarrage le {start.strftime('%d/%m/%Y')}).",
            )
        if "engagement" in cleaned:
            self.instance.commitment, self.instance.theme = cleaned["engagement"]
        return cleaned

    def sheet_fields(self) -> dict:
        """The model fields of a new sheet (the contributors apart)."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields.pop("contributors")
        fields["commitment"], fields["theme"] = self.cleaned_data["engagement"]
        return fields


def status_choices(sheet: ActionSheet) -> list[tuple[str, str]]:
    """The states a review may give the sheet, its current one first."""
    allowed = TRANSITIONS[ActionStatus(sheet.status)]
    return [(sheet.status, sheet.get_status_display())] + [
        (status.value, status.label)
        for status in ActionStatus
        if status in allowed and status != sheet.status
    ]


class ReviewFields(forms.Form):
    """A review's state, progress and note, for one sheet; the date is
    given by the page (one date for the monthly review)."""

    status = forms.ChoiceField(label="État")
    progress = forms.IntegerField(
        label="Avancement (%)",
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Indiquez l’avancement, de 0 à 100 %.",
            "invalid": "L’avancement est un nombre entier de 0 à 100.",
            "min_value": "L’avancement est un nombre entier de 0 à 100.",
            "max_value": "L’avancement est un nombre entier de 0 à 100.",
        },
        help_text="De 0 à 100 ; une action réalisée est à 100 %.",
    )
    note = forms.CharField(
        label="Note de revue",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Ce qui a été fait, les difficultés, la suite. Obligatoire pour abandonner.",
    )

    # The state the page showed: a teammate may have changed it since.
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, sheet: ActionSheet, on=None, **kwargs):
        kwargs.setdefault("initial", {"status": sheet.status, "progress": sheet.progress})
        kwargs["initial"].setdefault("seen_status", sheet.status)
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.on = on
        self.fields["status"].choices = status_choices(sheet)

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_status")
        if seen and seen != self.sheet.status:
            self.add_error(
                None,
                "Un membre de l’équipe a fait le point sur cette action depuis l’ouverture de la "
                f"page (elle est maintenant « {self.sheet.get_status_display().lower()} ») : "
                "rechargez la page pour repartir de son état actuel.",
            )
            return cleaned
        if "status" not in cleaned:
            return cleaned
        problems = self.sheet.review_problems(
            on=self.on,
            status=cleaned["status"],
            progress=cleaned.get("progress"),
            note=cleaned.get("note", ""),
        )
        for field, message in problems.items():
            # The monthly review's rows have no date of their own.
            self.add_error(field if field in self.fields else None, message)
        return cleaned


class ReviewRowForm(ReviewFields, DsfrBaseForm):
    pass


class ReviewDateForm(DsfrBaseForm):
    reviewed_on = forms.DateField(
        label="Date de la revue",
        widget=forms.DateInput(**DATE_WIDGET),
        help_text="Format attendu : JJ/MM/AAAA",
        error_messages={
            "required": "Indiquez la date de la revue.",
            "invalid": "Date invalide : utilisez le format JJ/MM/AAAA.",
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"reviewed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_reviewed_on(self):
        day = self.cleaned_data["reviewed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("La date de la revue ne peut pas être dans le futur.")
        return day


class ReviewForm(ReviewDateForm, ReviewFields):
    """One review, on the sheet's page: the date, the state, the progress
    and the note."""

    field_order = ["reviewed_on", "status", "progress", "note"]

    def __init__(self, *args, sheet: ActionSheet, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "reviewed_on": timezone.localdate(),
                "status": sheet.status,
                "progress": sheet.progress,
            },
        )
        super().__init__(*args, sheet=sheet, **kwargs)

    def clean(self):
        self.on = self.cleaned_data.get("reviewed_on")
        return super().clean()


class FilterChoiceField(forms.ChoiceField):
    """A filter's list: its empty choice ("Tous…") is a valid answer, and
    the DSFR does not mark it "(Optionnel)" (the form sets no `required`
    attribute in the page either)."""

    def validate(self, value):
        if value in self.empty_values:
            return
        super().validate(value)


class PlanFilterForm(DsfrBaseForm):
    use_required_attribute = False

    statut = FilterChoiceField(label="État")
    engagement = FilterChoiceField(label="Engagement")
    responsable = FilterChoiceField(label="Responsable")

    def __init__(self, *args, version: Questionnaire, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statut"].choices = [
            ("", "Tous les états"),
            *ActionStatus.choices,
            (LATE, "En retard (à lancer ou en cours, échéance passée)"),
        ]
        self.fields["engagement"].choices = [("", "Tous les engagements")] + [
            (str(c.number), f"{c.number}. {c.title}") for c in version.commitments
        ]
        self.fields["responsable"].choices = [("", "Toutes les personnes")] + [
            (str(person.pk), person.display_name) for person in people
        ]

    def apply(self, queryset):
        """The sheets the valid filters keep (an invalid one is ignored,
        and shown in error)."""
        if not self.is_valid():
            return queryset
        status = self.cleaned_data.get("statut")
        if status == LATE:
            queryset = queryset.late()
        elif status:
            queryset = queryset.with_status(status)
        if self.cleaned_data.get("engagement"):
            queryset = queryset.serving(int(self.cleaned_data["engagement"]))
        if self.cleaned_data.get("responsable"):
            queryset = queryset.led_by(int(self.cleaned_data["responsable"]))
        return queryset

    @property
    def active(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)
