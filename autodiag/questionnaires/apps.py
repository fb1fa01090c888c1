from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "autodiag.questionnaires"
    verbose_name = "Questionnaires"
