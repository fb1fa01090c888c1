"""Benchmark: `autodiag import-structures` on a realistic 100,000-line
referential (20 networks, real departments, postal codes that match them,
half the rows with an e-mail), on a throwaway SQLite database, against
baselines measured in the same run.

- baseline « csv » : Python's csv module reading the file into lists, the
  least any reader pays;
- baseline « bulk_create » : Django's bare `bulk_create` of the same rows
  already parsed (no reading, no validation, no comparison), rolled back;
- first import: the command on an empty table (read, validate, plan,
  write); target ≤ 60 s;
- re-import: the same file with 1 % of the rows changed and 1 % missing
  (those become inactive), the usual yearly case;
- dry run of the re-import.

Wall-clock and CPU times are both given. A temporary directory holds the
file and the database; nothing else is touched. Figures and machine:
docs/BENCHMARKS.md.

    .venv/bin/python bench/import_structures.py [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_S = 60.0
NETWORKS = [
    "CNAF",
    "CNAM",
    "CNAV",
    "France Travail",
    "MSA",
    "URSSAF",
    "DGFiP",
    "Ministère de l’Intérieur",
    "Ministère de la Justice",
    "France Services",
    "La Poste",
    "ANTS",
    "Douanes",
    "CPAM des Hauts-de-Seine",
    "Éducation nationale",
    "Hôpitaux publics",
    "Communes",
    "Départements",
    "Régions",
    "Agirc-Arrco",
]
TYPOLOGIES = ["etat", "operateur", "collectivite", "hopital", "enseignement"]
HEADER = [
    "Code Services Publics+",
    "Nom de la structure",
    "Réseau ou opérateur",
    "Typologie",
    "Type de structure",
    "Code postal",
    "Département",
    "Adresse électronique",
]


def setup_django(var_dir: str) -> None:
    os.environ["AUTODIAG_VAR_DIR"] = var_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autodiag.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def postal_code(rng: random.Random, department: str) -> str:
    if department == "2A":
        return f"20{rng.choice('01')}{rng.randrange(100):02d}"
    if department == "2B":
        return f"20{rng.choice('26')}{rng.randrange(100):02d}"
    if len(department) == 3:
        return f"{department}{rng.randrange(100):02d}"
    return f"{department}{rng.randrange(1000):03d}"


def make_rows(count: int, seed: int = 2026) -> list[list[str]]:
    from autodiag import territories

    rng = random.Random(seed)
    departments = territories.departments()
    rows = []
    for number in range(count):
        network_index = number % len(NETWORKS)
        department = rng.choice(departments)
        code = f"SP{network_index:02d}{number:07d}"
        rows.append(
            [
                code,
                f"{NETWORKS[network_index]} — accueil de {department.name} n° {number}",
                NETWORKS[network_index],
                TYPOLOGIES[network_index % len(TYPOLOGIES)],
                "Site d’accueil du public" if number % 3 else "",
                postal_code(rng, department.code),
                department.code,
                f"accueil.{code.lower()}@exemple.gouv.fr" if number % 2 else "",
            ]
        )
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def run_command(path: Path, *options: str) -> str:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("import-structures", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def bare_bulk_create(rows: list[list[str]]) -> None:
    from django.db import transaction

    from autodiag import territories
    from autodiag.structures.models import Network, Structure

    with transaction.atomic():
        networks = {name: Network.objects.create(name=f"{name} (base)") for name in NETWORKS}
        Structure.objects.bulk_create(
            Structure(
                code=row[0],
                name=row[1],
                network=networks[row[2]],
                typology=row[3],
                structure_type=row[4],
                postal_code=row[5],
                department_code=row[6],
                region_code=territories.department(row[6]).region_code,
                contact_email=row[7],
            )
            for row in rows
        )
        transaction.set_rollback(True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as bench/scoring.py

    with tempfile.TemporaryDirectory(prefix="autodiag-bench-import-") as var_dir:
        setup_django(var_dir)
        from autodiag.structures.models import Structure

        rows = make_rows(args.rows)
        first = Path(var_dir) / "referentiel.csv"
        write_csv(first, rows)

        rng = random.Random(7)
        indexes = list(range(len(rows)))
        rng.shuffle(indexes)
        one_percent = len(rows) // 100
        changed = set(indexes[:one_percent])
        missing = set(indexes[one_percent : 2 * one_percent])
        second_rows = []
        for index, row in enumerate(rows):
            if index in missing:
                continue
            if index in changed:
                row = [*row[:1], row[1] + " (nouvelle adresse)", *row[2:]]
            second_rows.append(row)
        second = Path(var_dir) / "referentiel-2.csv"
        write_csv(second, second_rows)

        def read_with_csv():
            with first.open(encoding="utf-8", newline="") as handle:
                return list(csv.reader(handle, delimiter=";"))

        results = []
        wall, cpu, _ = timed(read_with_csv)
        results.append(("base : csv.reader seul", len(rows), wall, cpu, ""))
        wall, cpu, _ = timed(lambda: bare_bulk_create(rows))
        results.append(("base : bulk_create nu", len(rows), wall, cpu, ""))
        assert not Structure.objects.exists()

        wall, cpu, out = timed(lambda: run_command(first))
        first_wall = wall
        results.append(("premier import", len(rows), wall, cpu, summary(out)))
        assert Structure.objects.count() == len(rows)

        wall, cpu, out = timed(lambda: run_command(second, "--dry-run"))
        results.append(("réimport, simulation", len(second_rows), wall, cpu, summary(out)))
        wall, cpu, out = timed(lambda: run_command(second))
        second_wall = wall
        results.append(("réimport 1 % modif. 1 % abs.", len(second_rows), wall, cpu, summary(out)))
        assert Structure.objects.filter(is_active=False).count() == one_percent
        size = first.stat().st_size

    print(
        f"Python {platform.python_version()} on {platform.machine()}, one core, "
        f"SQLite, {thousands(len(rows))} lignes ({size / 1e6:.1f} Mo)"
    )
    print(f"{'mesure':<30} {'lignes':>8} {'mur s':>7} {'CPU s':>7}  résultat")
    csv_wall = results[0][2]
    for label, count, wall, cpu, outcome in results:
        print(f"{label:<30} {count:>8} {wall:>7.2f} {cpu:>7.2f}  {outcome}")
    slowest = max(first_wall, second_wall)
    print(
        f"\nplus lent : {slowest:.1f} s pour {thousands(len(rows))} lignes "
        f"(cible ≤ {TARGET_S:.0f} s), {slowest / csv_wall:.0f} × la lecture csv seule"
    )
    return 0 if slowest <= TARGET_S else 1


def thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def summary(out: str) -> str:
    figures = {}
    for line in out.splitlines():
        if " : " in line and line.startswith("  "):
            label, value = line.strip().rsplit(" : ", 1)
            figures[label.split()[1]] = value
    keys = [("créées", "cr"), ("mises", "maj"), ("inchangées", "inch"), ("désactivées", "désact")]
    return " ".join(f"{short} {figures.get(key, '?')}" for key, short in keys)


if __name__ == "__main__":
    sys.exit(main())
