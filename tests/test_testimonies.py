"""Listening to users: the public form (signed out, limits, honeypot), the
moderation, answers and templates, « utile », dashboards and exports."""

import csv
import io

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from autodiag.actions.models import ActionPlan
from autodiag.structures.models import Structure
from autodiag.testimonies import models
from autodiag.testimonies.enums import Channel, Sentiment, Status
from autodiag.testimonies.masking import mask_personal_data
from autodiag.testimonies.models import AnswerTemplate, Listening, commitments_mask
from autodiag.testimonies.statistics import dashboard, recurring_words

from .conftest import client_for

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script> <b>gras</b> https://exemple.test/piege'


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listening(structure):
    return Listening.objects.of(structure)


@pytest.fixture
def public_page(structure, manager):
    ActionPlan.objects.of(structure).publish(manager)


def posted(**overrides):
    data = {
        "text": "Un accueil attentif : l’agent a pris le temps de m’expliquer mon dossier.",
        "title": "Un accueil attentif",
        "happened_on": "",
        "channel": Channel.RECEPTION,
        "sentiment": Sentiment.SATISFIED,
        "commitments": ["1", "3"],
        "pseudonym": "rugby 71",
        "email": "",
        "consent": "on",
        "site_internet": "",
    }
    data.update(overrides)
    return data


def receive(structure, **overrides):
    fields = {
        "text": "Le délai de traitement était bien plus long qu’annoncé.",
        "channel": Channel.PHONE,
        "sentiment": Sentiment.DISSATISFIED,
        "commitments": commitments_mask([4]),
        "pseudonym": "Rinpecou",
    }
    fields.update(overrides)
    return models.Testimony.objects.receive(structure, **fields)


def test_signed_out_visitor_leaves_a_testimony(client, listening, structure):
    url = reverse("testimonies:leave", args=[listening.short_code])
    page = client.get(url)
    assert page.status_code == 200
    assert "Racontez-nous votre expérience" in page.content.decode()
    response = client.post(url, posted(email="Usager@Exemple.fr"))
    assert response.status_code == 302
    testimony = models.Testimony.objects.get()
    assert testimony.status == Status.NEW and testimony.structure == structure
    assert testimony.commitment_numbers == [1, 3]
    assert testimony.email == "usager@exemple.fr" and testimony.consent_at is not None


def test_form_errors_are_french_and_keep_what_was_typed(client, listening):
    url = reverse("testimonies:leave", args=[listening.short_code])
    response = client.post(url, posted(consent="", sentiment="", email="pas-une-adresse"))
    page = response.content.decode()
    assert response.status_code == 200 and not models.Testimony.objects.exists()
    assert "Cochez la case pour accepter" in page
    assert "Adresse électronique invalide" in page
    assert "Un accueil attentif" in page  # what was typed is still there


def test_length_limit(client, listening):
    url = reverse("testimonies:leave", args=[listening.short_code])
    response = client.post(url, posted(text="a" * 3001))
    assert "dépasse 3000 caractères" in response.content.decode()
    assert not models.Testimony.objects.exists()


def test_honeypot_stores_nothing(client, listening):
    url = reverse("testimonies:leave", args=[listening.short_code])
    response = client.post(url, posted(site_internet="http://spam.test"))
    assert response.status_code == 302  # thanked like anyone
    assert not models.Testimony.objects.exists()


@override_settings(TESTIMONY_LIMIT_PER_ADDRESS=5, TESTIMONY_LIMIT_PER_STRUCTURE=1000)
def test_fifty_posts_in_a_minute_from_one_address(client, listening):
    url = reverse("testimonies:leave", args=[listening.short_code])
    statuses = [
        client.post(url, posted(text=f"Témoignage numéro {n} assez long")).status_code
        for n in range(50)
    ]
    assert statuses[:5] == [302] * 5
    assert set(statuses[5:]) == {429}
    assert models.Testimony.objects.count() == 5
    refused = client.post(url, posted()).content.decode()
    assert "réessayez dans une heure" in refused
    assert "Un accueil attentif" in refused  # the text is kept in the form


@override_settings(TESTIMONY_LIMIT_PER_ADDRESS=100, TESTIMONY_LIMIT_PER_STRUCTURE=3)
def test_limit_per_structure(listening):
    url = reverse("testimonies:leave", args=[listening.short_code])
    statuses = [
        client_for(None).post(url, posted(), REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n in range(6)
    ]
    assert statuses == [302, 302, 302, 429, 429, 429]
    assert models.Testimony.objects.count() == 3


def test_closed_or_unknown_link_is_404(client, listening, structure):
    assert client.get("/t/inconnu").status_code == 404
    listening.is_open = False
    listening.save()
    assert client.get(reverse("testimonies:leave", args=[listening.short_code])).status_code == 404


def test_personal_data_is_masked_before_publication():
    text = "Mon numéro 06 12 34 56 78, mail jean.dupont@exemple.fr, allocataire 1234567."
    masked = mask_personal_data(text)
    assert "06 12" not in masked and "dupont" not in masked and "1234567" not in masked
    assert masked.count("[masqué]") == 3


def test_nothing_is_published_without_a_person(structure, public_page):
    testimony = receive(structure)
    assert testimony.public_text and testimony.status == Status.NEW
    page = client_for(None).get(reverse("testimonies:public", args=[structure.code])).content
    assert b"Rinpecou" not in page


def test_moderate_answer_with_template_and_read_it_publicly(
    structure, manager, public_page, mailoutbox, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    testimony = receive(structure, email="auteur@exemple.fr", text="Appelez-moi au 06 12 34 56 78.")
    team = client_for(manager)
    detail = reverse("testimonies:detail", args=[structure.code, testimony.pk])
    assert "[masqué]" in team.get(detail).content.decode()
    response = team.post(
        reverse("testimonies:moderate", args=[structure.code, testimony.pk]),
        {"decision": "publish", "public_title": "", "public_text": "Appelez-moi au [masqué]."},
    )
    assert response.status_code == 302
    template = AnswerTemplate.objects.create(
        structure=structure, title="Merci", body="Bonjour {pseudonyme}, merci pour votre retour."
    )
    answer_url = reverse("testimonies:answer", args=[structure.code, testimony.pk])
    inserted = team.post(
        answer_url,
        {"modele": template.pk, "inserer_modele": "1", "text": "Déjà écrit.", "signature": "X"},
    ).content.decode()
    assert "Déjà écrit.\n\nBonjour Rinpecou, merci pour votre retour." in inserted
    response = team.post(
        answer_url, {"text": "Bonjour Rinpecou, merci.", "signature": "L’équipe de la CAF"}
    )
    assert response.status_code == 302
    testimony.refresh_from_db()
    assert testimony.is_answered and testimony.answer_seconds is not None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["auteur@exemple.fr"]
    assert "Bonjour Rinpecou, merci." not in mailoutbox[0].body  # the answer stays on the platform

    public = client_for(None)
    page = public.get(reverse("testimonies:public", args=[structure.code])).content.decode()
    assert "Appelez-moi au [masqué]." in page and "06 12" not in page
    assert "Réponse du service" in page and "L’équipe de la CAF" in page
    useful = reverse("testimonies:useful", args=[structure.code, testimony.pk])
    public.post(useful)
    public.post(useful)  # the same browser again: counted once
    client_for(None).post(useful)  # another browser
    testimony.refresh_from_db()
    assert testimony.useful_count == 2
    page = public.get(reverse("testimonies:public", args=[structure.code])).content.decode()
    assert "2 personnes ont trouvé cette réponse utile" in page
    assert "Vous avez trouvé cette réponse utile" in page


def test_reject_needs_a_reason(structure, manager):
    testimony = receive(structure)
    url = reverse("testimonies:moderate", args=[structure.code, testimony.pk])
    response = client_for(manager).post(url, {"decision": "reject", "reject_reason": ""})
    assert (
        response.status_code == 400 and "Choisissez le motif du rejet" in response.content.decode()
    )
    testimony.refresh_from_db()
    assert testimony.status == Status.NEW
    client_for(manager).post(url, {"decision": "reject", "reject_reason": "abusive"})
    testimony.refresh_from_db()
    assert testimony.status == Status.REJECTED and testimony.moderated_by == manager


def test_cannot_answer_before_moderation(structure, manager):
    testimony = receive(structure)
    url = reverse("testimonies:answer", args=[structure.code, testimony.pk])
    response = client_for(manager).post(url, {"text": "Merci", "signature": "Nous"})
    assert response.status_code == 400
    testimony.refresh_from_db()
    assert not testimony.is_answered


def test_html_and_scripts_are_text_everywhere(structure, manager, public_page):
    testimony = receive(structure, text=SCRIPT, title="<i>titre</i>")
    testimony.publish(
        manager, public_title=testimony.public_title, public_text=testimony.public_text
    )
    testimony.answer(manager, text="<a href='https://x.test'>lien</a>", signature="<b>nous</b>")
    for page in (
        client_for(None).get(reverse("testimonies:public", args=[structure.code])),
        client_for(manager).get(reverse("testimonies:detail", args=[structure.code, testimony.pk])),
        client_for(manager).get(
            reverse("testimonies:inbox", args=[structure.code]) + "?onglet=tous"
        ),
    ):
        html = page.content.decode()
        assert "<script>alert" not in html and "<b>gras</b>" not in html
        assert "&lt;script&gt;" in html or "&lt;i&gt;titre" in html
        assert 'href="https://exemple.test' not in html and "href='https://x.test'" not in html
    content = (
        client_for(manager).get(reverse("testimonies:export_csv", args=[structure.code])).content
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][9] == SCRIPT  # as typed, as text
    workbook = load_workbook(
        io.BytesIO(
            client_for(manager)
            .get(reverse("testimonies:export_xlsx", args=[structure.code]))
            .content
        )
    )
    assert workbook.active.cell(row=2, column=10).value == SCRIPT
    pdf = client_for(manager).get(reverse("testimonies:export_pdf", args=[structure.code]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_formulas_never_run_in_csv(structure, manager):
    testimony = receive(structure, text='=HYPERLINK("http://x.test")')
    testimony.keep_private(manager)
    content = (
        client_for(manager).get(reverse("testimonies:export_csv", args=[structure.code])).content
    )
    assert "'=HYPERLINK" in content.decode("utf-8-sig")


def test_inbox_tabs_and_filters(structure, manager):
    waiting = receive(structure, sentiment=Sentiment.SATISFIED, channel=Channel.RECEPTION)
    kept = receive(structure, commitments=commitments_mask([2]))
    kept.keep_private(manager)
    inbox = reverse("testimonies:inbox", args=[structure.code])
    team = client_for(manager)
    page = team.get(inbox).content.decode()
    assert f"/{waiting.pk}/" in page and f"/{kept.pk}/" not in page
    page = team.get(inbox + "?onglet=a-repondre&engagement=2").content.decode()
    assert f"/{kept.pk}/" in page
    page = team.get(
        inbox + "?onglet=tous&ressenti=satisfied&canal=accueil-physique"
    ).content.decode()
    assert f"/{waiting.pk}/" in page and f"/{kept.pk}/" not in page
    page = team.get(inbox + "?canal=pigeon&du=hier").content.decode()
    assert "Canal inconnu" in page and "Date de début invalide" in page


def test_dashboard_figures(structure, manager):
    import datetime

    from django.utils import timezone

    for sentiment in (Sentiment.SATISFIED, Sentiment.SATISFIED, Sentiment.DISSATISFIED):
        t = receive(structure, sentiment=sentiment, commitments=commitments_mask([4, 5]))
        t.keep_private(manager)
    t.answer(manager, text="Merci", signature="Nous")
    receive(structure).reject(manager, reason="spam")
    today = timezone.localdate()
    figures = dashboard(
        Structure.objects.filter(pk=structure.pk),
        today - datetime.timedelta(days=30),
        today,
    )
    assert figures.total == 3 and figures.rejected == 1
    assert figures.answered == 1 and round(figures.answered_share) == 33
    assert figures.commitments[3].total == 3 and figures.commitments[3].satisfied == 2
    assert figures.commitments[0].total == 0
    assert figures.median_answer_seconds is not None
    assert sum(n for _, n in figures.months) == 3
    page = client_for(manager).get(reverse("testimonies:dashboard", args=[structure.code]))
    assert page.status_code == 200 and "Satisfaction par engagement" in page.content.decode()


def test_recurring_words():
    words = dict(
        recurring_words(
            ["Attente trop longue au guichet", "Longue attente, guichet fermé", "Merci"]
        )
    )
    assert words["attente"] == 2 and words["guichet"] == 2 and "trop" not in words


def test_card_and_qr(structure, manager, listening):
    team = client_for(manager)
    for size in ("a6", "visite"):
        pdf = team.get(reverse("testimonies:card", args=[structure.code]) + f"?format={size}")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        team.get(reverse("testimonies:card", args=[structure.code]) + "?format=A0").status_code
        == 404
    )
    svg = team.get(reverse("testimonies:qr", args=[structure.code])).content.decode()
    assert "<svg" in svg and "<script" not in svg and "<style" not in svg
    assert listening.short_url.endswith(f"/t/{listening.short_code}")


def test_loop_closed_on_public_page(structure, manager, agent, public_page, version):
    from django.utils import timezone

    from autodiag.actions.models import ActionSheet

    sheet = ActionSheet.objects.create_for(
        structure,
        by=manager,
        questionnaire=version,
        commitment=4,
        title="Rappeler les délais",
        start_date=timezone.localdate(),
        planned_end_date=timezone.localdate(),
        problem="p",
        objective="o",
    )
    testimony = receive(structure)
    testimony.publish(manager, public_title="", public_text=testimony.public_text)
    client_for(agent).post(
        reverse("testimonies:link_action", args=[structure.code, testimony.pk]),
        {"action": sheet.number},
    )
    sheet.record_review(
        by=manager, on=timezone.localdate(), status="done", progress=100, note="fait"
    )
    page = (
        client_for(None).get(reverse("testimonies:public", args=[structure.code])).content.decode()
    )
    assert "Vous nous l’avez dit, nous l’avons fait" in page and "Rappeler les délais" in page


def test_consolidated_for_heads(structure, other_structure, manager, outsider):
    from autodiag.accounts.models import User
    from autodiag.structures.models import Scope

    head = User.objects.create_user(email="tete@cnaf.test", password="x" * 20)
    Scope.objects.create(user=head, kind="network", network=structure.network)
    mine = receive(structure)
    mine.keep_private(manager)
    theirs = receive(other_structure, pseudonym="ailleurs")
    theirs.keep_private(outsider)
    page = client_for(head).get(reverse("testimonies:consolidated"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Structures qui n’ont jamais répondu" in html and structure.name in html
    assert other_structure.name not in html
    content = (
        client_for(head).get(reverse("testimonies:consolidated_csv")).content.decode("utf-8-sig")
    )
    assert "Rinpecou" in content and "ailleurs" not in content
    assert client_for(manager).get(reverse("testimonies:consolidated")).status_code == 404


def test_results_page_and_proposals_show_what_users_said(validated, manager):
    structure = validated.structure
    testimony = receive(
        structure, text="Délai trop long pour mon dossier.", commitments=commitments_mask([4])
    )
    testimony.keep_private(manager)
    page = client_for(manager).get(reverse("reports:results", args=[validated.pk])).content.decode()
    assert "Ce que disent les usagers" in page
    assert "Délai trop long pour mon dossier." in page
    assert (
        "Ce qu’en disent les usagers" in page
        or "Aucun témoignage d’usager sur cet engagement" in page
    )
    detail = (
        client_for(manager)
        .get(reverse("structures:detail", args=[structure.code]))
        .content.decode()
    )
    assert reverse("testimonies:inbox", args=[structure.code]) in detail


def test_structure_public_page_shows_published_testimonies(
    structure, manager, public_page, version
):
    shown = receive(structure, pseudonym="visible")
    shown.publish(manager, public_title="", public_text=shown.public_text)
    shown.answer(manager, text="Merci visible.", signature="L’équipe")
    receive(structure, pseudonym="en-attente")
    listening = Listening.objects.of(structure)
    page = client_for(None).get(reverse("actions:public", args=[structure.code])).content.decode()
    assert "Vos témoignages et nos réponses" in page
    assert "visible" in page and "Merci visible." in page and "en-attente" not in page
    assert f"/t/{listening.short_code}" in page
    assert 'name="csrfmiddlewaretoken"' in page  # the « utile » button works from here too


def test_tallies_match_the_testimonies_whatever_happens_and_for_any_period(
    structure, other_structure, manager
):
    """Random receipts, decisions (changed again) and answers over two
    years: the dashboard from the tallies equals the same figures counted
    from the testimonies, for whole-month and mid-month periods, and a
    rebuild finds the same tallies."""
    import datetime
    import random

    from django.utils import timezone

    from autodiag.testimonies import tally
    from autodiag.testimonies.statistics import never_answering

    rng = random.Random(7)
    now = timezone.now()
    made = []
    for n in range(120):
        where = rng.choice([structure, other_structure])
        made.append(
            models.Testimony.objects.receive(
                where,
                received_at=now
                - datetime.timedelta(days=rng.randint(0, 700), hours=rng.randint(0, 23)),
                text=f"Témoignage {n} assez long",
                channel=rng.choice(Channel.values),
                sentiment=rng.choice(Sentiment.values),
                commitments=commitments_mask(rng.sample(range(1, 9), rng.randint(0, 3))),
                pseudonym=f"p{n}",
            )
        )
    for testimony in made:
        for _ in range(rng.randint(0, 3)):
            move = rng.choice(["publish", "private", "reject", "answer"])
            if move == "publish":
                testimony.publish(manager, public_title="", public_text="x")
            elif move == "private":
                testimony.keep_private(manager)
            elif move == "reject":
                testimony.reject(manager, reason="spam")
            elif testimony.status in ("published", "private"):
                testimony.answer(manager, text="Merci", signature="Nous")
    today = timezone.localdate()
    everything = models.Testimony.objects.all()
    for start, end in [
        (today - datetime.timedelta(days=365), today),
        (today.replace(day=1) - datetime.timedelta(days=400), today - datetime.timedelta(days=17)),
        (today - datetime.timedelta(days=800), today),
        (today - datetime.timedelta(days=40), today - datetime.timedelta(days=35)),
    ]:
        for structures in (None, Structure.objects.filter(pk=structure.pk)):
            figures = dashboard(structures, start, end)
            rows = everything if structures is None else everything.filter(structure=structure)
            direct = tally.counted(rows.received_between(start, end))
            assert figures.to_moderate == direct["new"], (start, end)
            assert figures.rejected == direct["rejected"] and figures.answered == direct["answered"]
            assert figures.overall.satisfied == direct["satisfied"]
            for row in figures.commitments:
                assert row.dissatisfied == direct[f"c{row.key}_dissatisfied"], (start, end, row.key)
            assert sum(n for _, n in figures.months) == figures.total
            kept = rows.received_between(start, end).kept()
            answered = sorted(
                kept.exclude(answer_seconds=None).values_list("answer_seconds", flat=True)
            )
            if answered:
                middle = len(answered) // 2
                median = (
                    answered[middle]
                    if len(answered) % 2
                    else (answered[middle - 1] + answered[middle]) / 2
                )
                assert figures.median_answer_seconds == median
            silent, _ = never_answering(structures, start, end)
            expected = {
                s for s in kept.values_list("structure_id", flat=True)
                if not kept.filter(structure_id=s).exclude(answer_seconds=None).exists()
            }  # fmt: skip
            assert {pk for pk, _ in silent} == expected
    before = sorted(
        models.MonthlyTally.objects.values_list("structure_id", "month", *tally.COUNTER_COLUMNS)
    )
    tally.rebuild()
    after = sorted(
        models.MonthlyTally.objects.values_list("structure_id", "month", *tally.COUNTER_COLUMNS)
    )
    assert [row for row in before if any(row[2:])] == after
