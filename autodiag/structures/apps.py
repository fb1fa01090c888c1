from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "autodiag.structures"
    verbose_name = "Structures"

    def ready(self):
        # Registers the French collation on every SQLite connection.
        from autodiag import collation  # noqa: F401
