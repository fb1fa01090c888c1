from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "autodiag.accounts"
    verbose_name = "Comptes"
