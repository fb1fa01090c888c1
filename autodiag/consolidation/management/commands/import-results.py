"""`autodiag import-results FILE --par EMAIL [--dry-run]`: import the
earlier (2021–2025) results of a CSV file (docs/exports.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from autodiag.accounts.models import User
from autodiag.consolidation.history import apply_results, read_results
from autodiag.french import count
from autodiag.permissions import structures_in_scope


class Command(BaseCommand):
    help = "Importe les résultats antérieurs (version à 9 engagements) d’un fichier CSV."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--par",
            required=True,
            help="adresse de la personne qui importe (son périmètre s’applique)",
        )
        parser.add_argument("--dry-run", action="store_true", help="vérifier seulement")

    def handle(self, *args, file, par, dry_run, **options):
        user = User.objects.filter(email=par.strip().lower()).first()
        if user is None:
            raise CommandError(f"Aucun compte « {par} ».")
        path = Path(file)
        if not path.exists():
            raise CommandError(f"Fichier introuvable : {file}")
        preview = read_results(path.read_bytes(), structures_in_scope(user))
        for fault in preview.faults:
            self.stderr.write(str(fault))
        if preview.faults:
            raise CommandError(f"{count(len(preview.faults), 'erreur')} : rien n’est importé.")
        if dry_run:
            self.stdout.write(
                f"{count(len(preview.rows), 'résultat prêt', 'résultats prêts')} à importer "
                "(vérification seule)."
            )
            return
        imported = apply_results(preview, user)
        self.stdout.write(f"{count(imported, 'résultat importé', 'résultats importés')}.")
