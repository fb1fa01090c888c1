"""Several servers, tried for real on this machine (issue 12): two gunicorn
app servers and one background worker sharing a PostgreSQL and a Redis of
their own, behind Debian's haproxy, all on loopback:

    haproxy :8120 ──▶ gunicorn app 1 :8121 ─┐
                 └──▶ gunicorn app 2 :8122 ─┼──▶ PostgreSQL :55120, Redis :55121
                      autodiag db_worker ───┘    (files: the shared storage)

1. **Journey across the servers**: sign in through the balancer, autosave
   through it, an export requested on app 1, built by the worker,
   followed and downloaded on app 2 (the session, the CSRF token, the
   Export row and the built file are shared, nothing is per process).
2. **Faults under load**: 10 clients autosave through the balancer
   (each on its own draft, cycling through 8 questions); app 1 is killed
   (SIGKILL of its whole process group) and restarted later; PostgreSQL
   is restarted once (`pg_ctl restart -m fast`). Every save is recorded
   with its answer; at the end the database is read back: an acknowledged
   save whose value is not there (nor overwritten by a later attempt on
   the same question) is lost.

Reported: acknowledged saves, lost (must be 0), errors seen by clients
split by fault, recovery time of each fault (from the fault to the last
error it caused). Figures: docs/BENCHMARKS.md, "Several servers".

    .venv/bin/python bench/several_servers.py [--duration 60] [--clients 10]

Needs Debian's postgresql (initdb, pg_ctl), redis-server and haproxy.
Everything listens on 127.0.0.1, in a temporary folder, and is stopped at
the end, on error too; the machine's shared PostgreSQL and Redis are never
touched.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import autosave

ROOT = autosave.ROOT
PYTHON = sys.executable
GUNICORN = autosave.GUNICORN
HOST = "127.0.0.1"
BALANCER, APP_PORTS = 8120, (8121, 8122)
PG_PORT, REDIS_PORT = 55120, 55121
PG_BIN = Path("/usr/lib/postgresql/15/bin")
HEAD = "reseau@demo.autodiag.fr"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as `postgres`."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def wait_until(check, seconds: float, what: str) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > seconds:
            raise RuntimeError(f"{what} : pas prêt après {seconds:g} s")
        time.sleep(0.1)
    return time.monotonic() - started


def answers_http(port: int, path: str = "/healthz") -> bool:
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=2)
        connection.request("GET", path, headers={"Host": HOST})
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


class Cluster:
    """The processes of the topology, each in its own process group."""

    def __init__(self, workdir: Path, args):
        self.workdir, self.args = workdir, args
        self.data = workdir / "pg"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = dict(os.environ)
        self.env.update(
            DATABASE_URL=f"postgres://postgres@{HOST}:{PG_PORT}/autodiag",
            CACHE_URL=f"redis://{HOST}:{REDIS_PORT}/0",
            DEBUG="0",
            SECRET_KEY="bench-" + secrets.token_urlsafe(48),
            ALLOWED_HOSTS=f"{HOST},localhost",
            AUTODIAG_VAR_DIR=str(workdir / "var"),  # the shared storage: one folder here
            TRUSTED_PROXY_COUNT="1",
            EXPORT_SYNC_ROWS="0",  # every structures export goes to the worker
            LOG_LEVEL="WARNING",
            DB_CONN_MAX_AGE="60",
            PYTHONPATH=str(ROOT),
        )

    # -- PostgreSQL and Redis of our own --------------------------------------

    def start_postgres(self) -> None:
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres")
            shutil.chown(self.data, "postgres")
        subprocess.run(
            as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]
            ),
            check=True,
            capture_output=True,
        )
        self.pg_ctl("start")
        subprocess.run(
            as_postgres([str(PG_BIN / "createdb"), "-h", HOST, "-p", str(PG_PORT), "autodiag"]),
            check=True,
        )

    def pg_ctl(self, action: str) -> None:
        options = (
            f"-p {PG_PORT} -k {self.workdir} -c listen_addresses={HOST} -c max_connections=200"
        )
        command = [
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.workdir / "pg.log"),
        ]
        if action == "restart":
            command += ["-m", "fast"]
        subprocess.run(
            as_postgres([*command, "-o", options, action]), check=True, capture_output=True
        )

    def start_redis(self) -> None:
        self.spawn(
            "redis",
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )

    # -- the application --------------------------------------------------------

    def spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        output = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 (the child keeps it)
        process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.processes[name] = process
        return process

    def start_app(self, index: int) -> float:
        """Start app server `index` (1 or 2); returns how long until it answered."""
        started = time.monotonic()
        port = APP_PORTS[index - 1]
        self.spawn(
            f"app{index}",
            [GUNICORN, "autodiag.wsgi:application", "--bind", f"{HOST}:{port}",
             "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--timeout", "30"],
        )  # fmt: skip
        wait_until(lambda: answers_http(port), 60, f"serveur d’application {index}")
        return time.monotonic() - started

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def start_worker(self) -> None:
        self.spawn("worker", [str(Path(PYTHON).with_name("autodiag")), "db_worker"])

    def start_balancer(self) -> None:
        servers = "\n".join(
            f"    server app{i} {HOST}:{port} check inter 1s fall 3 rise 2"
            for i, port in enumerate(APP_PORTS, start=1)
        )
        config = self.workdir / "haproxy.cfg"
        config.write_text(
            f"""global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 5s
    retries 2
    option redispatch
    retry-on conn-failure
frontend web
    bind {HOST}:{BALANCER}
    option forwardfor
    default_backend apps
backend apps
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz hdr Host {HOST}
{servers}
"""
        )
        self.spawn("haproxy", ["haproxy", "-db", "-f", str(config)])
        wait_until(lambda: answers_http(BALANCER), 20, "haproxy")

    def stop_all(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.pg_ctl("stop")


# -- HTTP helpers --------------------------------------------------------------


def sign_in(port: int, email: str) -> dict:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", "/compte/connexion/")
    response = connection.getresponse()
    page = response.read().decode()
    cookies = autosave.cookies_of(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"username": email, "password": autosave.PASSWORD, "csrfmiddlewaretoken": token}
    )
    connection.request(
        "POST", "/compte/connexion/", body,
        {"Content-Type": "application/x-www-form-urlencoded", **headers_for(port, cookies)},
    )  # fmt: skip
    response = connection.getresponse()
    response.read()
    connection.close()
    cookies.update(autosave.cookies_of(response))
    if response.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"connexion refusée pour {email} (HTTP {response.status})")
    return cookies


def headers_for(port: int, cookies: dict) -> dict:
    origin = f"http://{HOST}:{port}"
    return {
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "X-CSRFToken": cookies.get("csrftoken", ""),
        "Origin": origin,
        "Referer": origin + "/",
    }


def request(port, method, path, cookies, body=None, content_type=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = headers_for(port, cookies)
    if content_type:
        headers["Content-Type"] = content_type
    connection.request(method, path, body, headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, response, payload


def journey(prepared: dict) -> dict:
    """Across the servers; returns what each step saw."""
    steps = {}
    agent = sign_in(BALANCER, autosave.MEMBER)
    steps["connexion par le répartiteur"] = "ok"
    draft = prepared["diagnostics"][0]
    status, _, _ = request(
        BALANCER, "POST", f"/diagnostics/{draft}/reponses/{autosave.QUESTIONS[0]}", agent,
        json.dumps({"value": "0.75"}), "application/json",
    )  # fmt: skip
    assert status == 200, status
    steps["enregistrement automatique par le répartiteur"] = "ok"
    head = sign_in(APP_PORTS[0], HEAD)
    body = urllib.parse.urlencode(
        {"contenu": "structures", "format": "csv", "diagnostics": "tous",
         "csrfmiddlewaretoken": head["csrftoken"]}
    )  # fmt: skip
    status, _, _ = request(
        APP_PORTS[0], "POST", "/perimetre/resultats/exports/", head, body,
        "application/x-www-form-urlencoded",
    )  # fmt: skip
    assert status == 302, f"export demandé : HTTP {status}"
    steps["export demandé au serveur 1"] = "ok (302 : préparé en arrière-plan)"
    started = time.monotonic()
    link = None
    while time.monotonic() - started < 60:
        status, _, page = request(APP_PORTS[1], "GET", "/perimetre/resultats/exports/", head)
        found = re.search(rb'href="(/perimetre/resultats/exports/\d+/)"', page)
        if status == 200 and found:
            link = found.group(1).decode()
            break
        time.sleep(0.5)
    assert link, "l’export n’est jamais prêt"
    steps["construit par le worker, suivi sur le serveur 2"] = f"{time.monotonic() - started:.1f} s"
    status, _, payload = request(APP_PORTS[1], "GET", link, head)
    header = payload.lstrip(b"\xef\xbb\xbf").split(b"\r\n", 1)[0]
    assert status == 200 and header.count(b";") > 5, (status, header[:200])
    steps["téléchargé sur le serveur 2"] = f"{len(payload)} octets"
    return steps


# -- the load with faults --------------------------------------------------------


SAMPLES: list[str] = []


def client(index: int, draft: int, cookies: dict, end: float, records: list, lock) -> None:
    connection = http.client.HTTPConnection(HOST, BALANCER, timeout=15)
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               **headers_for(BALANCER, cookies)}  # fmt: skip
    seq, mine, samples, revisions = 0, [], [], {}
    while time.monotonic() < end:
        question = autosave.QUESTIONS[seq % len(autosave.QUESTIONS)]
        value = autosave.VALUES[(seq // len(autosave.QUESTIONS) + index) % len(autosave.VALUES)]
        seq += 1
        began = time.monotonic()
        try:
            # As the page's script: the revisions last seen go with the change.
            body = json.dumps({"value": value, "base": revisions.get(question, {})})
            connection.request("POST", f"/diagnostics/{draft}/reponses/{question}", body, headers)
            response = connection.getresponse()
            payload = response.read()
            outcome = response.status
            if outcome == 200:
                answer = json.loads(payload)
                revisions[question] = answer.get("revisions", {})
                if answer.get("conflicts"):
                    outcome = "conflit"  # not applied: someone else's change was seen first
            elif len(samples) < 3:
                samples.append(f"{outcome} {response.getheader('Server')} {payload[:120]!r}")
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            outcome = type(error).__name__
            time.sleep(0.05)
        mine.append((began, draft, question, value, outcome))
    connection.close()
    with lock:
        records.extend(mine)
        SAMPLES.extend(samples)


def read_back(cluster: Cluster, drafts: list[int]) -> dict:
    import psycopg

    with psycopg.connect(cluster.env["DATABASE_URL"]) as connection:
        rows = connection.execute(
            "SELECT diagnostic_id, question_id, value FROM diagnostics_answer "
            "WHERE diagnostic_id = ANY(%s)",
            [drafts],
        ).fetchall()
    return {(d, q): v for d, q, v in rows}


def count_lost(records: list, stored: dict) -> int:
    """An acknowledged save is lost when the database holds another value
    for its question and no later attempt on that question wrote it."""
    by_key: dict[tuple, list] = {}
    for _began, draft, question, value, outcome in sorted(records):
        by_key.setdefault((draft, question), []).append((value, outcome))
    lost = 0
    for key, attempts in by_key.items():
        acked = [i for i, (_, outcome) in enumerate(attempts) if outcome == 200]
        if not acked:
            continue
        last = acked[-1]
        possible = {value for value, _ in attempts[last:]}
        if float(stored.get(key, "nan")) not in {float(v) for v in possible}:
            lost += 1
    return lost


def classify(records: list, faults: dict) -> dict:
    """Errors by the fault whose window they fall in; recovery time of
    each fault: from the fault to the last error in its window."""
    split = {name: {} for name in faults} | {"hors panne": {}}
    last_error = {}
    for began, *_, outcome in records:
        if outcome == 200:
            continue
        # The later fault wins where windows meet (a restart still warming up).
        name = next((n for n, (s, e) in reversed(faults.items()) if s <= began <= e), "hors panne")
        split[name][str(outcome)] = split[name].get(str(outcome), 0) + 1
        last_error[name] = max(last_error.get(name, began), began)
    recovery = {
        name: round(last_error[name] - start, 2) if name in last_error else 0.0
        for name, (start, _) in faults.items()
    }
    return {"errors": split, "recovery_s": recovery}


def faults_under_load(cluster: Cluster, prepared: dict, args) -> dict:
    drafts = prepared["diagnostics"][: args.clients]
    sessions = [sign_in(BALANCER, autosave.MEMBER) for _ in drafts]
    records, lock = [], threading.Lock()
    start = time.monotonic()
    end = start + args.duration
    threads = [
        threading.Thread(target=client, args=(i, d, s, end, records, lock))
        for i, (d, s) in enumerate(zip(drafts, sessions, strict=True))
    ]
    for thread in threads:
        thread.start()
    faults, timeline = {}, []

    def at(fraction: float) -> None:
        time.sleep(max(0.0, start + args.duration * fraction - time.monotonic()))

    at(0.15)
    killed = time.monotonic() - 1.0  # requests in flight when it dies began a little before
    cluster.kill("app1")
    timeline.append(f"{killed - start:.1f} s : serveur 1 tué (SIGKILL)")
    at(0.40)
    restart = time.monotonic()
    faults["serveur 1 tué (SIGKILL)"] = (killed, restart)
    ready = cluster.start_app(1)
    timeline.append(f"{restart - start:.1f} s : serveur 1 relancé, prêt en {ready:.1f} s")
    faults["serveur 1 relancé"] = (restart, time.monotonic() + 3)
    at(0.60)
    pg_restart = time.monotonic() - 0.5  # saves in flight when it stops began a little before
    cluster.pg_ctl("restart")
    pg_ready = time.monotonic()
    timeline.append(
        f"{pg_restart - start:.1f} s : PostgreSQL redémarré en {pg_ready - pg_restart:.1f} s"
    )
    faults["redémarrage de PostgreSQL"] = (pg_restart, pg_ready + 5)
    for thread in threads:
        thread.join()
    stored = read_back(cluster, drafts)
    acknowledged = sum(1 for record in records if record[-1] == 200)
    return {
        "clients": len(drafts),
        "duration_s": args.duration,
        "attempts": len(records),
        "acknowledged": acknowledged,
        "lost": count_lost(records, stored),
        "timeline": timeline,
        "error_samples": SAMPLES[:6],
        **classify(records, faults),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="garder le dossier temporaire")
    args = parser.parse_args()
    for tool in ("haproxy", "redis-server", "runuser"):
        if shutil.which(tool) is None:
            print(f"{tool} introuvable : installez-le (apt-get install {tool})", file=sys.stderr)
            return 2
    workdir = Path(tempfile.mkdtemp(prefix="autodiag-servers-"))
    cluster = Cluster(workdir, args)
    try:
        log(f"PostgreSQL :{PG_PORT} et Redis :{REDIS_PORT} dans {workdir}")
        cluster.start_postgres()
        cluster.start_redis()
        log("migration, fichiers statiques, données de démonstration, brouillons")
        autosave.CACHE_URL = cluster.env["CACHE_URL"]
        prepared = autosave.prepare(cluster.env["DATABASE_URL"], workdir, args.clients)
        log("deux serveurs d’application, le worker, haproxy")
        cluster.start_app(1)
        cluster.start_app(2)
        cluster.start_worker()
        cluster.start_balancer()
        log("parcours à travers les serveurs")
        steps = journey(prepared)
        for step, outcome in steps.items():
            log(f"  {step} : {outcome}")
        log(f"{args.clients} clients pendant {args.duration:g} s, avec pannes")
        result = faults_under_load(cluster, prepared, args)
        result["journey"] = steps
        print(json.dumps(result, ensure_ascii=False, indent=2))
        results = ROOT / "bench" / "results"
        results.mkdir(exist_ok=True)
        (results / "several_servers.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=2)
        )
        return 0 if result["lost"] == 0 else 1
    finally:
        cluster.stop_all()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
