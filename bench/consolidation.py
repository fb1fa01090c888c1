"""Benchmark: the consolidated statistics and pages at national scale, on
PostgreSQL, against the direct SQL percentile query measured in the same
run. Targets: the statistics of any scope in p50 ≤ 300 ms, the page in
p50 ≤ 500 ms.

    DATABASE_URL=postgres://…/wt_consolidation_scale .venv/bin/autodiag demo-data --structures 100000 --years 10
    DATABASE_URL=postgres://…/wt_consolidation_scale .venv/bin/python bench/consolidation.py [--runs N]

What is measured, for several scopes (national, the largest network, a
network, a region, a department) and two periods (the page's default, the
twelve months ending today, and the whole ten years):

- direct SQL: what a plain implementation would run, each structure's
  latest validated diagnostic of the period (DISTINCT ON) joined to its
  Score rows, then count, mean, minimum, maximum and exact median
  (percentile_cont) per figure; once for the global score and the
  commitments (9 medians), once for every figure (44);
- statistics: `consolidated_statistics` (every figure, exact), the lines
  of packed figures read in one range query and summarized with numpy;
- page: the consolidated report through Django's test client (three
  consolidations: the period, the previous one, the national figures).

The exactness of the fast figures is checked against the direct SQL query
in the same run (every commitment's median and the global median).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time

DIRECT = """
WITH latest AS (
    SELECT DISTINCT ON (d.structure_id) d.id
    FROM diagnostics_diagnostic d
    JOIN structures_structure s ON s.id = d.structure_id
    WHERE d.status = 'validated' AND d.questionnaire_id = %(version)s
      AND d.validated_at >= %(start)s AND d.validated_at < %(end)s {where}
    ORDER BY d.structure_id, d.validated_at DESC
)
SELECT sc.kind, sc.key, count(sc.score), avg(sc.score), min(sc.score), max(sc.score),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY sc.score)
FROM diagnostics_score sc JOIN latest ON latest.id = sc.diagnostic_id
{kinds}
GROUP BY sc.kind, sc.key
"""


def timed(function, runs: int) -> tuple[float, float, object]:
    function()  # warm-up
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[-1], result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--direct-runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autodiag.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from autodiag.accounts.models import User
    from autodiag.consolidation.models import ResultLine
    from autodiag.consolidation.statistics import Filters, consolidated_statistics
    from autodiag.questionnaires.models import QuestionnaireVersion
    from autodiag.structures.enums import ScopeKind
    from autodiag.structures.models import Network, Scope, Structure

    # `make bench` runs every benchmark: without the national dataset this
    # one says what it needs and steps aside.
    if connection.vendor != "postgresql":
        print(
            "consolidation : ignoré, ce banc se mesure sur PostgreSQL (DATABASE_URL) avec `autodiag demo-data`."
        )
        return 0
    lines = ResultLine.objects.count()
    if lines < 10_000:
        print(
            "consolidation : ignoré, lancez d’abord `autodiag demo-data --structures 100000 --years 10`."
        )
        return 0
    version = QuestionnaireVersion.objects.get(pk="sp-plus-2026")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0].split(" on ")[0]
    largest = (
        Network.objects.annotate(n=django.db.models.Count("structures")).order_by("-n").first()
    )
    cnaf = Network.objects.get(name__startswith="Caisse nationale des allocations familiales")

    def person(email, kind, network=None, regions=(), departments=()):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password="banc-consolidation-2026")
            Scope.objects.create(
                user=user,
                kind=kind,
                network=network,
                regions=list(regions),
                departments=list(departments),
            )
        return user

    scopes = [
        ("national", person("banc-national@bench.test", ScopeKind.NATIONAL), ""),
        (
            f"réseau le plus grand ({largest.name})",
            person("banc-reseau-grand@bench.test", ScopeKind.NETWORK, largest),
            f"AND s.network_id = {largest.pk}",
        ),
        (
            "réseau CNAF",
            person("banc-cnaf@bench.test", ScopeKind.NETWORK, cnaf),
            f"AND s.network_id = {cnaf.pk}",
        ),
        (
            "région 84 (territoire)",
            person("banc-region84@bench.test", ScopeKind.TERRITORY, regions=["84"]),
            "AND (s.region_code IN ('84'))",
        ),
        (
            "département 69 (territoire)",
            person("banc-69@bench.test", ScopeKind.TERRITORY, departments=["69"]),
            "AND (s.department_code IN ('69'))",
        ),
    ]
    today = datetime.date.today()
    periods = [
        ("12 mois", today - datetime.timedelta(days=364), today),
        ("10 ans", today - datetime.timedelta(days=3652), today),
    ]
    print(
        f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores, {server}"
    )
    print(
        f"{Structure.objects.count():,} structures, {lines:,} diagnostics validés (lignes), "
        f"{args.runs} mesures (direct : {args.direct_runs}), p50 en ms"
    )
    print(
        f"{'périmètre':<44}{'période':<9}{'diag.':>8}{'direct 9':>10}{'direct 44':>11}"
        f"{'stats':>8}{'max':>8}{'× 9':>7}{'× 44':>7}"
    )
    worst = 0.0
    exact = True
    for period_name, start, end in periods:
        filters = Filters(version, start, end)
        low, high = filters.bounds()
        for name, user, where in scopes:
            params = {"version": version.pk, "start": low, "end": high}

            def direct(kinds, where=where, params=params):
                with connection.cursor() as cursor:
                    cursor.execute(DIRECT.format(where=where, kinds=kinds), params)
                    return cursor.fetchall()

            d9, _, rows = timed(
                lambda: direct("WHERE sc.kind IN ('global', 'commitment')"), args.direct_runs
            )
            d44, _, _ = timed(lambda: direct(""), args.direct_runs)
            fast, slowest, result = timed(
                lambda user=user, filters=filters: consolidated_statistics(user, filters), args.runs
            )
            worst = max(worst, fast)
            for kind, key, count, _, _, _, median in rows:
                summary = result.summary(kind, key)
                # percentile_cont (a double): the mean of the two middle values
                # for an even count; ours is exact, so compare to 1e-9 point.
                if summary.count != count or abs(float(summary.median * 100) - median) > 1e-9:
                    exact = False
                    print(
                        f"  ÉCART {kind}:{key} {summary.count}≠{count} ou {summary.median}≠{median}"
                    )
            print(
                f"{name[:43]:<44}{period_name:<9}{result.count:>8,}{d9:>10.0f}{d44:>11.0f}"
                f"{fast:>8.0f}{slowest:>8.0f}{d9 / fast:>7.1f}{d44 / fast:>7.1f}"
            )
    print(f"\nstatistiques consolidées : pire p50 {worst:.0f} ms (cible ≤ 300 ms), "
          f"identiques à la requête directe : {'oui' if exact else 'NON'}")  # fmt: skip

    from django.core.cache import cache

    client = Client(HTTP_HOST="127.0.0.1")
    print(
        "\npages : « à froid » vide le cache avant chaque requête (chiffres nationaux et listes "
        "des filtres recalculés), « cache » les trouve déjà calculés pour la période"
    )
    print(f"{'page':<60}{'p50 ms':>9}{'max ms':>9}")
    page_worst = 0.0
    pages = (
        ("vision consolidée, à froid", "/perimetre/resultats/", True),
        ("vision consolidée, cache", "/perimetre/resultats/", False),
        ("structures (tri note globale)", "/perimetre/resultats/structures/?tri=global", False),
    )
    for name, user, _ in scopes:
        client.force_login(user)
        for label, url, cold in pages:

            def get(url=url, cold=cold):
                if cold:
                    cache.clear()
                return client.get(url)

            p50, slowest, response = timed(get, max(5, args.runs // 2))
            assert response.status_code == 200, (url, response.status_code)
            if label.startswith("vision"):
                page_worst = max(page_worst, p50)
            print(f"{(label + ' — ' + name)[:59]:<60}{p50:>9.0f}{slowest:>9.0f}")
    print(f"\npage de la vision consolidée : pire p50 {page_worst:.0f} ms (cible ≤ 500 ms)")
    return 0 if worst <= 300 and page_worst <= 500 and exact else 1


if __name__ == "__main__":
    sys.exit(main())
