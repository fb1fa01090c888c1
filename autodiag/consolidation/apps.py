from django.apps import AppConfig


class ConsolidationConfig(AppConfig):
    name = "autodiag.consolidation"
    verbose_name = "Résultats consolidés"

    def ready(self):
        from autodiag.consolidation import receivers  # noqa: F401 (connects the signals)
