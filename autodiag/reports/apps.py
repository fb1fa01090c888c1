from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "autodiag.reports"
    verbose_name = "Rapports"
