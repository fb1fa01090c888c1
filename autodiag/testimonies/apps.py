from django.apps import AppConfig


class TestimoniesConfig(AppConfig):
    name = "autodiag.testimonies"
    verbose_name = "Écoute des usagers"
