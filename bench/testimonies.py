"""Benchmark of listening to users (issue 15), each figure beside a
baseline measured in the same run:

1. **posting a testimony** under gunicorn with 10 concurrent clients: each
   client (a thread with its own HTTP connection, threads over two
   processes) reads the form once for its CSRF cookie, then posts the
   public form (`POST /t/<code>`: CSRF, rate limits in the cache, form
   validation, masking, one INSERT, redirect) for a fixed time after a
   warm-up. Baseline: a bare endpoint under the same gunicorn and
   middleware (`bench/bare_testimony_urls.py`: one INSERT into the same
   table, no CSRF, limits or validation). Target: p50 ≤ 30 ms on PostgreSQL.
2. **a structure's inbox with 10,000 testimonies** (Django's test client,
   signed in as the manager): the default tab, every testimony, and with
   filters. Baseline: the two queries the page cannot avoid (the count and
   the page of 25 rows). Target: p50 ≤ 100 ms.
3. **the national dashboard over 1,000,000 testimonies** (10,000
   structures, a year): the consolidated view's figures for a national
   administrator (`statistics.dashboard` and `never_answering`), then the
   page itself. Baseline: `SELECT count(*)` of the period. Target ≤ 500 ms.

    .venv/bin/python bench/testimonies.py [--pg-url URL] [--duration 5] [--skip-million]

The database (by default postgres://postgres@127.0.0.1:5432/h15, this
helper's own) is emptied and rebuilt: never point it at data you keep.
gunicorn listens on 127.0.0.1:8151 and 8152 only; every loop is bounded by
time; gunicorn is stopped at the end, on error too. Figures and machine:
docs/BENCHMARKS.md, "Listening to users".
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import platform
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
HOST = "127.0.0.1"
PORTS = {"form": 8151, "bare": 8152}
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/h15"
CLIENTS = 10
PROCESSES = 2
WORKERS = 2
THREADS = 4
WARM_UP = 1.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def env_for(database_url: str, workdir: Path, settings: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE=settings,
        DEBUG="0",
        SECRET_KEY="bench-" + secrets.token_urlsafe(32),
        ALLOWED_HOSTS=HOST,
        AUTODIAG_VAR_DIR=str(workdir / "var"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        # The limits are what is measured (one cache round trip each), not a wall.
        TESTIMONY_LIMIT_PER_ADDRESS="1000000000",
        TESTIMONY_LIMIT_PER_STRUCTURE="1000000000",
    )
    return env


def child(env: dict, *args: str, timeout: int = 3600) -> dict:
    """Run a phase of this script in a child process with Django set up
    (this process never loads Django); its last line is JSON."""
    done = subprocess.run(
        [PYTHON, __file__, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} a échoué :\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- phases run in a child process -------------------------------------------------------


def _setup():
    import django

    django.setup()


def _reset() -> None:
    """Empty the database and migrate it."""
    _setup()
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command("demo", stdout=quiet)
    from autodiag.testimonies.models import Listening

    listening = Listening.objects.get(structure__code="CAF69LYO1")
    print(json.dumps({"code": listening.short_code, "structure": listening.structure_id}))


def _inbox() -> None:
    """10,000 testimonies on one structure, then the inbox timed."""
    _setup()
    import random

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from autodiag.accounts.models import User
    from autodiag.structures.models import Structure
    from autodiag.testimonies import tally
    from autodiag.testimonies.models import Testimony

    structure = Structure.objects.create(
        code="BENCHINBOX", name="Structure du banc d’essai", network_id=1, typology="operateur",
        department_code="69", region_code="84",
    )  # fmt: skip
    manager = User.objects.get(email="responsable@demo.autodiag.fr")
    structure.memberships.create(user=manager, role="manager")
    rng = random.Random(15)
    now = timezone.now()
    rows = []
    for n in range(10_000):
        received = now - timezone.timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        status = rng.choice(["new", "published", "published", "private", "rejected"])
        answered = status in ("published", "private") and rng.random() < 0.6
        rows.append(
            Testimony(
                structure=structure, text=f"Témoignage numéro {n} : accueil, attente, délai.",
                channel=rng.choice(["accueil-physique", "telephone", "courriel", "internet"]),
                sentiment=rng.choice(["satisfied", "neutral", "dissatisfied"]),
                commitments=rng.choice([0, 2, 16, 18, 48]), pseudonym=f"usager {n}",
                consent_at=received, received_at=received, received_on=timezone.localdate(received),
                status=status, public_text=f"Témoignage numéro {n}",
                moderated_at=None if status == "new" else received,
                reject_reason="spam" if status == "rejected" else "",
                answer_text="Merci" if answered else "", answered_at=received if answered else None,
                answer_seconds=rng.randint(600, 600_000) if answered else None,
            )
        )  # fmt: skip
    Testimony.objects.bulk_create(rows, batch_size=2000)
    tally.rebuild([structure.pk])  # a bulk load bypasses the model's state changes
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE testimonies_testimony")
    client = Client(HTTP_HOST=HOST)
    client.force_login(manager)
    base = f"/structures/{structure.code}/temoignages/"
    pages = {
        "à modérer (défaut)": base,
        "tous": base + "?onglet=tous",
        "filtres (canal, ressenti, engagement, période)": base
        + "?onglet=tous&canal=telephone&ressenti=dissatisfied&engagement=4&du=2026-01-01",
        "page 100 de tous": base + "?onglet=tous&page=100",
        "tableau de bord": base + "tableau-de-bord/",
    }
    result = {}

    def bare():
        queryset = Testimony.objects.for_structure(structure).order_by("-received_at", "-pk")
        queryset.count()
        list(queryset[:25])

    result["base : count + 25 lignes"] = timed(bare, 30)
    for name, path in pages.items():
        assert client.get(path).status_code == 200, path
        result[name] = timed(lambda path=path: client.get(path), 30)
    print(json.dumps(result))


def _million(structures: int, testimonies: int) -> None:
    """`testimonies` testimonies over `structures` structures and a year,
    written by the database (generate_series), then the national figures."""
    _setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from autodiag.accounts.models import User
    from autodiag.testimonies import tally
    from autodiag.testimonies.models import Testimony
    from autodiag.testimonies.statistics import dashboard, default_period_start, never_answering

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM structures_network")
        network = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO structures_structure
              (code, name, network_id, typology, structure_type, postal_code, department_code,
               region_code, contact_email, is_active)
            SELECT 'BENCH' || g, 'Structure ' || g, %s, 'operateur', 'Agence', '',
                   lpad(((g %% 95) + 1)::text, 2, '0'), '84', '', true
            FROM generate_series(1, %s) g
            """,
            [network, structures],
        )
        cursor.execute(
            """
            WITH s AS (SELECT array_agg(id) ids FROM structures_structure WHERE code LIKE 'BENCH%%'),
            t AS (
              SELECT g, now() - (random() * interval '364 days') AS at, random() AS r
              FROM generate_series(1, %s) g
            )
            INSERT INTO testimonies_testimony
              (structure_id, title, text, happened_on, channel, sentiment, commitments, pseudonym,
               email, consent_at, received_at, received_on, status, public_title, public_text,
               moderated_at, moderated_by_id, reject_reason, reject_note, answer_text,
               answer_signature, answered_at, answered_by_id, answer_seconds,
               author_notified_at, useful_count, action_id)
            SELECT s.ids[1 + (g %% array_length(s.ids, 1))], '', 'Témoignage ' || g, NULL,
                   (ARRAY['accueil-physique','telephone','courrier','courriel','internet'])[1 + g %% 5],
                   (ARRAY['satisfied','neutral','dissatisfied'])[1 + (g / 7) %% 3],
                   (ARRAY[0, 2, 16, 18, 48, 256, 130])[1 + (g / 3) %% 7], 'usager', '',
                   at, at, (at AT TIME ZONE 'Europe/Paris')::date,
                   CASE WHEN r < 0.1 THEN 'new' WHEN r < 0.15 THEN 'rejected'
                        WHEN r < 0.6 THEN 'published' ELSE 'private' END,
                   '', 'Témoignage ' || g,
                   CASE WHEN r < 0.1 THEN NULL ELSE at END, NULL,
                   CASE WHEN r >= 0.1 AND r < 0.15 THEN 'spam' ELSE '' END, '',
                   CASE WHEN r >= 0.15 AND r < 0.75 THEN 'Merci' ELSE '' END, '',
                   CASE WHEN r >= 0.15 AND r < 0.75 THEN at + interval '2 days' END, NULL,
                   CASE WHEN r >= 0.15 AND r < 0.75 THEN (r * 1000000)::int END, NULL, 0, NULL
            FROM t, s
            """,
            [testimonies],
        )
    built = time.perf_counter() - started
    started = time.perf_counter()
    tallies = tally.rebuild()
    tallied = time.perf_counter() - started
    with connection.cursor() as cursor:  # as autovacuum would: index-only scans need it
        for table in ("structures_structure", "testimonies_testimony", "testimonies_monthlytally"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    start, end = default_period_start(), timezone.localdate()
    mid_start, mid_end = start + timezone.timedelta(days=9), end - timezone.timedelta(days=3)

    def count():
        Testimony.objects.received_between(start, end).count()

    def figures(start=start, end=end):
        dashboard(None, start, end)
        never_answering(None, start, end)

    from autodiag.structures.models import Structure

    half = Structure.objects.filter(
        code__startswith="BENCH", department_code__in=[f"{n:02d}" for n in range(1, 48)]
    ).values("pk")

    def network_figures():
        dashboard(half, start, end)
        never_answering(half, start, end)

    national = User.objects.get(email="admin@demo.autodiag.fr")
    client = Client(HTTP_HOST=HOST)
    client.force_login(national)
    assert client.get("/perimetre/temoignages/").status_code == 200
    result = {
        "rows": Testimony.objects.count(),
        "built_seconds": round(built, 1),
        "base : count(*) de la période": timed(count, 7),
        "tallies": tallies,
        "tallied_seconds": round(tallied, 1),
        "chiffres (dashboard + never_answering)": timed(figures, 7),
        "chiffres, période en milieu de mois": timed(lambda: figures(mid_start, mid_end), 7),
        "chiffres de 47 départements (la moitié)": timed(network_figures, 7),
        "page /perimetre/temoignages/": timed(lambda: client.get("/perimetre/temoignages/"), 7),
    }
    print(json.dumps(result))


def timed(function, runs: int) -> dict:
    function()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p90": times[int(0.9 * (len(times) - 1))],
        "runs": runs,
    }


# -- posting under gunicorn ------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(env: dict, port: int, workdir: Path, name: str):
    errors = workdir / f"gunicorn-{name}.log"
    command = [
        GUNICORN, "autodiag.wsgi:application", "--bind", f"{HOST}:{port}",
        "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS),
        "--backlog", "2048", "--timeout", "60", "--log-level", "warning",
        "--error-logfile", str(errors),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn s’est arrêté : {errors.read_text()[-3000:]}")
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            try:
                connection.request("GET", "/compte/connexion/")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                connection.close()
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn ne répond pas après 60 s")
            time.sleep(0.2)
        yield process.pid
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


FORM = {
    "text": "L’agent a pris le temps de m’expliquer mon dossier, merci pour l’accueil.",
    "title": "Un accueil attentif",
    "happened_on": "",
    "channel": "accueil-physique",
    "sentiment": "satisfied",
    "commitments": "1",
    "pseudonym": "banc d’essai",
    "email": "",
    "consent": "on",
    "site_internet": "",
}


def client_loop(spec: dict, start: float, measure_from: float, end: float, out: list) -> None:
    connection = http.client.HTTPConnection(HOST, spec["port"], timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    body = b""
    expected = 200
    if spec["kind"] == "form":
        connection.request("GET", spec["path"])
        response = connection.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie", "")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        csrf = re.search(r"csrftoken=([^;]+)", cookie).group(1)
        headers["Cookie"] = f"csrftoken={csrf}"
        body = urllib.parse.urlencode({**FORM, "csrfmiddlewaretoken": token}).encode()
        expected = 302
    while time.monotonic() < start:
        time.sleep(0.001)
    latencies, errors = [], 0
    while (now := time.monotonic()) < end:
        begun = time.perf_counter_ns()
        connection.request("POST", spec["path"], body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter_ns() - begun
        if response.status != expected:
            errors += 1
        if now >= measure_from:
            latencies.append(elapsed)
    connection.close()
    out.append((latencies, errors))


def load_process(specs, start, measure_from, end, queue) -> None:
    out: list = []
    threads = [
        threading.Thread(target=client_loop, args=(spec, start, measure_from, end, out))
        for spec in specs
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(out)


def run_load(spec: dict, duration: float) -> dict:
    specs = [dict(spec) for _ in range(CLIENTS)]
    start = time.monotonic() + 1.5
    measure_from, end = start + WARM_UP, start + WARM_UP + duration
    queue = multiprocessing.get_context("fork").Queue()
    processes = [
        multiprocessing.get_context("fork").Process(
            target=load_process, args=(specs[i::PROCESSES], start, measure_from, end, queue)
        )
        for i in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    results = [item for _ in processes for item in queue.get(timeout=duration + 60)]
    for process in processes:
        process.join()
    latencies = sorted(ns for values, _ in results for ns in values)
    errors = sum(e for _, e in results)
    ms = [ns / 1e6 for ns in latencies]
    return {
        "p50": statistics.median(ms) if ms else None,
        "p99": ms[int(0.99 * (len(ms) - 1))] if ms else None,
        "rate": len(ms) / duration,
        "requests": len(ms),
        "errors": errors,
    }


def ratio(a, b) -> str:
    return f"{a / b:.1f}×" if a and b else "—"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_POSTGRES_URL", PG_DEFAULT))
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--structures", type=int, default=10_000)
    parser.add_argument("--testimonies", type=int, default=1_000_000)
    parser.add_argument("--skip-million", action="store_true")
    args = parser.parse_args()
    report = {
        "machine": f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    }
    with tempfile.TemporaryDirectory(prefix="bench-testimonies-") as tmp:
        workdir = Path(tmp)
        env = env_for(args.pg_url, workdir, "autodiag.settings")
        log("Base : remise à zéro, migrations, données de démonstration…")
        prepared = child(env, "_reset")
        form_path = f"/t/{prepared['code']}"
        log(f"Dépôt d’un témoignage : {CLIENTS} clients, {args.duration} s…")
        with gunicorn(env, PORTS["form"], workdir, "form"):
            report["post"] = run_load(
                {"kind": "form", "port": PORTS["form"], "path": form_path}, args.duration
            )
        bare_env = env_for(args.pg_url, workdir, "bench.bare_testimony_settings")
        with gunicorn(bare_env, PORTS["bare"], workdir, "bare"):
            report["bare"] = run_load(
                {
                    "kind": "bare",
                    "port": PORTS["bare"],
                    "path": f"/bare-testimony/{prepared['structure']}",
                },
                args.duration,
            )
        log("Boîte de réception : 10 000 témoignages…")
        report["inbox"] = child(env, "_inbox")
        if not args.skip_million:
            log(f"Tableau de bord national : {args.testimonies} témoignages…")
            report["national"] = child(env, "_million", str(args.structures), str(args.testimonies))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "testimonies.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    post, bare = report["post"], report["bare"]
    print(f"Machine : {report['machine']}")
    print(f"Dépôt (POST /t/<code>, {CLIENTS} clients) : p50 {post['p50']:.1f} ms, p99 {post['p99']:.1f} ms, "
          f"{post['rate']:.0f}/s, {post['errors']} erreurs ; base : p50 {bare['p50']:.1f} ms, "
          f"{bare['rate']:.0f}/s ; rapport {ratio(post['p50'], bare['p50'])}")  # fmt: skip
    base = report["inbox"]["base : count + 25 lignes"]["p50"]
    for name, figures in report["inbox"].items():
        print(
            f"Boîte de réception, {name} : p50 {figures['p50']:.1f} ms ({ratio(figures['p50'], base)} la base)"
        )
    if "national" in report:
        national = report["national"]
        base = national["base : count(*) de la période"]["p50"]
        print(
            f"National : {national['rows']} témoignages (construits en {national['built_seconds']} s)"
        )
        for name, figures in national.items():
            if isinstance(figures, dict):
                print(
                    f"  {name} : p50 {figures['p50']:.0f} ms ({ratio(figures['p50'], base)} la base)"
                )
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_reset":
        _reset()
    elif len(sys.argv) > 1 and sys.argv[1] == "_inbox":
        _inbox()
    elif len(sys.argv) > 1 and sys.argv[1] == "_million":
        _million(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(main())
