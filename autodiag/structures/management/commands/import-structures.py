"""`autodiag import-structures FICHIER [--dry-run]`: import a referential of
structures (CSV or XLSX, docs/referential.md) as a national administrator
would, for files too large for the browser. Exit code 1 and the faults if
the file has any; nothing is written then."""

import sys

from django.core.management.base import BaseCommand, CommandError

from autodiag import french
from autodiag.french import suffix
from autodiag.structures.referential import (
    ReferentialError,
    apply_referential,
    plan_referential,
    read_referential,
)

SHOWN_FAULTS = 50


class ProgressBar:
    """A text bar on stderr, redrawn when its percentage changes."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.shown = None

    def __call__(self, phase, done, total):
        total = max(total or done, done, 1)
        percent = done * 100 // total
        if (phase, percent) == self.shown:
            return
        self.shown = (phase, percent)
        filled = self.WIDTH * done // total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        line = f"\r{phase:<9} [{bar}] {percent:3d} % ({done:,} lignes)".replace(",", "\u202f")
        self.stream.write(line + ("\n" if done >= total else ""), ending="")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Importe un référentiel de structures (CSV ou XLSX, voir docs/referential.md) : "
        "mise à jour par code, structures absentes du fichier désactivées dans leur réseau."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FICHIER")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="vérifier le fichier et afficher ce qui changerait, sans rien écrire",
        )

    def handle(self, *args, file, dry_run, **options):
        bar = ProgressBar(self.stderr)
        try:
            preview = read_referential(file, progress=bar)
        except OSError as exc:
            raise CommandError(f"fichier illisible « {file} » : {exc.strerror}") from exc
        if preview.faults:
            self.print_faults(preview.faults)
            sys.exit(1)
        try:
            if dry_run:
                counts = plan_referential(preview).counts
            else:
                counts = apply_referential(preview, progress=bar)
        except ReferentialError as exc:
            self.print_faults(exc.faults)
            sys.exit(1)
        if preview.ignored_columns:
            ignored = ", ".join(f"« {name} »" for name in preview.ignored_columns)
            self.stdout.write(f"Colonnes ignorées : {ignored}")
        verb = "Simulation (rien n’est écrit)" if dry_run else "Import terminé"
        lines = french.count(preview.lines, "ligne lue", "lignes lues")
        self.stdout.write(f"{verb} : {lines} dans « {preview.filename} ».")
        for label, value in (
            ("structures créées", counts.created),
            ("structures mises à jour", counts.updated),
            ("structures inchangées", counts.unchanged),
            ("structures réactivées", counts.reactivated),
            ("structures désactivées (absentes du fichier)", counts.deactivated),
            ("réseaux créés", counts.networks_created),
        ):
            self.stdout.write(f"  {label} : {value}")

    def print_faults(self, faults):
        count = len(faults)
        lines = len({fault.line for fault in faults})
        self.stdout.write(
            f"Référentiel refusé, rien n’est écrit : {count} erreur{suffix(count)} "
            f"sur {lines} ligne{suffix(lines)}."
        )
        for fault in faults[:SHOWN_FAULTS]:
            self.stdout.write(f"  - {fault}")
        if count > SHOWN_FAULTS:
            self.stdout.write(f"  … et {french.count(count - SHOWN_FAULTS, 'autre')}.")
