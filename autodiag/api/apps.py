from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "autodiag.api"
    verbose_name = "API"
