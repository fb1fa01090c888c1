from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "autodiag.actions"
    verbose_name = "Plans d’actions"
