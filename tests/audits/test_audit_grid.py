"""The label's audit grid as data (seed 004): every control point with its
text, grouped by commitment and audited theme, the scale, the named levels
of 6.2 and 6.3, the notes on where points apply, and the "OR" criteria
apart; and the format extensions it needs, checked like the rest."""

import copy
import re
from fractions import Fraction

import pytest
import yaml

from autodiag.questionnaires.loader import (
    VERSIONS_DIR,
    QuestionnaireError,
    build_questionnaire,
    load_questionnaire,
)
from autodiag.questionnaires.schema import QuestionType
from autodiag.scoring.answers import AnswerValueError, normalize_answer, parse_answer_sheet
from autodiag.scoring.engine import score

from ..conftest import DATA

# Every control point of seed 004, written out.
SEED_004_POINTS = [
    "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10", "1.11", "1.12", "1.13",
    "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "2.13",
    "2.14", "2.15", "2.16",
    "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12",
    "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8",
    "5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7",
    "6.1", "6.2", "6.3", "6.4", "6.5",
    "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "7.7", "7.8", "7.9", "7.10", "7.11", "7.12", "7.13",
    "7.14",
    "8.1", "8.2", "8.3", "8.4", "8.5", "8.6", "8.7", "8.8", "8.9",
]  # fmt: skip
SEED_004_OR = [
    "OR.1", "OR.2", "OR.3", "OR.4", "OR.5", "OR.6", "OR.7", "OR.8", "OR.9", "OR.10", "OR.11",
    "OR.12",
]  # fmt: skip

# The audited themes whose headings the extraction of seed 004 kept.
SEED_THEMES = {
    "Diversité des canaux de contact": ["2.1", "2.2", "2.3", "2.4"],
    "Accompagnement des usagers dans les lieux d’accueil, en ligne et par téléphone": [
        "3.1", "3.2", "3.3", "3.4", "3.5",
    ],
    "Transmission d’une réponse à toute demande écrite (démarche ou réclamation)": [
        "4.1", "4.2", "4.3",
    ],
    "Visibilité pour les usagers sur l’avancement du traitement de leurs demandes "
    "(démarches ou réclamations)": ["4.4", "4.5"],
    "Gestion des délais de traitement": ["4.6", "4.7", "4.8"],
    "Communications écrites et orales simples et faciles à comprendre": [
        "5.1", "5.2", "5.3", "5.4", "5.5",
    ],
    "Déploiement des indicateurs communs des services publics": ["6.1", "6.2", "6.3"],
    "Prise en compte de l’avis des usagers (directe ou indirecte)": ["7.1", "7.2", "7.3", "7.4"],
}  # fmt: skip

EVERY_POINT = {"typologie": "etat", "controle-recouvrement": "oui"}


@pytest.fixture(scope="module")
def grid():
    return load_questionnaire("audit-label-2026")


def points_of(grid):
    return [q for q in grid.questions() if q.scored]


def test_the_grid_holds_every_point_of_seed_004_in_order(grid):
    assert grid.kind == "audit" and grid.is_audit
    assert [q.id for q in points_of(grid)] == SEED_004_POINTS + SEED_004_OR
    assert list(grid.audit_points) == SEED_004_POINTS + SEED_004_OR
    assert all(grid.audit_points[point] for point in grid.audit_points)  # short titles


def test_points_are_grouped_by_commitment_and_audited_theme(grid):
    for question in points_of(grid):
        section = grid.section(question.section_id)
        if question.id.startswith("OR."):
            assert question.commitment is None and section.apart
        else:
            assert question.commitment == int(question.id.split(".")[0]) == section.commitment
    for title, points in SEED_THEMES.items():
        section = next(s for s in grid.sections if s.title == title)
        assert [q.id for q in section.questions][: len(points)] == points
    # Every theme belongs to one commitment; the commitments in order, 8 of them.
    assert [c.number for c in grid.commitments] == list(range(1, 9))
    numbers = [s.commitment for s in grid.sections if not s.profile and not s.apart]
    assert numbers == sorted(numbers) and set(numbers) == set(range(1, 9))


def test_or_criteria_are_a_group_of_their_own(grid):
    apart = [s for s in grid.sections if s.apart]
    assert len(apart) == 1
    assert apart[0].title == (
        "Critères du label « OR » dédiés au management de l’amélioration continue"
    )
    assert [q.id for q in apart[0].questions] == SEED_004_OR


def test_the_scale_and_what_each_position_means(grid):
    assert grid.scale_labels[0].startswith("Les exigences spécifiées ne sont pas respectées")
    assert "initiée mais n’est pas finalisée" in grid.scale_labels[1]
    assert "certains éléments manquent encore" in grid.scale_labels[2]
    assert "appropriées par les agents et appliquées" in grid.scale_labels[3]
    assert all(q.type is QuestionType.SCALE for q in points_of(grid))


@pytest.mark.parametrize("point", ["6.2", "6.3"])
def test_named_levels_of_6_2_and_6_3(grid, point):
    question = grid.question(point)
    assert question.level_names == (
        "Non conforme",
        "Point sensible",
        "Point de progrès",
        "Conforme",
    )
    assert question.level_name(Fraction(1, 4)) == "Point sensible"
    assert all(question.scale_labels)  # what each level means for this point


@pytest.mark.parametrize(
    ("level", "value"),
    [
        ("Non conforme", Fraction(0)),
        ("Point sensible", Fraction(1, 4)),
        ("point de progrès", Fraction(3, 4)),
        ("conforme", Fraction(1)),
        ("point-de-progres", Fraction(3, 4)),
    ],
)
def test_named_levels_score_as_the_scale_says(grid, level, value):
    answers = {q.id: "1" for q in points_of(grid)} | EVERY_POINT
    answers["6.2"] = level
    answers["6.3"] = level
    report = score(grid, parse_answer_sheet(grid, answers))
    assert report.questions["6.2"].points == value
    assert report.questions["6.3"].points == value
    commitment_6 = next(c for c in report.commitments if c.number == 6)
    assert commitment_6.ratio == (3 + 2 * value) / 5


def test_a_level_name_is_only_for_points_that_name_their_levels(grid):
    with pytest.raises(AnswerValueError, match=re.escape("0, 0.25, 0.75 ou 1")):
        normalize_answer(grid.question("6.1"), "Conforme")
    with pytest.raises(AnswerValueError, match="Point sensible"):
        normalize_answer(grid.question("6.2"), "presque conforme")


def test_notes_on_where_points_apply(grid):
    for point in ("1.10", "1.11"):
        question = grid.question(point)
        assert question.note == "Point applicable aux activités de contrôle et de recouvrement."
        assert [c.question_id for c in question.conditions] == ["controle-recouvrement"]
    for point in ("1.12", "5.6", "6.4"):
        assert grid.question(point).note.startswith("Pour les collectivités territoriales")
        assert not grid.question(point).conditions  # partly required: the auditor judges
    assert "Non applicable aux collectivités territoriales" in grid.question("7.1").note
    assert grid.question("8.1").not_applicable and "volontariat" in grid.question("8.1").note
    assert "1° aux sanctions requises" in grid.commitment(1).note


def test_points_apply_to_the_structure_as_the_notes_say(grid):
    answers = {q.id: "0.75" for q in points_of(grid)}
    local_authority = {"typologie": "collectivite", "controle-recouvrement": "non"}
    sheet = {k: v for k, v in answers.items() if k not in ("1.10", "1.11", "7.1")}
    report = score(grid, parse_answer_sheet(grid, sheet | local_authority))
    assert report.complete
    hidden = [pid for pid, r in report.questions.items() if r.status == "hidden"]
    assert hidden == ["1.10", "1.11", "7.1"]
    with pytest.raises(Exception, match="masquée"):
        parse_answer_sheet(grid, answers | local_authority)


def test_or_criteria_count_apart_from_the_global_score(grid):
    answers = {q.id: "1" for q in points_of(grid)} | EVERY_POINT
    answers |= {point: "0" for point in SEED_004_OR}
    report = score(grid, parse_answer_sheet(grid, answers))
    assert report.global_ratio == 1
    assert [t.section_id for t in report.apart] == ["criteres-or"]
    assert report.apart[0].ratio == 0 and report.apart[0].maximum == 12
    assert report.to_json()["apart"][0]["display"] == "0\u00a0%"


def test_texts_are_clean_french(grid):
    """No OCR damage left: straight apostrophes, lost accents, ligatures,
    pipes and brackets read for letters, words cut at a line end."""
    damage = re.compile(
        r"'|\bI'|\|'|\[|ceuvre|\ba I|\ba l’|\ba la\b|\bauprés\b|\benquéte|contréle"
        r"|\bdéja\b|\bmaitrise\b|\bpiéce|\bprogrés\b|\bcritéres\b|\w- \w|\bIIs\b|\bIl amis\b"
    )
    texts = [grid.title, grid.description, *grid.scale_labels]
    for question in grid.questions():
        texts += [question.text, question.title, question.note, question.help]
        texts += list(question.scale_labels or ()) + list(question.level_names or ())
    texts += [c.title + c.note for c in grid.commitments]
    texts += [s.title + s.intro for s in grid.sections]
    for text in texts:
        assert not damage.search(text), text


def test_every_point_keeps_its_lists(grid):
    assert "\n- Priorité donnée à l’usager présent" in grid.question("1.2").text
    assert grid.question("2.3").text.count("\n- ") == 3
    assert grid.question("5.2").text.count("\n- ") == 4
    assert grid.question("OR.2").text.count("\n- ") == 4


def test_the_2026_questionnaire_prepares_points_of_this_grid(grid, sp2026):
    """The self-diagnostic's audit references are points of the grid."""
    assert set(sp2026.audit_points) == set(SEED_004_POINTS)
    assert set(sp2026.audit_points) <= set(grid.audit_points)


# -- the format's extensions, checked like the rest ---------------------------


@pytest.fixture
def grid_document():
    path = VERSIONS_DIR / "audit-label-2026.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def problems(document) -> list[str]:
    with pytest.raises(QuestionnaireError) as info:
        build_questionnaire(document, file_name="grille.yaml")
    return [str(problem) for problem in info.value.problems]


def section(document, section_id):
    return next(s for s in document["sections"] if s["id"] == section_id)


def point(document, number):
    for s in document["sections"]:
        for q in s["questions"]:
            if q.get("point") == number:
                return q
    raise KeyError(number)


def test_every_problem_of_a_grid_at_once_and_nothing_loaded(grid_document):
    broken = copy.deepcopy(grid_document)
    point(broken, "1.3")["point"] = "1.2"  # a duplicate
    point(broken, "2.1")["id"] = "canaux"  # points have no id
    section(broken, "criteres-or")["apart"] = False  # OR criteria outside a group apart
    point(broken, "6.2")["levels"]["0.25"] = {"name": "Non conforme", "text": "…"}
    point(broken, "4.4")["type"] = "choice"
    del point(broken, "5.1")["title"]
    point(broken, "3.1")["commitment"] = 4
    found = problems(broken)
    expected = [
        "grille.yaml : point de contrôle « 1.2 », champ « point » : point de contrôle en double",
        "grille.yaml : point de contrôle « 2.1 », champ « id » : un point de contrôle s'identifie",
        "grille.yaml : point de contrôle « OR.1 », champ « point » : le critère « OR.1 » ne relève",
        "grille.yaml : point de contrôle « 6.2 », champ « levels » : chaque position porte un nom différent",
        "grille.yaml : point de contrôle « 4.4 », champ « type » : un point de contrôle se note",
        "grille.yaml : point de contrôle « 5.1 », champ « title » : champ obligatoire manquant",
        "grille.yaml : point de contrôle « 3.1 », champ « commitment » : la section « accueil-bienveillant »",
    ]
    for start in expected[:-1]:
        assert any(line.startswith(start) for line in found), (start, found)
    assert any("la section « accompagnement-usagers » sert l'engagement 3" in p for p in found)


def test_a_point_sits_with_its_commitment(grid_document):
    broken = copy.deepcopy(grid_document)
    section(broken, "diversite-canaux")["questions"].append(
        {"point": "3.99", "type": "scale", "title": "Égaré", "text": "Un point égaré."}
    )
    assert any(
        "le point « 3.99 » relève de l'engagement 3, pas de l'engagement 2" in p
        for p in problems(broken)
    )


def test_a_grid_declares_no_audit_points_header(grid_document):
    broken = copy.deepcopy(grid_document)
    broken["audit_points"] = {"1.1": "Politesse"}
    assert any("champ « audit_points » : une grille d'audit" in p for p in problems(broken))


def test_levels_need_the_four_positions_each_named(grid_document):
    broken = copy.deepcopy(grid_document)
    del point(broken, "6.3")["levels"]["1"]
    point(broken, "6.2")["levels"]["0"] = "Non conforme"
    found = problems(broken)
    assert any("« 6.3 », champ « levels » : exactement les positions" in p for p in found)
    assert any("« 6.2 », champ « levels.0 » : un nom (name) et un texte" in p for p in found)


def test_kind_defaults_to_the_self_diagnostic_and_is_checked():
    document = yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))
    document.pop("kind", None)
    assert build_questionnaire(document).kind == "autodiagnostic"
    document["kind"] = "labellisation"
    assert any("type inconnu « labellisation »" in p for p in problems(document))


def test_self_diagnostics_may_use_sections_serving_one_commitment():
    document = yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))
    eco = section(document, "eco")
    eco["commitment"] = 3
    for question in eco["questions"]:
        question.pop("commitment", None)
    questionnaire = build_questionnaire(document)
    assert {q.commitment for q in questionnaire.section("eco").questions if q.scored} == {3}
    # A point field belongs to audit grids only.
    eco["questions"][0]["point"] = "3.1"
    assert any("champ « point » : champ inconnu" in p for p in problems(document))


def test_the_generated_grid_document_is_current(grid):
    from autodiag.questionnaires.outline import markdown

    from ..conftest import ROOT

    document = ROOT / "docs" / "audit-grid.md"
    assert document.read_text(encoding="utf-8") == markdown(grid), (
        "docs/audit-grid.md est périmé : lancez `make docs`"
    )


def test_a_blank_answer_sheet_of_the_grid_keeps_point_numbers(grid):
    """`autodiag answers template` quotes the points: YAML would read 1.10 as 1.1."""
    from autodiag.questionnaires.outline import answers_template

    sheet = yaml.safe_load(answers_template(grid))
    answers = sheet["answers"]
    assert "1.10" in answers and "1.1" in answers and "OR.12" in answers
    filled = {key: "1" for key in answers} | EVERY_POINT
    report = score(grid, parse_answer_sheet(grid, filled))
    assert report.complete and report.global_ratio == 1
