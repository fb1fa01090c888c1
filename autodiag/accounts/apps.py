from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "autodiag.accounts"
    verbose_name = "Comptes"

    def ready(self):
        from autodiag import checks  # noqa: F401  (registers the deployment checks)
