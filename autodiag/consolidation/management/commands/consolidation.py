"""`autodiag consolidation rebuild`: write the missing lines of figures and
the texts of every validated diagnostic from the frozen results (after a
restore, or to check them); existing lines are frozen and kept."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from autodiag.consolidation.models import STILL_LATEST
from autodiag.consolidation.rebuild import rebuild
from autodiag.french import count


class Command(BaseCommand):
    help = "Reconstruit les lignes de résultats consolidables à partir des résultats figés."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild"], help="rebuild : tout reconstruire")

    @transaction.atomic
    def handle(self, *args, **options):
        names = {
            "Diagnostic": "diagnostics",
            "Result": "diagnostics",
            "Score": "diagnostics",
            "QuestionnaireVersion": "questionnaires",
            "ResultLine": "consolidation",
            "SiteText": "consolidation",
        }
        models = {name: apps.get_model(app, name) for name, app in names.items()}
        written = rebuild(models, STILL_LATEST)
        self.stdout.write(
            f"{count(written, 'ligne de résultats reconstruite', 'lignes de résultats reconstruites')}."
        )
