"""API fuzzing (issue 12): schemathesis against the OpenAPI the app serves,
under gunicorn with DEBUG off, with a network head's token. Counts the
generated calls and the server errors (must be 0).

    .venv/bin/python bench/api_fuzz.py [--max-examples 500] [--port 8123]

A throwaway SQLite database with the demo data (one token issued for the
CNAF network); 127.0.0.1 only; gunicorn stopped at the end, on error too.
Figures: docs/BENCHMARKS.md, "API fuzzing". The short run of `make test`
is tests/test_api_fuzz.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

PREPARE = """
import django, json, os
django.setup()
from django.core.management import call_command
with open(os.devnull, "w") as quiet:
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command("collectstatic", "--noinput", verbosity=0, stdout=quiet)
    call_command("demo", stdout=quiet)
from autodiag.accounts.models import User
from autodiag.api.models import ApiToken

head = User.objects.get(email="reseau@demo.autodiag.fr")
network = head.scopes.get().network
print(json.dumps({"token": ApiToken.issue(network, "Fuzz", head)[1]}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=500, help="par opération")
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="autodiag-fuzz-"))
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{workdir / 'fuzz.sqlite3'}",
        DEBUG="0",
        SECRET_KEY="fuzz-" + secrets.token_urlsafe(48),
        ALLOWED_HOSTS=HOST,
        AUTODIAG_VAR_DIR=str(workdir / "var"),
        API_RATE_LIMIT="1000000/m",  # the fuzzer is one client: the limit has its own test
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="autodiag.settings",
    )
    server = None
    try:
        done = subprocess.run(
            [sys.executable, "-c", PREPARE], env=env, cwd=ROOT, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"préparation impossible :\n{done.stderr[-3000:]}")
        token = json.loads(done.stdout.strip().splitlines()[-1])["token"]
        log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115 (the child keeps it)
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "autodiag.wsgi:application", "--bind", f"{HOST}:{args.port}",
             "--workers", "2", "--threads", "4", "--worker-class", "gthread"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        time.sleep(3)
        started = time.monotonic()
        fuzz = subprocess.run(
            [str(BIN / "schemathesis"), "run", f"http://{HOST}:{args.port}/api/openapi.json",
             "--header", f"Authorization: Bearer {token}", "--checks", "not_a_server_error",
             "--max-examples", str(args.max_examples), "--no-color"],
            env=env, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        elapsed = time.monotonic() - started
        print(fuzz.stdout[-4000:])
        calls = sum(int(n) for n in re.findall(r"(\d+) generated", fuzz.stdout)) or None
        errors = (workdir / "gunicorn.log").read_text().count('"level": "ERROR"')
        summary = {"exit": fuzz.returncode, "seconds": round(elapsed), "calls": calls,
                   "server_errors_logged": errors}  # fmt: skip
        print(json.dumps(summary, ensure_ascii=False))
        return fuzz.returncode
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
