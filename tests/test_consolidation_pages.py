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
    assert "courriel envoyé à 1 responsable(s) (chef@late.test)" in html
    assert "sans responsable à qui écrire" in html and "Structure CAFSEUL" in html
    assert Reminder.objects.get().recipients == "chef@late.test"
    # Again the same day: nobody is written to twice.
    html = client.post(url, {"structure": ["CAFLATE"]}, follow=True).content.decode()
    assert len(mail.outbox) == 1
    assert "déjà relancée(s) depuis moins d’un jour" in html


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
