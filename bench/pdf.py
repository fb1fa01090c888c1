"""Benchmark: the two PDFs of a full validated diagnostic (the CAF example
sheet), and the results page, against baselines measured in the same run.

- baseline: WeasyPrint writing a trivial one-page tagged PDF (PDF/UA-1),
  the least any of our PDFs costs;
- questionnaire PDF: `reports:questionnaire_pdf`'s work (context, template,
  WeasyPrint with Marianne, tagged PDF/UA-1); target ≤ 2 s;
- results PDF: `reports:results_pdf`'s work (same, with the SVG charts);
- results page: `reports:results` through Django's test client (session,
  middleware, permission check, frozen report, template), p50 and p95.

Wall-clock and CPU times are both given: the machine is shared, and the CPU
time of this process is the steadier figure when other work runs beside it.
A throwaway SQLite database under a temporary directory is used; nothing
else is touched. Figures and machine: docs/BENCHMARKS.md.

    .venv/bin/python bench/pdf.py [--runs N] [--page-runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_QUESTIONNAIRE_S = 2.0


def setup_django(var_dir: str) -> None:
    os.environ["AUTODIAG_VAR_DIR"] = var_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autodiag.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed
    call_command("migrate", verbosity=0, interactive=False)


def make_diagnostic():
    """A structure, its two members, the CAF example sheet filled in and
    validated: what a member downloads after the validation."""
    from autodiag.accounts.models import User
    from autodiag.cli import read_sheet
    from autodiag.diagnostics.models import Diagnostic
    from autodiag.questionnaires.loader import load_questionnaire
    from autodiag.questionnaires.models import QuestionnaireVersion
    from autodiag.structures.models import Membership, Network, Structure

    version, _ = QuestionnaireVersion.record(load_questionnaire("sp-plus-2026"))
    network = Network.objects.create(name="CNAF")
    structure = Structure.objects.create(
        code="CAF33LIB",
        name="Caf de la Gironde — agence de Libourne",
        network=network,
        typology="operateur",
        department_code="33",
    )
    agent = User.objects.create_user(
        email="agent@bench.test", password="x" * 16, first_name="Camille", last_name="Martin"
    )
    manager = User.objects.create_user(
        email="responsable@bench.test",
        password="x" * 16,
        first_name="Dominique",
        last_name="Bernard",
    )
    Membership.objects.create(user=agent, structure=structure, role="agent")
    Membership.objects.create(user=manager, structure=structure, role="manager")
    diagnostic = Diagnostic.objects.start(structure, by=agent, questionnaire=version)
    for question_id, value in read_sheet(str(ROOT / "examples" / "caf-agence.yaml"))[
        "answers"
    ].items():
        question = diagnostic.version.question(question_id)
        if value is not None and not question.structure_field:  # identity: from the referential
            diagnostic.save_answer(question_id, value, agent)
    diagnostic.validate(by=manager)
    return diagnostic, agent


def timed(function, runs: int) -> dict:
    """Median wall and CPU seconds over `runs` calls (after the caller's warm-up)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return {
        "wall_s": round(statistics.median(walls), 3),
        "cpu_s": round(statistics.median(cpus), 3),
        "min_wall_s": round(min(walls), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7, help="PDFs per measure (median)")
    parser.add_argument("--page-runs", type=int, default=200, help="results pages (p50, p95)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as bench/scoring.py

    with tempfile.TemporaryDirectory(prefix="autodiag-bench-pdf-") as var_dir:
        setup_django(var_dir)
        from django.test import Client
        from django.urls import reverse
        from weasyprint import HTML

        from autodiag.diagnostics.models import Diagnostic
        from autodiag.reports.context import questionnaire_context, results_context
        from autodiag.reports.pdf import PDF_VARIANT, render_document, render_pdf

        diagnostic, agent = make_diagnostic()

        def fresh():
            # As the view gets it: a new object each request, nothing cached.
            return Diagnostic.objects.select_related(
                "structure", "questionnaire", "validated_by", "created_by"
            ).get(pk=diagnostic.pk)

        def baseline():
            return HTML(
                string='<html lang="fr"><head><title>Base</title></head><body><p>Bonjour.</p></body></html>'
            ).write_pdf(pdf_variant=PDF_VARIANT)

        def questionnaire():
            return render_pdf("reports/pdf/questionnaire.html", questionnaire_context(fresh()))

        def results():
            return render_pdf("reports/pdf/results.html", results_context(fresh()))

        measures = {"base": baseline, "questionnaire": questionnaire, "results": results}
        for function in measures.values():  # warm-up: templates, fonts, questionnaire plan
            function()
        figures = {name: timed(function, args.runs) for name, function in measures.items()}
        pages = {
            "base": 1,
            "questionnaire": len(
                render_document(
                    "reports/pdf/questionnaire.html", questionnaire_context(fresh())
                ).pages
            ),
            "results": len(
                render_document("reports/pdf/results.html", results_context(fresh())).pages
            ),
        }
        sizes = {name: len(function()) for name, function in measures.items()}

        client = Client()
        client.force_login(agent)
        url = reverse("reports:results", args=[diagnostic.pk])
        assert client.get(url).status_code == 200  # warm-up
        page_times = []
        for _ in range(args.page_runs):
            start = time.perf_counter()
            response = client.get(url)
            page_times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        page_times.sort()
        page = {
            "p50_ms": round(statistics.median(page_times), 1),
            "p95_ms": round(page_times[int(len(page_times) * 0.95) - 1], 1),
            "bytes": len(response.content),
        }

    rows = []
    for name, label in (
        ("base", "base (1 page triviale)"),
        ("questionnaire", "questionnaire rempli"),
        ("results", "résultats"),
    ):
        f = figures[name]
        rows.append(
            {
                "pdf": name,
                "pages": pages[name],
                "kib": round(sizes[name] / 1024),
                **f,
                "ratio_to_base": round(f["wall_s"] / figures["base"]["wall_s"], 1),
                "ms_per_page": round(f["wall_s"] * 1000 / pages[name]),
                "label": label,
            }
        )
    print(
        f"Python {platform.python_version()} on {platform.machine()}, one core, "
        f"{args.runs} PDFs per measure (median), {args.page_runs} pages"
    )
    print(
        f"{'PDF':<24}{'pages':>6}{'Kio':>6}{'mur s':>8}{'CPU s':>8}{'min s':>8}{'ms/page':>9}{'× base':>8}"
    )
    for row in rows:
        print(
            f"{row['label']:<24}{row['pages']:>6}{row['kib']:>6}{row['wall_s']:>8.3f}{row['cpu_s']:>8.3f}"
            f"{row['min_wall_s']:>8.3f}{row['ms_per_page']:>9}{row['ratio_to_base']:>8}"
        )
    print(
        f"\npage de résultats (client de test Django) : p50 {page['p50_ms']} ms, "
        f"p95 {page['p95_ms']} ms, {page['bytes'] // 1024} Kio"
    )
    slowest = figures["questionnaire"]["wall_s"]
    print(f"questionnaire rempli : médiane {slowest} s (cible ≤ {TARGET_QUESTIONNAIRE_S} s)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "pdf.json").write_text(
        json.dumps({"pdfs": rows, "results_page": page}, indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    return 0 if slowest <= TARGET_QUESTIONNAIRE_S else 1


if __name__ == "__main__":
    sys.exit(main())
