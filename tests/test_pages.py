"""Every page and endpoint of the team's journey, for the member, a member
of another structure and an anonymous visitor; then what each page does."""

import html
import json

import pytest
from django.db import connection
from django.urls import reverse

from autodiag.diagnostics.models import Diagnostic

from .conftest import client_for, fill, validated_days_ago

pytestmark = pytest.mark.django_db


def pages(structure, diagnostic):
    """(method, url, data) of every page and endpoint around one diagnostic."""
    pk = diagnostic.pk
    return [
        ("get", reverse("structures:detail", args=[structure.code]), None),
        ("get", reverse("diagnostics:overview", args=[pk]), None),
        ("get", reverse("diagnostics:section", args=[pk, "profil"]), None),
        ("post", reverse("diagnostics:section", args=[pk, "profil"]), {}),
        ("get", reverse("diagnostics:section_answers", args=[pk, "profil"]), None),
        (
            "json",
            reverse("diagnostics:save_answer", args=[pk, "typologie"]),
            {"value": "operateur"},
        ),
        ("post", reverse("diagnostics:confirm_answer", args=[pk, "typologie"]), {}),
        ("get", reverse("diagnostics:validation", args=[pk]), None),
        ("get", reverse("reports:results", args=[pk]), None),
        ("get", reverse("reports:results_pdf", args=[pk]), None),
        ("get", reverse("reports:questionnaire_pdf", args=[pk]), None),
    ]


def call(client, method, url, data):
    if method == "json":
        return client.post(
            url, json.dumps(data), content_type="application/json", HTTP_ACCEPT="application/json"
        )
    return getattr(client, method)(url, data)


def test_members_reach_every_page(structure, draft, agent):
    client = client_for(agent)
    for method, url, data in pages(structure, draft):
        assert call(client, method, url, data).status_code in (200, 302), url


def test_outsiders_get_404_everywhere(structure, draft, outsider):
    client = client_for(outsider)
    for method, url, data in pages(structure, draft):
        response = call(client, method, url, data)
        assert response.status_code == 404, url
        assert structure.name.encode() not in response.content


def test_anonymous_visitors_are_sent_to_sign_in(structure, draft):
    client = client_for(None)
    for method, url, data in pages(structure, draft):
        response = call(client, method, url, data)
        if method == "json":
            assert response.status_code == 401 and response.json()["error"] == "session_expired"
        else:
            assert response.status_code == 302 and response["Location"].startswith(
                reverse("accounts:login")
            ), url
    assert not draft.answers.exclude(question_id__startswith="structure-").exists()


def test_dashboard_lists_my_structures_only(structure, other_structure, draft, agent, outsider):
    response = client_for(agent).get(reverse("structures:dashboard"))
    assert structure.name in response.content.decode()
    assert other_structure.name not in response.content.decode()


def test_dashboard_shows_completion_last_score_and_next_date(structure, validated, agent):
    page = client_for(agent).get(reverse("structures:dashboard")).content.decode()
    assert "taux d’atteinte global <strong>76,4\u00a0%</strong>" in page
    assert "Prochain diagnostic possible à partir du" in page


def test_sign_in_with_wrong_password_says_so(agent):
    response = client_for(None).post(
        reverse("accounts:login"), {"username": agent.email, "password": "faux"}
    )
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()


def test_sign_in_then_dashboard(agent):
    client = client_for(None)
    response = client.post(
        reverse("accounts:login"), {"username": agent.email, "password": "un-mot-de-passe-solide"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("structures:dashboard")


# -- autosave ------------------------------------------------------------------


def autosave(client, diagnostic, question_id, value, base=None):
    url = reverse("diagnostics:save_answer", args=[diagnostic.pk, question_id])
    return client.post(
        url,
        json.dumps({"value": value, "base": base or {}}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def test_autosave_saves_and_says_who_and_when(draft, agent):
    response = autosave(client_for(agent), draft, "typologie", "operateur")
    data = response.json()
    assert response.status_code == 200 and data["ok"]
    assert data["status"].startswith("Modifiée par Camille Martin le ")
    assert draft.answers.get(question_id="typologie").value == "operateur"


def test_autosave_refuses_bad_values_with_a_message(draft, agent):
    client = client_for(agent)
    response = autosave(client, draft, "controle-qualite-accueil", "0.5")
    assert response.status_code == 400 and "hors de l'échelle" in response.json()["message"]
    response = client.post(
        reverse("diagnostics:save_answer", args=[draft.pk, "typologie"]),
        "pas du json",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not draft.answers.exclude(question_id__startswith="structure-").exists()


def test_a_save_over_a_newer_answer_is_a_conflict_not_a_silent_overwrite(draft, agent, manager):
    autosave(client_for(agent), draft, "controle-qualite-accueil", "0.25")
    stale = autosave(client_for(manager), draft, "controle-qualite-accueil", "0.75")
    data = stale.json()
    assert data["conflicts"][0]["by"] == agent.display_name
    assert data["conflicts"][0]["theirs"] == "0.25" and data["conflicts"][0]["mine"] == "0.75"
    assert data["revisions"] == {"": 1}
    # Taking mine: the same save over the revision now seen.
    taken = autosave(client_for(manager), draft, "controle-qualite-accueil", "0.75", {"": 1})
    assert taken.json()["conflicts"] == [] and taken.json()["revisions"] == {"": 2}
    page = client_for(agent).get(
        reverse("diagnostics:section", args=[draft.pk, "accueil-bienveillant"])
    )
    content = page.content.decode()
    assert 'value="0.75" checked' in content
    assert "Modifiée par Dominique Bernard le" in content


def test_section_answers_tell_who_changed_what(draft, agent, manager):
    draft.save_answer("typologie", "etat", manager)
    data = (
        client_for(agent)
        .get(reverse("diagnostics:section_answers", args=[draft.pk, "profil"]))
        .json()
    )
    assert data["answers"]["typologie"]["value"] == "etat"
    assert data["answers"]["typologie"]["status"].startswith("Modifiée par Dominique Bernard")
    assert "structure-nom" not in data["answers"]


def test_autosave_with_an_expired_session_keeps_nothing_half_done(draft, agent):
    client = client_for(agent)
    client.logout()  # the session expired while the page was open
    response = autosave(client, draft, "typologie", "operateur")
    assert response.status_code == 401 and response.json()["error"] == "session_expired"
    assert not draft.answers.exclude(question_id__startswith="structure-").exists()
    client.force_login(agent)  # signed in again: the page's queue is sent again
    assert autosave(client, draft, "typologie", "operateur").status_code == 200


def test_autosave_on_a_validated_diagnostic_is_refused(validated, agent):
    response = autosave(client_for(agent), validated, "controle-qualite-accueil", "0")
    assert response.status_code == 409 and "validé" in response.json()["message"]


def test_autosave_of_an_unknown_diagnostic_is_404(draft, agent):
    response = autosave(client_for(agent), Diagnostic(pk=draft.pk + 1000), "typologie", "etat")
    assert response.status_code == 404


def test_autosave_reads_what_it_needs_in_four_statements(draft, agent, django_assert_num_queries):
    """Session, user, diagnostic with the member's role, and the one merge
    statement on PostgreSQL (the row-level merge is no second round-trip);
    on SQLite the merge reads the diagnostic's status and the answer under
    the write lock (a savepoint here, inside the test's transaction)."""
    client = client_for(agent)
    first = autosave(client, draft, "controle-qualite-accueil", "0")  # the version is built once
    statements = 4 if connection.vendor == "postgresql" else 8
    with django_assert_num_queries(statements):
        response = autosave(
            client, draft, "controle-qualite-accueil", "0.25", first.json()["revisions"]
        )
    assert response.status_code == 200 and response.json()["conflicts"] == []


def test_the_autosave_lookup_gives_the_role_in_the_structure(draft, agent, manager, outsider):
    found, role = Diagnostic.objects.for_answering(draft.pk, agent)
    assert (found.pk, found.structure_id, found.is_draft, role) == (
        draft.pk,
        draft.structure_id,
        True,
        "agent",
    )
    assert found.version.question("typologie") is not None
    assert Diagnostic.objects.for_answering(draft.pk, manager)[1] == "manager"
    assert Diagnostic.objects.for_answering(draft.pk, outsider)[1] is None
    assert Diagnostic.objects.for_answering(draft.pk + 1000, agent) is None


# -- section pages without JavaScript --------------------------------------------


def test_section_form_saves_changed_answers_and_moves_on(draft, agent):
    client = client_for(agent)
    response = client.post(
        reverse("diagnostics:section", args=[draft.pk, "profil"]),
        {
            "q-typologie": "operateur",
            "q-typologie--initial": "null",
            "q-canaux": ["accueil-physique", "telephone"],
            "q-canaux--initial": "null",
            "q-svi": "oui",
            "q-svi--initial": "null",
            "next": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "diagnostics:section", args=[draft.pk, "accueil-physique"]
    )
    assert draft.answers.get(question_id="canaux").value == ["accueil-physique", "telephone"]
    assert draft.answers.get(question_id="svi").value == "oui"  # shown once canaux has the phone


def test_section_form_never_overwrites_a_teammates_newer_answer(draft, agent, manager):
    draft.save_answer("typologie", "operateur", agent)
    page_value = json.dumps("operateur")
    draft.save_answer("typologie", "etat", manager)  # changed meanwhile by the manager
    client_for(agent).post(
        reverse("diagnostics:section", args=[draft.pk, "profil"]),
        {"q-typologie": "operateur", "q-typologie--initial": page_value},
    )
    assert draft.answers.get(question_id="typologie").value == "etat"


def test_section_form_reports_bad_values(draft, agent):
    response = client_for(agent).post(
        reverse("diagnostics:section", args=[draft.pk, "accueil-bienveillant"]),
        {"q-controle-qualite-accueil": "0.5", "q-controle-qualite-accueil--initial": "null"},
    )
    assert response.status_code == 400
    assert "hors de l'échelle" in html.unescape(response.content.decode())
    assert not draft.answers.exclude(question_id__startswith="structure-").exists()


def test_section_page_hides_questions_the_profile_filters_out(draft, agent):
    draft.save_answer("canaux", ["accueil-physique"], agent)
    html = (
        client_for(agent)
        .get(reverse("diagnostics:section", args=[draft.pk, "profil"]))
        .content.decode()
    )
    assert 'id="question-svi"' in html and 'data-question="svi"' in html
    svi_block = html[html.index('id="question-svi"') :][:400]
    assert "hidden" in svi_block  # present for live filtering, hidden until the phone is ticked


def test_validated_diagnostic_section_is_read_only(validated, agent):
    html = (
        client_for(agent)
        .get(reverse("diagnostics:section", args=[validated.pk, "profil"]))
        .content.decode()
    )
    assert "ne peuvent plus être modifiées" in html and "Enregistrer et continuer" not in html
    response = client_for(agent).post(
        reverse("diagnostics:section", args=[validated.pk, "profil"]),
        {"q-typologie": "etat", "q-typologie--initial": "null"},
    )
    assert response.status_code == 403


# -- validation -------------------------------------------------------------------


def test_validation_page_lists_missing_answers_as_links(draft, agent):
    fill(draft, agent, skip={"controle-qualite-accueil"})
    html = (
        client_for(agent).get(reverse("diagnostics:validation", args=[draft.pk])).content.decode()
    )
    assert "1 question sans réponse" in html
    link = (
        reverse("diagnostics:section", args=[draft.pk, "accueil-bienveillant"])
        + "#question-controle-qualite-accueil"
    )
    assert link in html


def test_only_a_manager_validates(draft, agent, manager):
    fill(draft, agent)
    url = reverse("diagnostics:validation", args=[draft.pk])
    assert "Seul un responsable" in client_for(agent).get(url).content.decode()
    assert client_for(agent).post(url, {"confirm": "1"}).status_code == 403
    assert Diagnostic.objects.get(pk=draft.pk).is_draft


def test_validation_needs_the_confirmation_box(draft, agent, manager):
    fill(draft, agent)
    response = client_for(manager).post(reverse("diagnostics:validation", args=[draft.pk]), {})
    assert "Cochez la case de confirmation" in response.content.decode()
    assert Diagnostic.objects.get(pk=draft.pk).is_draft


def test_validation_then_results_at_once(draft, agent, manager):
    fill(draft, agent)
    response = client_for(manager).post(
        reverse("diagnostics:validation", args=[draft.pk]), {"confirm": "1"}
    )
    assert response["Location"] == reverse("reports:results", args=[draft.pk])
    assert Diagnostic.objects.get(pk=draft.pk).result.report["global"]["display"] == "76,4\u00a0%"


# -- structure page: start, history ------------------------------------------------


def test_start_is_refused_within_six_months_with_the_date(structure, validated, agent):
    client = client_for(agent)
    response = client.post(reverse("structures:start", args=[structure.code]), follow=True)
    assert "le prochain pourra commencer le" in response.content.decode()


def test_start_from_last_year(structure, draft, agent, manager):
    validated = validated_days_ago(draft, agent, manager, 365)
    response = client_for(agent).post(
        reverse("structures:start", args=[structure.code]), {"prefill": "1"}, follow=True
    )
    html = response.content.decode()
    assert "À confirmer" in html and "Confirmer cette réponse" in html
    new = Diagnostic.objects.drafts().get(structure=structure)
    assert (
        new.answers.filter(to_confirm=True).count() == validated.answers.count() - 4
    )  # identity: from the referential


def test_history_filtered_by_validation_date(structure, validated, agent):
    client = client_for(agent)
    url = reverse("structures:detail", args=[structure.code])
    year = validated.validated_at.year
    assert "76,4\u00a0%" in client.get(url, {"du": f"{year}-01-01"}).content.decode()
    assert (
        "Aucun diagnostic validé entre ces dates"
        in client.get(url, {"au": "2001-01-01"}).content.decode()
    )
    bad = client.get(url, {"du": "31/02/2026"}).content.decode()
    assert "Date invalide" in bad


# -- admin ---------------------------------------------------------------------------


def test_admin_shows_locked_answers_read_only(validated):
    from autodiag.accounts.models import User

    admin_user = User.objects.create_superuser(email="admin@ditp.test", password="x" * 12)
    client = client_for(admin_user)
    answer = validated.answers.first()
    url = reverse("admin:diagnostics_answer_change", args=[answer.pk])
    response = client.post(
        url, {"question_id": answer.question_id, "value": '"0"', "to_confirm": ""}
    )
    assert response.status_code == 403
    assert validated.answers.get(pk=answer.pk).value == answer.value
