"""The action plan's pages by behaviour: proposals on the results page and
the sheet they open, the sheet's form and its errors, reviews one by one
and all at once (atomic), late actions, filters, exports (XLSX opened,
PDF read back), the poster and the public page, the change since the
previous diagnostic beside the actions done, and the heads' counts."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from autodiag.actions.enums import ActionStatus
from autodiag.actions.models import ActionPlan, ActionReview, ActionSheet
from autodiag.structures.enums import ScopeKind
from autodiag.structures.models import Membership, Scope

from .conftest import PASSWORD, client_for, example_answers, make_member, make_structure
from .factories import pdf_pages_text, pdf_streams, validated_diagnostic
from .test_reports import page_text

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def plain(response) -> str:
    """The page's text, no-break spaces as plain spaces."""
    return page_text(response).replace(NBSP, " ")


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def new_sheet(structure, version, by, **fields):
    values = {
        "questionnaire": version,
        "commitment": 5,
        "theme": "clarte",
        "title": "Relire les courriers types en langage clair",
        "responsible": by,
        "start_date": days(-20),
        "planned_end_date": days(60),
        "problem": "Des courriers que les usagers ne comprennent pas.",
        "objective": "Des courriers clairs pour tous.",
        "created_at": timezone.now() - datetime.timedelta(days=30),
    }
    values.update(fields)
    return ActionSheet.objects.create_for(structure, by=by, **values)


def form_data(responsible, **changes):
    data = {
        "engagement": "5:clarte",
        "title": "Relire les courriers avec des usagers",
        "responsible": str(responsible.pk),
        "start_date": days(0).isoformat(),
        "planned_end_date": days(90).isoformat(),
        "problem": "Des courriers obscurs.",
        "objective": "Des courriers clairs.",
    }
    data.update(changes)
    return data


def get(user, name, *args, **params):
    response = client_for(user).get(reverse(name, args=args), params)
    assert response.status_code == 200, response.status_code
    return response


def pdf_text(pdf: bytes) -> str:
    pages = pdf_pages_text(pdf)
    if pages is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return " ".join(" ".join(pages).split())


# -- proposals on the results page ----------------------------------------------------


def test_results_propose_sheets_for_the_weakest_themes(validated, agent):
    page = plain(get(agent, "reports:results", validated.pk))
    section = page[page.index("Pistes d’action : les thématiques où le plus est en jeu") :]
    assert "Engagement 5 — Clarté de l’information : 61,1 %" in section
    assert "Engagement 7 — Démarche d’amélioration continue : 74,5 %" in section
    assert "Engagement 5 — Formations" not in section  # 0,75 point lost: little at stake
    assert "Proposée pour ce qui est en jeu : 3,5 points à gagner" in section
    assert "Questions qui ont perdu le plus de points" in section
    html = get(agent, "reports:results", validated.pk).content.decode()
    new = reverse("actions:new", args=[validated.structure.code])
    assert f"{new}?diagnostic={validated.pk}&amp;engagement=5:clarte" in html
    assert html.count("Créer une fiche action<span") == 3


def test_heads_read_the_proposals_without_creating(validated, structure):
    head = head_of(structure)
    html = get(head, "reports:results", validated.pk).content.decode()
    assert "Pistes d’action" in html and "Créer une fiche action" not in html


def test_a_draft_gets_no_proposal_yet(draft, agent):
    html = get(agent, "reports:results", draft.pk).content.decode()
    assert (
        "Les pistes d’action seront proposées à partir des résultats du diagnostic validé" in html
    )


def test_a_proposal_opens_a_prefilled_sheet(validated, agent, manager):
    code = validated.structure.code
    page = get(agent, "actions:new", code, diagnostic=validated.pk, engagement="5:clarte")
    form = page.context["form"]
    assert form.initial["engagement"] == "5:clarte"
    assert form.initial["title"] == "Progresser sur « Clarté de l’information » (engagement 5)"
    assert form.initial["problem"].startswith("Au diagnostic validé le ")
    assert "Questions qui ont perdu le plus de points" in form.initial["problem"]
    assert "61,1" in form.initial["indicators"]
    html = page.content.decode()
    assert "Piste issue des résultats du diagnostic validé le" in html
    assert '<option value="5:clarte" selected>5 — Clarté de l’information</option>' in html

    data = form_data(
        manager,
        problem=form.initial["problem"],
        source_diagnostic=str(validated.pk),
        contributors=[str(agent.pk)],
        users_asked="on",
    )
    client = client_for(agent)
    response = client.post(reverse("actions:new", args=[code]), data)
    sheet = ActionSheet.objects.get()
    assert response["Location"] == reverse("actions:detail", args=[code, 1])
    assert (sheet.number, sheet.commitment, sheet.theme) == (1, 5, "clarte")
    assert sheet.source_diagnostic == validated and sheet.questionnaire == validated.questionnaire
    assert sheet.responsible == manager and list(sheet.contributors.all()) == [agent]
    assert sheet.users_asked and sheet.created_by == agent
    assert sheet.status == ActionStatus.TO_START
    detail = plain(client.get(response["Location"]))
    assert "Fiche action n° 1 : Relire les courriers avec des usagers" in detail
    assert "La fiche action n° 1 est enregistrée." in detail


def test_an_existing_sheet_is_named_beside_its_proposal(validated, agent, version):
    new_sheet(validated.structure, version, agent, commitment=5, theme="clarte")
    section = plain(get(agent, "reports:results", validated.pk))
    assert "Déjà au plan pour cette thématique : fiche n° 1, Relire les courriers" in section


@pytest.mark.parametrize(
    "params",
    [
        {"diagnostic": "999", "engagement": "5:clarte"},
        {"diagnostic": "abc", "engagement": "5:clarte"},
        {"engagement": "5:clarte"},
        {"diagnostic": "OTHER", "engagement": "5:clarte"},
        {"diagnostic": "SELF", "engagement": "1:accueil-physique"},  # at 100 %: no proposal
        {"diagnostic": "SELF", "engagement": "x"},
    ],
)
def test_a_wrong_proposal_gives_a_blank_sheet(params, validated, agent, other_structure, version):
    other = make_member("autre@pref.test", other_structure, "manager")
    elsewhere = validated_diagnostic(other_structure, version, other, other)
    params = {
        key: {"SELF": str(validated.pk), "OTHER": str(elsewhere.pk)}.get(value, value)
        for key, value in params.items()
    }
    page = get(agent, "actions:new", validated.structure.code, **params)
    assert "problem" not in page.context["form"].initial
    assert page.context["proposal"] is None


# -- the sheet's form -------------------------------------------------------------------


def test_a_sheet_with_errors_is_not_saved_and_says_why(structure, version, agent):
    response = client_for(agent).post(
        reverse("actions:new", args=[structure.code]),
        form_data(
            agent,
            engagement="",
            title="",
            start_date=days(10).isoformat(),
            planned_end_date=days(5).isoformat(),
        ),
    )
    assert response.status_code == 400
    text = plain(response)
    assert "3 champs sont à corriger" in text
    assert "Choisissez l’engagement et la thématique que l’action sert." in text
    assert "Indiquez le libellé de l’action." in text
    assert "La fin prévue doit être le jour du démarrage ou après" in text
    assert 'href="#id_planned_end_date"' in response.content.decode()
    assert not ActionSheet.objects.exists()


def test_a_responsible_outside_the_team_is_refused(structure, other_structure, version, agent):
    stranger = make_member("etranger@pref.test", other_structure, "agent")
    response = client_for(agent).post(
        reverse("actions:new", args=[structure.code]), form_data(stranger)
    )
    assert response.status_code == 400 and not ActionSheet.objects.exists()
    assert "Choisissez le responsable parmi les membres de l’équipe." in plain(response)


def test_editing_keeps_the_number_and_a_departed_responsible(structure, version, agent, manager):
    departed = make_member("parti@caf.test", structure, "agent", "Sam", "Parti")
    sheet = new_sheet(structure, version, agent, responsible=departed)
    Membership.objects.filter(user=departed).delete()
    page = get(agent, "actions:edit", structure.code, sheet.number)
    assert "Sam Parti" in page.content.decode()
    response = client_for(agent).post(
        reverse("actions:edit", args=[structure.code, sheet.number]),
        form_data(departed, engagement="8:", title="Nouveau libellé"),
    )
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.number, sheet.title, sheet.commitment, sheet.theme) == (
        1,
        "Nouveau libellé",
        8,
        "",
    )
    assert sheet.responsible == departed and sheet.updated_by == agent


def test_deleting_a_sheet(structure, version, agent, manager):
    sheet = new_sheet(structure, version, agent)
    url = reverse("actions:delete", args=[structure.code, sheet.number])
    assert (
        "La suppression est définitive"
        in get(manager, "actions:delete", structure.code, 1).content.decode()
    )
    assert client_for(manager).post(url).status_code == 302
    assert not ActionSheet.objects.exists()
    assert new_sheet(structure, version, agent).number == 2


# -- reviews ----------------------------------------------------------------------------


def test_a_point_on_the_sheet_page(structure, version, agent):
    sheet = new_sheet(structure, version, agent)
    url = reverse("actions:point", args=[structure.code, sheet.number])
    refused = client_for(agent).post(
        url, {"reviewed_on": days(0).isoformat(), "status": "abandoned", "progress": "0"}
    )
    assert refused.status_code == 400
    assert "Indiquez dans la note pourquoi l’action est abandonnée." in plain(refused)
    assert not ActionReview.objects.exists()
    future = client_for(agent).post(
        url, {"reviewed_on": days(3).isoformat(), "status": "in_progress", "progress": "5"}
    )
    assert "La date de la revue ne peut pas être dans le futur." in plain(future)
    done = client_for(agent).post(
        url,
        {"reviewed_on": days(-1).isoformat(), "status": "done", "progress": "80", "note": "Fini."},
    )
    assert done.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.status, sheet.progress, sheet.closed_on) == (ActionStatus.DONE, 100, days(-1))
    text = plain(get(agent, "actions:detail", structure.code, 1))
    assert "à lancer → réalisée" in text and "Fini." in text


def test_the_monthly_review_records_every_open_action_at_once(structure, version, agent):
    a = new_sheet(structure, version, agent, title="Action A")
    b = new_sheet(structure, version, agent, title="Action B")
    closed = new_sheet(structure, version, agent, title="Action close")
    closed.record_review(by=agent, on=days(-5), status=ActionStatus.DONE, progress=100)
    page = get(agent, "actions:review", structure.code)
    assert [sheet.title for sheet, _ in page.context["rows"]] == ["Action A", "Action B"]
    data = {
        "reviewed_on": days(-1).isoformat(),
        "fiches": ["1", "2"],
        "fiche-1-status": "in_progress",
        "fiche-1-progress": "35",
        "fiche-1-note": "Deux courriers relus.",
        "fiche-2-status": "to_start",
        "fiche-2-progress": "0",
        "fiche-2-note": "",
    }
    client = client_for(agent)
    response = client.post(reverse("actions:review", args=[structure.code]), data)
    assert response["Location"] == reverse("actions:plan", args=[structure.code])
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.progress) == (ActionStatus.IN_PROGRESS, 35)
    assert b.status == ActionStatus.TO_START
    reviews = ActionReview.objects.filter(reviewed_on=days(-1))
    assert sorted(r.sheet.title for r in reviews) == ["Action A", "Action B"]
    plan = plain(client.get(response["Location"]))
    assert "Revue du" in plan and "enregistrée pour 2 actions." in plan


def test_one_wrong_line_of_the_monthly_review_saves_nothing(structure, version, agent):
    a = new_sheet(structure, version, agent, title="Action A")
    new_sheet(structure, version, agent, title="Action B")
    data = {
        "reviewed_on": days(0).isoformat(),
        "fiches": ["1", "2"],
        "fiche-1-status": "in_progress",
        "fiche-1-progress": "35",
        "fiche-2-status": "abandoned",
        "fiche-2-progress": "250",
        "fiche-2-note": "",
    }
    response = client_for(agent).post(reverse("actions:review", args=[structure.code]), data)
    assert response.status_code == 400
    text = plain(response)
    assert "2 erreurs empêchent l’enregistrement" in text
    assert "Fiche n° 2 : L’avancement est un nombre entier de 0 à 100." in text
    assert "Fiche n° 2 : Indiquez dans la note pourquoi l’action est abandonnée." in text
    assert 'href="#id_fiche-2-progress"' in response.content.decode()
    a.refresh_from_db()
    assert a.status == ActionStatus.TO_START and not ActionReview.objects.exists()
    # What was typed stays in the form.
    assert 'value="35"' in response.content.decode()


def test_a_monthly_review_in_the_future_is_refused(structure, version, agent):
    new_sheet(structure, version, agent)
    data = {"reviewed_on": days(2).isoformat(), "fiches": ["1"], "fiche-1-status": "to_start",
            "fiche-1-progress": "0"}  # fmt: skip
    response = client_for(agent).post(reverse("actions:review", args=[structure.code]), data)
    assert response.status_code == 400
    assert "Date de la revue : La date de la revue ne peut pas être dans le futur." in plain(
        response
    )
    assert not ActionReview.objects.exists()


def test_the_plan_says_when_the_monthly_review_is_due(structure, version, agent):
    sheet = new_sheet(structure, version, agent)  # written 30 days ago: not due yet
    assert "La revue mensuelle est à faire" not in plain(get(agent, "actions:plan", structure.code))
    ActionSheet.objects.filter(pk=sheet.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert "La revue mensuelle est à faire" in plain(get(agent, "actions:plan", structure.code))
    sheet.record_review(by=agent, on=days(0), status=ActionStatus.IN_PROGRESS, progress=5)
    assert "La revue mensuelle est à faire" not in plain(get(agent, "actions:plan", structure.code))


# -- the plan: late actions, filters ---------------------------------------------------


def test_late_actions_stand_out(structure, version, agent, manager):
    new_sheet(structure, version, agent, title="À l’heure")
    new_sheet(structure, version, manager, title="En retard", responsible=manager,
              start_date=days(-40), planned_end_date=days(-4))  # fmt: skip
    response = get(agent, "actions:plan", structure.code)
    text = plain(response)
    assert "en retard de 4 jours" in text
    assert "1 en retard" in text
    html = response.content.decode()
    assert html.count('class="autodiag-late-row"') == 1
    assert "En retard (à lancer)" in html  # the timeline's words, not a colour alone
    detail = plain(get(agent, "actions:detail", structure.code, 2))
    assert "Cette action est en retard de 4 jours" in detail


def test_the_plan_filters(structure, version, agent, manager):
    new_sheet(structure, version, agent, title="Courriers", commitment=5)
    new_sheet(structure, version, agent, title="Conférence", commitment=7,
                     responsible=manager, start_date=days(-40), planned_end_date=days(-4))  # fmt: skip
    done = new_sheet(structure, version, agent, title="Délais", commitment=4)
    done.record_review(by=agent, on=days(0), status=ActionStatus.DONE, progress=100)

    def titles(**params):
        page = get(agent, "actions:plan", structure.code, **params)
        return [sheet.title for sheet in page.context["sheets"]]

    assert titles() == ["Courriers", "Conférence", "Délais"]
    assert titles(statut="done") == ["Délais"]
    assert titles(statut="en-retard") == ["Conférence"]
    assert titles(engagement="5") == ["Courriers"]
    assert titles(responsable=str(manager.pk)) == ["Conférence"]
    assert titles(statut="to_start", engagement="7") == ["Conférence"]
    page = get(agent, "actions:plan", structure.code, statut="n-importe-quoi")
    assert [s.title for s in page.context["sheets"]] == ["Courriers", "Conférence", "Délais"]
    assert "Sélectionnez un choix valide" in page.content.decode()
    exported = client_for(agent).get(
        reverse("actions:export_xlsx", args=[structure.code]), {"statut": "done"}
    )
    rows = list(load_workbook(io.BytesIO(exported.content))["Plan d’actions"].values)
    assert [row[4] for row in rows[1:]] == ["Délais"]


def test_an_empty_plan(structure, version, agent):
    text = plain(get(agent, "actions:plan", structure.code))
    assert "Aucune fiche action pour l’instant." in text


# -- exports ------------------------------------------------------------------------------


def test_the_xlsx_export_has_every_field_and_the_reviews(structure, version, agent, manager):
    sheet = new_sheet(
        structure,
        version,
        agent,
        title='=HYPERLINK("http://exemple.test", "piège")',
        contributors=[manager],
        other_contributors="Deux usagers",
        users_asked=True,
        indicators="+33 appels",
    )
    sheet.record_review(by=manager, on=days(-2), status=ActionStatus.IN_PROGRESS, progress=25,
                        note="@bien lancé")  # fmt: skip
    response = client_for(agent).get(reverse("actions:export_xlsx", args=[structure.code]))
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert re.match(
        rf'attachment; filename="autodiag-{structure.code}-plan-actions-\d{{4}}-\d\d-\d\d.xlsx"',
        response["Content-Disposition"],
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Plan d’actions", "Revues"]
    plan = workbook["Plan d’actions"]
    header = [cell.value for cell in plan[1]]
    assert header[:6] == ["N°", "Engagement", "Intitulé de l’engagement", "Thématique",
                          "Libellé de l’action", "Responsable"]  # fmt: skip
    row = dict(zip(header, [cell for cell in plan[2]], strict=True))
    assert row["N°"].value == 1 and row["Engagement"].value == 5
    assert row["Thématique"].value == "Clarté de l’information"
    # A title that looks like a formula stays a text.
    assert row["Libellé de l’action"].value.startswith("=HYPERLINK")
    assert row["Libellé de l’action"].data_type == "s"
    assert row["Indicateurs de suivi"].data_type == "s"
    assert (
        row["Démarrage"].value.date() == days(-20)
        and row["Démarrage"].number_format == "DD/MM/YYYY"
    )
    assert row["Contributeurs"].value == manager.display_name
    assert row["« Vous nous l’avez demandé »"].value == "oui"
    assert row["État"].value == "En cours" and row["Avancement (%)"].value == 25
    assert row["Dernière revue"].value.date() == days(-2)
    reviews = list(workbook["Revues"].values)
    assert reviews[1][:6] == (1, sheet.title, reviews[1][2], "À lancer", "En cours", 25)
    assert reviews[1][6] == "@bien lancé" and reviews[1][7] == manager.display_name
    assert plan.freeze_panes == "A2" and plan.auto_filter.ref == "A1:W2"


def test_the_pdf_export(structure, version, agent, manager):
    new_sheet(structure, version, agent, title="Relire les courriers", responsible=manager)
    late = new_sheet(structure, version, agent, title="Réunir les élus",
                     start_date=days(-40), planned_end_date=days(-4))  # fmt: skip
    late.record_review(by=agent, on=days(-1), status=ActionStatus.IN_PROGRESS, progress=50,
                       note="Salle réservée.")  # fmt: skip
    response = client_for(agent).get(reverse("actions:export_pdf", args=[structure.code]))
    pdf = response.content
    assert response["Content-Type"] == "application/pdf" and pdf.startswith(b"%PDF-")
    streams = pdf_streams(pdf)
    assert b"/StructTreeRoot" in streams and b"pdfuaid:part" in streams
    text = pdf_text(pdf)
    for expected in ("Plan d’actions", structure.name, "Relire les courriers", "Réunir les élus",
                     "Fiche action n° 2", "Problématique identifiée", "Salle réservée.",
                     "en retard de 4 jours", "Dominique Bernard", "Page 1 sur"):  # fmt: skip
        assert expected in text, expected


# -- the poster and the public page ------------------------------------------------------


def plan_for_users(structure, version, agent):
    """Four sheets: under way (asked by users), done, to start, abandoned."""
    under_way = new_sheet(structure, version, agent, title="Former au langage clair",
                          users_asked=True, planned_end_date=days(75))  # fmt: skip
    under_way.record_review(by=agent, on=days(-3), status=ActionStatus.IN_PROGRESS, progress=40,
                            note="Note interne à ne pas afficher")  # fmt: skip
    done = new_sheet(structure, version, agent, title="Afficher les délais", commitment=4)
    done.record_review(by=agent, on=days(-2), status=ActionStatus.DONE, progress=100)
    new_sheet(structure, version, agent, title="Action pas encore lancée")
    dropped = new_sheet(structure, version, agent, title="Action abandonnée")
    dropped.record_review(by=agent, on=days(-1), status=ActionStatus.ABANDONED, progress=0,
                          note="Plus utile")  # fmt: skip


@pytest.mark.parametrize(("paper", "size"), [("A4", b"595.2"), ("A3", b"841.8"), ("a3", b"841.8")])
def test_the_poster(paper, size, validated, version, agent):
    structure = validated.structure
    plan_for_users(structure, version, agent)
    response = client_for(agent).get(
        reverse("actions:poster", args=[structure.code]), {"format": paper}
    )
    pdf = response.content
    assert response["Content-Type"] == "application/pdf"
    assert f"affiche-{paper.lower()}" in response["Content-Disposition"]
    streams = pdf_streams(pdf)
    assert b"/StructTreeRoot" in streams
    assert re.search(rb"/MediaBox \[0 0 " + re.escape(size), streams)
    text = pdf_text(pdf)
    assert len(pdf_pages_text(pdf)) == 1
    assert (
        "Nos 8 engagements" in text and "Votre demande est traitée dans les délais annoncés" in text
    )
    assert "76,4 %" in text and "83,6 %" in text
    assert "Former au langage clair" in text and "Afficher les délais" in text
    assert "Vous nous l’avez demandé".upper() in text.upper()
    for hidden in ("pas encore lancée", "abandonnée", "Note interne", agent.display_name):
        assert hidden not in text, hidden


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 9])
def test_the_poster_keeps_to_one_page(count, validated, version, agent):
    # Fewer actions, larger type (actions.views.poster_type_scale): one page still.
    structure = validated.structure
    for n in range(count):
        sheet = new_sheet(structure, version, agent, title=f"Action numéro {n + 1} " + "mot " * 12,
                          objective="Un objectif assez long pour remplir la carte. " * 6)  # fmt: skip
        sheet.record_review(by=agent, on=days(0), status=ActionStatus.IN_PROGRESS, progress=10)
    pdf = client_for(agent).get(reverse("actions:poster", args=[structure.code])).content
    pages = pdf_pages_text(pdf)
    if pages is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert len(pages) == 1
    # The testimonies' short link and QR code hold on the same page (issue 15).
    assert "Je donne mon avis avec Services Publics+" in " ".join(pages[0].split())
    if count == 9:
        assert "Et 3 autres actions" in " ".join(pages[0].split())


def test_an_unknown_poster_size_is_404(structure, agent):
    response = client_for(agent).get(
        reverse("actions:poster", args=[structure.code]), {"format": "A0"}
    )
    assert response.status_code == 404


def test_the_public_page_shows_what_the_poster_shows(validated, version, agent, manager):
    structure = validated.structure
    plan_for_users(structure, version, agent)
    ActionPlan.objects.of(structure).publish(manager)
    text = plain(client_for(None).get(reverse("actions:public", args=[structure.code])))
    assert "Nos engagements et nos actions" in text and structure.name in text
    assert "76,4 %" in text and "Former au langage clair" in text and "Afficher les délais" in text
    assert "Vous nous l’avez demandé" in text and "Des courriers clairs pour tous." in text
    # An overdue action keeps its planned end, said to be past.
    assert "En cours · fin prévue en" in text and ", dépassée" not in text
    for hidden in ("pas encore lancée", "Action abandonnée", "Note interne", agent.display_name,
                   manager.display_name):  # fmt: skip
        assert hidden not in text, hidden


def test_publishing_from_the_display_page(structure, version, agent, manager):
    url = reverse("actions:display", args=[structure.code])
    assert "Seul un responsable de la structure décide" in plain(
        get(agent, "actions:display", structure.code)
    )
    assert "Publier la page" in plain(get(manager, "actions:display", structure.code))
    client_for(manager).post(url, {"public": "1"})
    text = plain(get(manager, "actions:display", structure.code))
    assert "Publiée" in text and "Retirer la page publique" in text
    assert client_for(None).get(reverse("actions:public", args=[structure.code])).status_code == 200
    client_for(manager).post(url, {"public": "0"})
    assert client_for(None).get(reverse("actions:public", args=[structure.code])).status_code == 404


def test_the_poster_gives_the_public_address_once_published(structure, version, agent, manager):
    ActionPlan.objects.of(structure).publish(manager)
    text = pdf_text(client_for(agent).get(reverse("actions:poster", args=[structure.code])).content)
    assert f"/engagements/{structure.code}/" in text
    assert "Notre premier autodiagnostic est en cours" in text


# -- the next diagnostic: changes beside the actions done -----------------------------------


def test_results_show_the_change_beside_the_actions_done(structure, version, agent, manager):
    last_year = dict(example_answers(), **{"modeles-bienveillants": 0})
    previous = validated_diagnostic(structure, version, agent, manager, last_year, days_ago=400)
    between = new_sheet(structure, version, agent, title="Modèles de courriers bienveillants",
                        commitment=1, theme="accueil-bienveillant", start_date=days(-390),
                        created_at=timezone.now() - datetime.timedelta(days=395))  # fmt: skip
    between.record_review(by=agent, on=days(-200), status=ActionStatus.DONE, progress=100)
    current = validated_diagnostic(structure, version, agent, manager, days_ago=10)
    after = new_sheet(structure, version, agent, title="Action finie après", commitment=1)
    after.record_review(by=agent, on=days(-1), status=ActionStatus.DONE, progress=100)
    response = get(agent, "reports:results", current.pk)
    text = plain(response)
    section = text[text.index("Évolution des engagements et actions réalisées") :]
    since = timezone.localtime(previous.validated_at)
    assert f"depuis le diagnostic validé le {since.day}" in section
    row = section[section.index("1. Dans le respect mutuel") :]
    assert row.startswith("1. Dans le respect mutuel")
    assert "83,6 % +4,5 pts n° 1, Modèles de courriers bienveillants (le " in row
    assert "Action finie après" not in section
    assert "aucune" in section  # the other commitments


def test_a_draft_shows_the_actions_done_since_the_last_diagnostic(
    structure, version, agent, manager
):
    from autodiag.diagnostics.models import Diagnostic

    validated_diagnostic(structure, version, agent, manager, days_ago=200)
    done = new_sheet(structure, version, agent, title="Action réalisée depuis", commitment=5)
    done.record_review(by=agent, on=days(-2), status=ActionStatus.DONE, progress=100)
    draft = Diagnostic.objects.start(structure, by=agent, questionnaire=version, prefill=True)
    text = plain(get(agent, "reports:results", draft.pk))
    section = text[text.index("Évolution des engagements et actions réalisées") :]
    assert "n° 1, Action réalisée depuis" in section


# -- heads ------------------------------------------------------------------------------------


def head_of(structure, **scope):
    from autodiag.accounts.models import User

    head = User.objects.create_user(email="tete@cnaf.test", password=PASSWORD)
    Scope.objects.create(user=head, kind=ScopeKind.NETWORK, network=structure.network, **scope)
    return head


def test_heads_count_actions_by_commitment_and_state(structure, version, agent, manager):
    sister = make_structure("CAF16TEST", "CAF de la Charente — agence test")
    sister.department_code, sister.region_code = "16", "75"
    sister.save()
    foreign = make_structure("PREF69X", "Préfecture hors réseau", "Intérieur")
    new_sheet(structure, version, agent, commitment=5)
    new_sheet(
        structure, version, agent, commitment=5, start_date=days(-40), planned_end_date=days(-2)
    )
    done = new_sheet(structure, version, agent, commitment=4)
    done.record_review(by=agent, on=days(0), status=ActionStatus.DONE, progress=100)
    new_sheet(sister, version, agent, commitment=5)
    new_sheet(foreign, version, agent, commitment=5)  # another network: never counted
    head = head_of(structure)
    page = get(head, "actions:scope")
    table = page.context["table"][0]
    five = table["lines"][4]
    assert (five["number"], five["statuses"], five["total"], five["late"]) == (
        5,
        [3, 0, 0, 0],
        3,
        1,
    )
    assert table["lines"][3]["statuses"] == [0, 0, 1, 0]
    assert table["totals"]["total"] == 4 and table["totals"]["late"] == 1
    assert "2 structures sur 2 ont au moins une fiche action." in plain(page)
    in_69 = get(head, "actions:scope", departement="69").context["table"][0]
    assert in_69["totals"]["total"] == 3
    assert "Actions du périmètre" in plain(get(head, "structures:scope"))


def test_heads_read_a_plan_without_writing(structure, version, agent):
    new_sheet(structure, version, agent)
    head = head_of(structure)
    text = plain(get(head, "actions:plan", structure.code))
    assert "lecture seule" in text and "Nouvelle fiche action" not in text
    assert "Enregistrer le point" not in plain(get(head, "actions:detail", structure.code, 1))


def test_a_review_made_on_a_stale_page_is_refused(structure, version, agent, manager):
    """A teammate completed the action while the page was open: the old
    page's "en cours" must not reopen it."""
    sheet = new_sheet(structure, version, agent)
    sheet.record_review(by=agent, on=days(-2), status=ActionStatus.IN_PROGRESS, progress=50)
    sheet.record_review(by=manager, on=days(-1), status=ActionStatus.DONE, progress=100)
    stale = {"reviewed_on": days(0).isoformat(), "fiches": ["1"], "fiche-1-seen_status": "in_progress",
             "fiche-1-status": "in_progress", "fiche-1-progress": "60"}  # fmt: skip
    response = client_for(agent).post(reverse("actions:review", args=[structure.code]), stale)
    assert response.status_code == 400
    assert "Un membre de l’équipe a fait le point sur cette action" in plain(response)
    point = client_for(agent).post(
        reverse("actions:point", args=[structure.code, 1]),
        {"reviewed_on": days(0).isoformat(), "seen_status": "in_progress",
         "status": "in_progress", "progress": "60"},
    )  # fmt: skip
    assert point.status_code == 400
    sheet.refresh_from_db()
    assert sheet.status == ActionStatus.DONE and sheet.reviews.count() == 2


def test_a_departed_responsible_stays_in_the_filter(structure, version, agent):
    departed = make_member("parti@caf.test", structure, "agent", "Sam", "Parti")
    new_sheet(structure, version, agent, responsible=departed)
    Membership.objects.filter(user=departed).delete()
    page = get(agent, "actions:plan", structure.code, responsable=str(departed.pk))
    assert [s.responsible for s in page.context["sheets"]] == [departed]


@pytest.mark.parametrize(
    "name", ["actions:plan", "actions:review", "actions:export_xlsx", "actions:export_pdf"]
)
def test_pages_read_a_plan_in_a_fixed_number_of_queries(name, structure, version, agent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client_for(agent).get(reverse(name, args=[structure.code])).status_code == 200
        return len(captured)

    for _ in range(2):
        new_sheet(structure, version, agent, contributors=[agent]).record_review(
            by=agent, on=days(0), status=ActionStatus.IN_PROGRESS, progress=10
        )
    few = queries()
    for _ in range(8):
        new_sheet(structure, version, agent, contributors=[agent]).record_review(
            by=agent, on=days(0), status=ActionStatus.IN_PROGRESS, progress=10
        )
    assert queries() == few


def test_an_overdue_action_keeps_its_planned_end_on_the_public_page(
    validated, version, agent, manager
):
    structure = validated.structure
    late = new_sheet(structure, version, agent, title="Action en retard",
                     start_date=days(-120), planned_end_date=days(-10))  # fmt: skip
    late.record_review(by=agent, on=days(-3), status=ActionStatus.IN_PROGRESS, progress=60)
    ActionPlan.objects.of(structure).publish(manager)
    text = plain(client_for(None).get(reverse("actions:public", args=[structure.code])))
    from autodiag.actions.plan import month_year

    when = month_year(days(-10)).replace("\u00a0", " ")
    assert f"En cours · fin prévue en {when}, dépassée" in text
