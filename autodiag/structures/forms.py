from django import forms
from django.contrib.auth.password_validation import validate_password
from dsfr.forms import DsfrBaseForm

from autodiag.structures.enums import Role


class InvitationForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Adresse électronique de la personne invitée",
        help_text="Format attendu : prenom.nom@exemple.gouv.fr",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label="Rôle",
        choices=Role.choices,
        initial=Role.AGENT,
        widget=forms.RadioSelect,
        help_text="Un responsable valide les diagnostics et gère l’équipe.",
    )

    def __init__(self, *args, managers_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        if managers_only:
            self.fields["role"].choices = [(Role.MANAGER, Role.MANAGER.label)]
            self.fields["role"].initial = Role.MANAGER
            self.fields["role"].help_text = "Vous désignez le premier responsable de la structure."


class NewAccountForm(DsfrBaseForm):
    first_name = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password1 = forms.CharField(
        label="Mot de passe",
        help_text="Au moins 12 caractères, ni trop courant ni proche de votre nom.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif first:
            from autodiag.accounts.models import User

            try:
                validate_password(first, User(email=self.email, first_name=cleaned.get("first_name", ""),
                                              last_name=cleaned.get("last_name", "")))  # fmt: skip
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
