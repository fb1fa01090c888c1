"""Campaign follow-up (reminders: once a day, who was reminded) and what
sites ask for (texts and national questions), within the head's scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from autodiag.consolidation.models import Reminder
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Network

from .conftest import client_for, make_member
from .consolidation_helpers import (
    clear_choices_cache,
    days_ago,
    diagnostic_with_figures,
    figure_names,
    head,
    structure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_choices_cache()


@pytest.fixture
def sites(version):
    """Two CNAF sites without a diagnostic this year (one with a manager),
    one CNAF site up to date, one site of another network."""
    late = structure("CAFLATE")
    make_member("chef@late.test", late, "manager")
    lonely = structure("CAFSEUL")
    done = structure("CAFDONE")
    diagnostic_with_figures(
        done, version, days_ago(0), dict.fromkeys(figure_names(version), Decimal(50))
    )
    other = structure("PREF16", network="Intérieur", department="16", region="75")
    return {"late": late, "lonely": lonely, "done": done, "other": other}


def test_campaign_lists_structures_without_a_diagnostic_this_year(sites):
    cnaf = Network.objects.get(name="CNAF")
    page = client_for(head("t@t.fr", ScopeKind.NETWORK, cnaf)).get(
        reverse("consolidation:campaign")
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "CAFLATE" in html and "CAFSEUL" in html
    assert "CAFDONE" not in html and "PREF16" not in html


def test_reminders_go_to_managers_once_a_day_and_say_who(sites):
    cnaf = Network.objects.get(name="CNAF")
    client = client_for(head("t@t.fr", ScopeKind.NETWORK, cnaf))
    url = reverse("consolidation:campaign")
    response = client.post(url, {"structure": ["CAFLATE", "CAFSEUL"]}, follow=True)
    html = response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chef@late.test"]
    assert "Services Publics+" in mail.outbox[0].subject
    assert "/structures/CAFLATE/" in mail.outbox[0].body
    assert "courriel envoyé à 1\u00a0responsable (chef@late.test)" in html
    assert "1\u00a0structure relancée" in html
    assert "sans responsable à qui écrire" in html and "Structure CAFSEUL" in html
    assert Reminder.objects.get().recipients == "chef@late.test"
    # Again the same day: nobody is written to twice.
    html = client.post(url, {"structure": ["CAFLATE"]}, follow=True).content.decode()
    assert len(mail.outbox) == 1
    assert "1\u00a0structure déjà relancée depuis moins d’un jour" in html


def test_a_head_cannot_remind_outside_its_scope(sites):
    cnaf = Network.objects.get(name="CNAF")
    client = client_for(head("t@t.fr", ScopeKind.NETWORK, cnaf))
    make_member("chef@pref.test", sites["other"], "manager")
    client.post(reverse("consolidation:campaign"), {"structure": ["PREF16"]})
    assert not mail.outbox and not Reminder.objects.exists()


def test_needs_show_texts_and_national_questions_in_scope(version):
    names = figure_names(version)
    questions = {"je-donne-mon-avis": (0, 1), "affichage-resultats": (1, 1)}
    inside = structure("CAF1")
    diagnostic_with_figures(
        inside, version, days_ago(3), dict.fromkeys(names, Decimal(40)), questions,
        texts={"clarte-besoins-appui": "Des modèles de courriers en langage clair."},
    )  # fmt: skip
    outside = structure("PREF16", network="Intérieur", department="16", region="75")
    diagnostic_with_figures(
        outside, version, days_ago(3), dict.fromkeys(names, Decimal(40)), questions,
        texts={"clarte-besoins-appui": "Texte d’un autre réseau."},
    )  # fmt: skip
    cnaf = Network.objects.get(name="CNAF")
    html = (
        client_for(head("t@t.fr", ScopeKind.NETWORK, cnaf))
        .get(reverse("consolidation:needs"))
        .content.decode()
    )
    assert "Des modèles de courriers en langage clair." in html
    assert "Texte d’un autre réseau." not in html
    assert "Questions relevant du niveau national" in html


# -- earlier results ---------------------------------------------------------------


EARLIER_CSV = (
    "code;date_validation;note_globale;engagement_1;engagement_2;engagement_3;engagement_4;"
    "engagement_5;engagement_6;engagement_7;engagement_8;engagement_9\n"
    "CAF1;15/03/2024;71,3;73;57,1;84,2;62,2;75;79,3;55;71,7;100\n"
    "CAF1;20/03/2023;56,6;44,4;60,8;53;33,3;;70;50;60;40\n"
)


@pytest.fixture
def earlier(db):
    from autodiag.questionnaires.loader import load_questionnaire
    from autodiag.questionnaires.models import QuestionnaireVersion

    return QuestionnaireVersion.record(load_questionnaire("sp-plus-2021"))[0]


def upload(client, content: str, action="import"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("resultats.csv", content.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("consolidation:history_import"), {"file": file, "action": action})


def test_earlier_results_are_imported_as_their_own_version(version, earlier):
    from autodiag.diagnostics.models import Diagnostic

    site = structure("CAF1")
    cnaf = Network.objects.get(name="CNAF")
    client = client_for(head("t@t.fr", ScopeKind.NETWORK, cnaf))
    checked = upload(client, EARLIER_CSV, action="check")
    assert "2 résultats prêts à importer" in checked.content.decode()
    assert not Diagnostic.objects.exists()
    response = upload(client, EARLIER_CSV)
    assert response.status_code == 302
    imported = Diagnostic.objects.filter(structure=site).order_by("validated_at")
    assert [d.questionnaire_id for d in imported] == ["sp-plus-2021", "sp-plus-2021"]
    # The global score is kept as it was (not the mean of the commitments).
    assert imported[1].result.global_score == Decimal("71.3")
    assert imported[0].result.report["commitments"][4]["score"] is None  # empty: not evaluated
    # The results page of an imported diagnostic reads like any other.
    page = client.get(reverse("reports:results", args=[imported[1].pk])).content.decode()
    assert "71,3\u00a0%" in page
    # 2026 results beside them: the history shows both, compares only what is comparable.
    diagnostic_with_figures(
        site, version, days_ago(3), dict.fromkeys(figure_names(version), Decimal(60))
    )
    history = client.get(reverse("consolidation:history")).content.decode()
    assert "Services Publics+ 2021–2025" in history and "Services Publics+ 2026" in history
    assert "ne se comparent pas entre elles sur la note globale" in history
    assert "Engagements comparables" in history
    assert "engagement 4 (ancienne version)" not in history  # orientation: no 2026 counterpart


def test_a_faulty_file_imports_nothing_and_names_every_fault(earlier):
    from autodiag.diagnostics.models import Diagnostic

    structure("CAF1")
    structure("PREF16", network="Intérieur", department="16", region="75")
    cnaf = Network.objects.get(name="CNAF")
    client = client_for(head("t@t.fr", ScopeKind.NETWORK, cnaf))
    faulty = EARLIER_CSV + (
        "PREF16;01/02/2024;50;50;50;50;50;50;50;50;50;50\n"
        "CAF1;31/02/2024;50;50;50;50;50;50;50;50;50;50\n"
        "CAF1;01/02/2022;150;50;50;50;50;50;50;50;50;abc\n"
    )
    response = upload(client, faulty)
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "ligne 4, colonne « code » : structure « PREF16 » inconnue ou hors de votre périmètre"
        in html
    )
    assert "ligne 5, colonne « date_validation » : date invalide" in html
    assert "ligne 6, colonne « note_globale » : pourcentage entre 0 et 100 attendu" in html
    assert "ligne 6, colonne « engagement_9 »" in html
    assert not Diagnostic.objects.exists()


def test_a_report_compares_with_an_earlier_version_only_where_comparable(
    version, earlier, structure, agent, manager
):
    """After imported 2021–2025 results, a 2026 report's changes: the
    global score is not compared; commitment 3 (same promise) is, commitment
    5 (new in 2026, "information claire") is not."""
    from .factories import validated_diagnostic

    line = "CAF69TEST;15/03/2024;71,3;73;57,1;50;62,2;75;79,3;55;71,7;100\n"
    header = EARLIER_CSV.splitlines()[0] + "\n"
    cnaf = structure.network
    upload(client_for(head("t@t.fr", ScopeKind.NETWORK, cnaf)), header + line)
    diagnostic = validated_diagnostic(structure, version, agent, manager)
    from autodiag.reports.context import results_context

    context = results_context(diagnostic)
    assert context["previous_other_version"]
    assert context["global_change"].text == "non comparable"
    changes = {c["number"]: c["change"] for c in context["commitments"]}
    assert changes[3].kind in ("up", "down", "same")  # 2021 commitment 3 ↔ 2026 commitment 3
    assert changes[5].kind == "new"  # nothing comparable in 2021


def test_the_audit_grid_is_not_a_version_to_consolidate(version):
    """The label's grid is a questionnaire version too, but no
    self-diagnostic is answered on it: the report neither offers it nor
    accepts it."""
    from autodiag.questionnaires.loader import load_questionnaire
    from autodiag.questionnaires.models import QuestionnaireVersion

    QuestionnaireVersion.record(load_questionnaire("audit-label-2026"))
    client = client_for(head("t@t.fr", ScopeKind.NETWORK, Network.objects.create(name="CNAF")))
    page = client.get(reverse("consolidation:report")).content.decode()
    assert 'value="sp-plus-2026"' in page and 'value="audit-label-2026"' not in page
    refused = client.get(reverse("consolidation:report"), {"version": "audit-label-2026"})
    assert refused.status_code == 400
    assert "Version du questionnaire inconnue" in refused.content.decode()


# -- a version's default period ---------------------------------------------------------


@pytest.fixture
def earlier_results(version):
    from autodiag.questionnaires.loader import load_questionnaire
    from autodiag.questionnaires.models import QuestionnaireVersion

    earlier = QuestionnaireVersion.record(load_questionnaire("sp-plus-2021"))[0]
    site = structure("CAF2021")
    for days in (900, 600):
        diagnostic_with_figures(
            site, earlier, days_ago(days), dict.fromkeys(figure_names(earlier), Decimal(70))
        )
    cnaf = Network.objects.get(name="CNAF")
    return {"version": earlier, "head": head("h2021@t.fr", ScopeKind.NETWORK, cnaf)}


def test_a_version_s_default_period_is_the_one_its_results_exist_in(earlier_results):
    from autodiag.consolidation.filters import default_period, default_period_of

    earlier = earlier_results["version"]
    start, end = default_period_of(earlier)
    assert (start, end) == (days_ago(900).date(), days_ago(600).date())
    client = client_for(earlier_results["head"])
    page = client.get(reverse("consolidation:report"), {"version": earlier.pk}).content.decode()
    assert "1\u00a0diagnostic pris en compte" in page or "1 diagnostic pris en compte" in page
    # Choosing it in the form sends the dates shown for the current version:
    # they give way to its own period.
    shown = default_period()
    page = client.get(
        reverse("consolidation:report"),
        {
            "version": earlier.pk,
            "periode_de": "sp-plus-2026",
            "du": shown[0].isoformat(),
            "au": shown[1].isoformat(),
        },
    ).content.decode()
    assert f'value="{start.isoformat()}"' in page
    # Dates the person typed are kept.
    page = client.get(
        reverse("consolidation:report"),
        {
            "version": earlier.pk,
            "periode_de": "sp-plus-2026",
            "du": "2020-01-01",
            "au": "2020-12-31",
        },
    ).content.decode()
    assert 'value="2020-01-01"' in page
