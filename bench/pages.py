"""Benchmark: server time of the questionnaire pages, p50 over N requests,
against the simplest page of the site (the sign-in form) measured in the
same run. Target: a questionnaire page in ≤ 100 ms p50.

    .venv/bin/python bench/pages.py [--runs N]

Runs on a throwaway SQLite database with the demo data (or on
DATABASE_URL if set), through Django's test client: no network, so the
figure is the application's own time.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time


def measure(client, url, runs):
    client.get(url)  # warm-up: template loading, questionnaire cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="autodiag-bench-pages-")
    os.environ["AUTODIAG_VAR_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autodiag.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from autodiag.accounts.models import User
    from autodiag.diagnostics.models import Diagnostic

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("demo", stdout=quiet)
    # The demo préfecture's half-filled draft, which the demo agent fills in.
    draft = Diagnostic.objects.drafts().get(structure__code="PREF69ACC")
    client = Client(HTTP_HOST="127.0.0.1")
    baseline = measure(client, "/compte/connexion/", args.runs)
    client.force_login(User.objects.get(email="agent@demo.autodiag.fr"))
    pages = {
        "tableau de bord": "/",
        "section « Votre structure »": f"/diagnostics/{draft.pk}/sections/profil/",
        "section la plus longue (amélioration continue)": f"/diagnostics/{draft.pk}/sections/amelioration-continue/",
        "page de validation": f"/diagnostics/{draft.pk}/validation/",
    }
    print(f"{args.runs} requêtes par page, {django.db.connection.vendor}")
    print(f"{'page':<50}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}")
    print(f"{'base : page de connexion':<50}{baseline[0]:>9.1f}{baseline[1]:>9.1f}{1:>8.1f}")
    worst = 0.0
    for name, url in pages.items():
        p50, p99 = measure(client, url, args.runs)
        worst = max(worst, p50) if "section" in name else worst
        print(f"{name:<50}{p50:>9.1f}{p99:>9.1f}{p50 / baseline[0]:>8.1f}")
    print(f"\npage de questionnaire la plus lente : {worst:.1f} ms p50 (cible ≤ 100 ms)")
    return 0 if worst <= 100 else 1


if __name__ == "__main__":
    sys.exit(main())
