"""The results page and the two PDFs: who may see them, that a validated
diagnostic shows its frozen figures, the change since the previous
diagnostic, a draft's provisional marks, and the PDFs themselves."""

import html
import re

import pytest
from django.urls import reverse
from django.utils.timezone import localtime

from autodiag.diagnostics.models import Diagnostic
from autodiag.reports.context import (
    Change,
    exact,
    pdf_filename,
    questionnaire_context,
    results_context,
)

from .conftest import client_for, example_answers, fill, validated_with_frozen_report
from .factories import pdf_pages_text, pdf_streams, validated_diagnostic

pytestmark = pytest.mark.django_db

URLS = ["reports:results", "reports:results_pdf", "reports:questionnaire_pdf"]
NBSP = "\u00a0"


def page_text(response) -> str:
    """The page's text, tags removed and entities decoded, ASCII white space
    folded (no-break spaces kept: they are part of the figures)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"[ \t\r\n]+", " ", text)


def results_page(user, diagnostic) -> str:
    response = client_for(user).get(reverse("reports:results", args=[diagnostic.pk]))
    assert response.status_code == 200
    return response.content.decode()


# -- who may see ----------------------------------------------------------------


@pytest.mark.parametrize("name", URLS)
def test_members_get_the_results_and_pdfs_of_a_validated_diagnostic(name, validated, agent):
    response = client_for(agent).get(reverse(name, args=[validated.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", URLS)
def test_members_get_the_results_and_pdfs_of_a_draft(name, draft, agent):
    fill(draft, agent, skip={"controle-qualite-accueil"})
    response = client_for(agent).get(reverse(name, args=[draft.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", URLS)
def test_members_of_another_structure_get_404(name, validated, outsider):
    response = client_for(outsider).get(reverse(name, args=[validated.pk]))
    assert response.status_code == 404
    assert validated.structure.name.encode() not in response.content


@pytest.mark.parametrize("name", URLS)
def test_anonymous_visitors_are_sent_to_sign_in(name, validated):
    url = reverse(name, args=[validated.pk])
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert url in response["Location"]


def test_an_unknown_diagnostic_is_404(agent):
    assert client_for(agent).get(reverse("reports:results", args=[999999])).status_code == 404


# -- a validated diagnostic: the frozen report ------------------------------------


def test_validated_results_show_the_frozen_figures(validated, agent):
    text = page_text(client_for(agent).get(reverse("reports:results", args=[validated.pk])))
    report = validated.result.report
    assert report["global"]["display"] == f"76,4{NBSP}%"  # the CAF example sheet
    assert f"Taux d’atteinte global 76,4{NBSP}%" in text
    for commitment in report["commitments"]:
        assert commitment["display"] in text
    assert f"1. {report['commitments'][0]['title']} 83,6{NBSP}% 18,4 / 22" in text.replace(
        "\u202f", " "
    )
    assert "Résultats provisoires" not in text
    assert "Validé" in text


def test_validated_results_never_recompute(draft, agent, manager, monkeypatch):
    # Whatever the answers or the engine would say today, the page shows the
    # report frozen at validation.
    def edit(frozen):
        frozen["global"]["display"] = f"12,3{NBSP}%"
        frozen["commitments"][0]["display"] = f"45,6{NBSP}%"
        frozen["commitments"][0]["score"] = 45.6

    validated = validated_with_frozen_report(draft, agent, manager, edit)

    def no_live_report(*args, **kwargs):
        raise AssertionError("a validated diagnostic is never scored again")

    monkeypatch.setattr(Diagnostic, "report", no_live_report)
    for name in ("reports:results", "reports:results_pdf"):
        assert client_for(agent).get(reverse(name, args=[validated.pk])).status_code == 200
    text = page_text(client_for(agent).get(reverse("reports:results", args=[validated.pk])))
    assert f"12,3{NBSP}%" in text and f"45,6{NBSP}%" in text
    assert f"76,4{NBSP}%" not in text


def test_a_commitment_not_evaluated_is_left_out_and_explained(draft, agent, manager):
    # A frozen report where commitment 6 had nothing applicable (a profile
    # the 2026 questionnaire does not produce, hence written here).
    def edit(frozen):
        frozen["commitments"][5].update(score=None, display="non évalué", points=0, max_points=0)
        frozen["commitments"][5]["themes"] = []
        frozen["global"]["commitments_not_evaluated"] = [6]

    validated = validated_with_frozen_report(draft, agent, manager, edit)
    frozen = validated.result.report
    text = page_text(client_for(agent).get(reverse("reports:results", args=[validated.pk])))
    assert "Moyenne des taux d’atteinte des 7 engagements évalués" in text
    assert "Un engagement non évalué" in text
    title = frozen["commitments"][5]["title"]
    assert f"Engagement 6 ({title}){NBSP}: aucune question ne s’applique à la structure." in text
    assert "n’entre pas dans la moyenne du taux d’atteinte global" in text


def test_page_links_to_both_pdfs_and_the_structure(validated, agent):
    page = results_page(agent, validated)
    assert reverse("reports:results_pdf", args=[validated.pk]) in page
    assert reverse("reports:questionnaire_pdf", args=[validated.pk]) in page
    assert reverse("structures:detail", args=[validated.structure.code]) in page
    assert f'href="{reverse("diagnostics:overview", args=[validated.pk])}"' not in page


def test_strengths_and_support_needs_grouped_by_theme(validated, agent):
    text = page_text(client_for(agent).get(reverse("reports:results", args=[validated.pk])))
    answers = example_answers()
    strengths = " ".join(answers["accueil-physique-points-forts"].split())
    needs = " ".join(answers["accueil-physique-besoins-appui"].split())
    assert f"Accueil physique Points forts {strengths} Besoins d’appui {needs}" in text


def test_channels_have_a_chart_and_a_table(validated, agent):
    page = results_page(agent, validated)
    section = page[page.index('id="resultats-canaux"') :]
    for channel in validated.result.report["channels"]:
        assert channel["label"] in section


# -- change since the previous validated diagnostic --------------------------------


def test_change_since_the_previous_diagnostic(structure, version, agent, manager):
    # Last year, one scale question of commitment 1 (weight 1, of 22 points
    # there) was at 0 instead of 1: commitment 1 gains 100/22 = 4.545 points
    # of percentage, the others nothing, the global score a eighth of it.
    last_year = dict(example_answers(), **{"modeles-bienveillants": 0})
    previous = validated_diagnostic(structure, version, agent, manager, last_year, days_ago=400)
    current = validated_diagnostic(structure, version, agent, manager)
    text = page_text(client_for(agent).get(reverse("reports:results", args=[current.pk])))
    since = f"{localtime(previous.validated_at):%d/%m/%Y}"
    assert f"Évolution depuis le {since}" in text
    assert f"83,6{NBSP}% 18,4 / 22 +4,5{NBSP}pts" in text.replace("\u202f", " ")
    # The 7 other commitments, in the table, in the detail by theme, and in
    # the action plan's table (the change beside the actions done).
    assert text.count(f" 0{NBSP}pt") == 7 * 3
    assert f"+0,6{NBSP}pt ({previous.result.report['global']['display']} alors)" in text


def test_results_of_an_older_diagnostic_compare_with_the_one_before(
    structure, version, agent, manager
):
    first = validated_diagnostic(structure, version, agent, manager, days_ago=800)
    second = validated_diagnostic(structure, version, agent, manager, days_ago=400)
    validated_diagnostic(structure, version, agent, manager)  # later: not a "previous"
    text = page_text(client_for(agent).get(reverse("reports:results", args=[second.pk])))
    assert f"Évolution depuis le {localtime(first.validated_at):%d/%m/%Y}" in text
    first_text = page_text(client_for(agent).get(reverse("reports:results", args=[first.pk])))
    assert "Premier diagnostic validé de la structure" in first_text
    assert "nouveau" in first_text


def test_a_draft_compares_with_the_last_validated_diagnostic(structure, version, agent, manager):
    previous = validated_diagnostic(structure, version, agent, manager, days_ago=400)
    draft = Diagnostic.objects.start(structure, by=agent, questionnaire=version)
    fill(draft, agent)
    text = page_text(client_for(agent).get(reverse("reports:results", args=[draft.pk])))
    assert f"Évolution depuis le {localtime(previous.validated_at):%d/%m/%Y}" in text


@pytest.mark.parametrize(
    ("current", "previous", "text", "kind"),
    [
        (83.63636363636364, 79.0909090909091, f"+4,5{NBSP}pts", "up"),
        (50, 51.5, f"\u22121,5{NBSP}pt", "down"),  # a true minus sign; singular below 2
        (60, 58, f"+2{NBSP}pts", "up"),
        (75, 75.04, f"0{NBSP}pt", "same"),  # rounds to nothing
        (75, 74.95, f"+0,1{NBSP}pt", "up"),  # 0.05 exactly rounds half up
        (40, None, "nouveau", "new"),
        (None, 40, "sans objet", "none"),
    ],
)
def test_change_wording(current, previous, text, kind):
    change = Change.between(current, previous)
    assert (change.text, change.kind) == (text, kind)


# -- a draft: provisional results ----------------------------------------------------


def test_draft_results_are_provisional_and_count_missing_answers(draft, agent):
    skipped = {"controle-qualite-accueil", "modeles-bienveillants", "signaletique"}
    fill(draft, agent, skip=skipped)
    page = results_page(agent, draft)
    text = page_text(client_for(agent).get(reverse("reports:results", args=[draft.pk])))
    assert "fr-alert--warning" in page
    assert f"Résultats provisoires{NBSP}: le diagnostic est en cours" in text
    assert "3 questions affichées sont encore sans réponse" in text
    live = draft.report().to_json()
    assert f"Taux d’atteinte global {live['global']['display']}" in text
    assert reverse("diagnostics:overview", args=[draft.pk]) in page
    assert (
        "no-cache"
        in client_for(agent).get(reverse("reports:results", args=[draft.pk]))["Cache-Control"]
    )


def test_a_commitment_without_applicable_question_is_explained(draft, agent):
    # Only the profile answered: nothing is scored yet, every commitment is
    # "non évalué" and the page says why instead of showing 0 %.
    answers = example_answers()
    profile = {q.id for q in draft.version.questions() if q.is_profile or q.section_id == "profil"}
    fill(draft, agent, {qid: value for qid, value in answers.items() if qid in profile})
    text = page_text(client_for(agent).get(reverse("reports:results", args=[draft.pk])))
    assert "8 engagements non évalués" in text
    assert "aucune réponse notée pour l’instant" in text
    assert "n’entre pas dans la moyenne" in text
    assert "Taux d’atteinte global non évalué" in text


def test_an_empty_draft_has_results_and_a_questionnaire_to_read(draft, agent):
    # Nothing answered but the identity the referential fills in.
    text = page_text(client_for(agent).get(reverse("reports:results", args=[draft.pk])))
    assert "Taux d’atteinte global non évalué" in text
    assert "Aucun engagement n’est évalué pour l’instant" in text
    assert "Aucun point fort ni besoin d’appui n’a été saisi pour l’instant" in text
    assert get_pdf(agent, "reports:results_pdf", draft).content.startswith(b"%PDF-")
    context = questionnaire_context(draft)
    assert context["sections"][0]["section"].id == "profil"
    assert context["counts"]["unanswered"] > 0


# -- charts ---------------------------------------------------------------------------


def test_every_chart_is_an_accessible_image_with_its_table(validated, agent):
    page = results_page(agent, validated)
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) == 1 + 8 + 1  # commitments, themes of each commitment, channels
    for svg in charts:
        assert 'role="img"' in svg
        labelled = re.search(r'aria-labelledby="([^"]+) ([^"]+)"', svg)
        assert labelled
        assert f'<title id="{labelled[1]}">' in svg and f'<desc id="{labelled[2]}">' in svg
        assert "<style" not in svg and "<script" not in svg and " style=" not in svg
        assert 'font-family="Marianne, arial, sans-serif"' in svg
    # Every chart has its data table (other tables of the page, such as the
    # users' testimonies, have no chart).
    tables = re.findall(r'<table>\s*<caption id="graphique-.*?</table>', page, re.S)
    assert len(tables) == len(charts)
    for table in tables:
        assert "<caption id=" in table and 'scope="col"' in table and 'scope="row"' in table


def test_the_commitments_chart_and_table_carry_the_same_figures(validated, agent):
    page = results_page(agent, validated)
    start = page.index('id="graphique-engagements"')
    block = page[start : page.index("</table>", start)]
    svg, table = block.split("</svg>")
    for commitment in validated.result.report["commitments"]:
        figure = html.escape(commitment["display"]).replace(NBSP, "&nbsp;")
        shown = commitment["display"]
        assert shown in svg or figure in svg
        assert shown in table or figure in table


# -- PDFs -----------------------------------------------------------------------------


def get_pdf(user, name, diagnostic):
    response = client_for(user).get(reverse(name, args=[diagnostic.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response


@pytest.mark.parametrize("name", ["reports:results_pdf", "reports:questionnaire_pdf"])
def test_pdfs_are_tagged_pdf_ua_in_french_with_a_title(name, validated, agent):
    response = get_pdf(agent, name, validated)
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    streams = pdf_streams(pdf)
    assert b"/StructTreeRoot" in streams
    assert b"/MarkInfo <</Marked true>>" in streams
    assert b"pdfuaid:part" in streams
    assert b"/Lang (fr)" in streams
    title = re.search(rb"<dc:title>.*?<rdf:li[^>]*>(.*?)</rdf:li>", streams, re.S)[1]
    assert validated.structure.name in title.decode()
    assert "Brouillon" not in title.decode()
    kind = "resultats" if name == "reports:results_pdf" else "questionnaire"
    stamp = localtime(validated.validated_at).date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="autodiag-{validated.structure.code}-{kind}-{stamp}.pdf"'
    )


@pytest.mark.parametrize("name", ["reports:results_pdf", "reports:questionnaire_pdf"])
def test_a_draft_pdf_says_brouillon_on_every_page_and_in_its_title(name, draft, agent):
    fill(draft, agent, skip={"controle-qualite-accueil"})
    pdf = get_pdf(agent, name, draft).content
    title = re.search(rb"<dc:title>.*?<rdf:li[^>]*>(.*?)</rdf:li>", pdf_streams(pdf), re.S)[1]
    assert title.decode().startswith("Brouillon — ")
    pages = pdf_pages_text(pdf)
    if pages is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert len(pages) > 1
    assert all("Brouillon" in page for page in pages)


def test_validated_pdfs_do_not_say_brouillon(validated, agent):
    pages = pdf_pages_text(get_pdf(agent, "reports:results_pdf", validated).content)
    if pages is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert not any("Brouillon" in page for page in pages)
    assert f"76,4{NBSP}%" in pages[0] or "76,4 %" in pages[0]


def test_results_pdf_holds_the_same_content_as_the_page(validated, agent):
    pages = pdf_pages_text(get_pdf(agent, "reports:results_pdf", validated).content)
    if pages is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = " ".join(" ".join(pages).split())
    # The same order as the page, the programme's report's (seeds 000, 001).
    positions = [text.index(heading) for heading in REPORT_HEADINGS]
    assert positions == sorted(positions)
    assert "Page 1 sur" in text


REPORT_HEADINGS = (
    "Vision synthétique",
    "Taux d’atteinte global",
    "Vision par engagement",
    "Vision par canal de contact",
    "Vision détaillée par engagement",
    "Points forts et besoins d’appui",
)


def test_results_read_like_the_programme_report(validated, agent):
    text = page_text(client_for(agent).get(reverse("reports:results", args=[validated.pk])))
    positions = [text.index(heading) for heading in REPORT_HEADINGS]
    assert positions == sorted(positions)
    page = results_page(agent, validated)
    synthesis = page[page.index('id="vision-synthetique"') : page.index('id="vision-detaillee"')]
    # Commitments and channels side by side on a wide screen (the DSFR grid).
    assert "fr-col-lg-7" in synthesis and "fr-col-lg-5" in synthesis
    assert 'id="graphique-engagements"' in synthesis and 'id="graphique-canaux"' in synthesis


def test_each_commitment_holds_its_own_themes_with_the_same_figures(validated, agent):
    context = results_context(validated)
    report = validated.result.report
    for commitment, frozen in zip(context["commitments"], report["commitments"], strict=True):
        titles = [t["title"] for t in commitment["themes"]]
        # The label grid's themes, not the questionnaire's sections repeated
        # under every commitment they serve.
        assert "Formations" not in titles and "Accueil physique" not in titles
        assert len(titles) == len(set(titles))
        points = sum(exact(t["points"]) for t in commitment["themes"])
        maximum = sum(exact(t["max_points"]) for t in commitment["themes"])
        assert (points, maximum) == (exact(frozen["points"]), exact(frozen["max_points"]))
    third = [t["title"] for t in context["commitments"][2]["themes"]]
    assert third[0].startswith("Accompagnement des usagers")
    text = page_text(client_for(agent).get(reverse("reports:results", args=[validated.pk])))
    assert "celles de la grille d’audit du label Services Publics+" in text


def test_questionnaire_pdf_shows_answers_in_words(draft, agent):
    fill(draft, agent, skip={"controle-qualite-accueil"})
    pages = pdf_pages_text(get_pdf(agent, "reports:questionnaire_pdf", draft).content)
    if pages is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = " ".join(" ".join(pages).split())
    assert "Systématiquement" in text  # an option label
    assert "Oui, c’est en place, adapté et appliqué" in text  # a scale label
    assert "Non applicable" in text
    assert "Sans réponse" in text
    assert "Camille Martin" in text


# -- the filled questionnaire's content ------------------------------------------------


def test_questionnaire_lists_displayed_questions_only_in_order(draft, agent):
    # The town hall's profile: no e-mail channel, no IVR, no control activity.
    fill(draft, agent, example_answers("mairie"), skip={"controle-qualite-accueil"})
    context = questionnaire_context(draft)
    entries = [q for s in context["sections"] for q in s["questions"]]
    shown = [q["question"].id for q in entries]
    hidden = {qid for qid, r in draft.report().questions.items() if r.status == "hidden"}
    assert {"svi-informations", "droit-erreur-verification"} <= hidden
    assert not hidden & set(shown)
    order = [q.id for q in draft.version.questions()]
    assert shown == sorted(shown, key=order.index)
    assert [q["number"] for q in entries] == list(range(1, len(shown) + 1))
    by_id = {q["question"].id: q for q in entries}
    assert by_id["controle-qualite-accueil"]["words"] == {"text": "Sans réponse", "answered": False}
    assert context["counts"]["unanswered"] == 1
    words = {qid: entry["words"].get("text") for qid, entry in by_id.items()}
    assert words["priorite-usager-present"] == "Oui, la plupart du temps"
    assert words["affluence-accueil"] == "Non applicable"
    assert words["signaletique"] == "C’est en place, mais certains éléments manquent encore"
    assert words["svi"] == "Non"
    assert words["canaux"] == (
        "Accueil physique, Téléphone et visioconférence, Courrier, Site internet et démarches en ligne"
    )
    assert words["accueil-physique-points-forts"].startswith("Accueil de plain-pied")
    # Rows of an unused channel (e-mail) are not listed.
    rows = by_id["politesse-canaux"]["words"]["rows"]
    assert [row["answer"] for row in rows] == ["Oui", "Oui", "Oui"]
    assert len(rows) == 3 and not any("courriels" in row["text"] for row in rows)
    assert by_id["politesse-canaux"]["commitment"].number == 1
    assert by_id["politesse-canaux"]["weight"] == "2"
    assert by_id["priorite-usager-present"]["changed_by"] == "Camille Martin"


def test_free_texts_left_empty_are_not_counted_as_missing(draft, agent):
    fill(draft, agent, example_answers("mairie"))
    context = questionnaire_context(draft)
    by_id = {q["question"].id: q for s in context["sections"] for q in s["questions"]}
    assert by_id["accueil-telephonique-points-forts"]["words"]["text"] == "Non renseigné"
    assert context["counts"]["unanswered"] == 0


def test_questionnaire_flags_answers_to_confirm(structure, version, agent, manager):
    validated_diagnostic(structure, version, agent, manager, days_ago=400)
    draft = Diagnostic.objects.start(structure, by=agent, questionnaire=version, prefill=True)
    draft.confirm_answer("signaletique", agent)
    context = questionnaire_context(draft)
    flags = {q["question"].id: q["to_confirm"] for s in context["sections"] for q in s["questions"]}
    assert flags["signaletique"] is False
    assert flags["priorite-usager-present"] is True
    assert context["counts"]["to_confirm"] == sum(flags.values())


def test_pdf_filename_of_a_draft_says_brouillon(draft):
    assert pdf_filename(draft, "questionnaire").startswith(
        f"autodiag-{draft.structure.code}-questionnaire-brouillon-"
    )


# -- the blank questionnaire, before starting (seed 000) ------------------------------


def test_the_whole_questionnaire_is_offered_signed_out(version):
    login = client_for(None).get(reverse("accounts:login")).content.decode()
    assert reverse("reports:blank_questionnaire") in login
    response = client_for(None).get(reverse("reports:blank_questionnaire"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdf_pages_text(response.content)
    if pages is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = " ".join(" ".join(pages).split())
    every = [q for q in version.questionnaire().questions()]
    assert f"Les {len(every)} questions du questionnaire" in text
    assert "selon la structure" in text and "Canal non disponible" in text
    assert "Oui, c’est en place, adapté et appliqué" in text  # a scale position


def test_a_structure_s_blank_questionnaire_follows_its_profile(validated, agent):
    url = reverse("reports:structure_blank_questionnaire", args=[validated.structure.code])
    assert client_for(None).get(url).status_code == 302  # sign in first
    response = client_for(agent).get(url)
    assert response.status_code == 200
    pages = pdf_pages_text(response.content)
    if pages is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = " ".join(" ".join(pages).split())
    listed = questionnaire_context(validated)["sections"]  # every question its profile shows
    displayed = sum(len(entry["questions"]) for entry in listed)
    assert f"Les {displayed} questions que la structure aura à renseigner" in text
    assert "selon la structure" not in text
