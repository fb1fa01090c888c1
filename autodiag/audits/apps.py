from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "autodiag.audits"
    verbose_name = "Audits du label"
