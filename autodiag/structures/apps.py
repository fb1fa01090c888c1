from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "autodiag.structures"
    verbose_name = "Structures"
