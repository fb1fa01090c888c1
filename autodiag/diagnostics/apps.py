from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "autodiag.diagnostics"
    verbose_name = "Diagnostics"
