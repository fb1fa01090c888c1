"""The shipped 2026 questionnaire: it loads, keeps to the programme's rules,
covers the audit grid, and its generated reference document is current."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from autodiag.questionnaires.outline import markdown
from autodiag.questionnaires.schema import SCORED_TYPES, QuestionType
from autodiag.scoring.engine import score

from .conftest import ROOT
from .strategies import extreme_sheet

SEED_004_POINTS = (
    [f"1.{n}" for n in range(1, 14)]
    + [f"2.{n}" for n in range(1, 17)]
    + [f"3.{n}" for n in range(1, 13)]
    + [f"4.{n}" for n in range(1, 9)]
    + [f"5.{n}" for n in range(1, 8)]
    + [f"6.{n}" for n in range(1, 6)]
    + [f"7.{n}" for n in range(1, 15)]
    + [f"8.{n}" for n in range(1, 10)]
)

SECTION_ORDER = [
    "profil",
    "accueil-physique",
    "accueil-telephonique",
    "courrier-courriel",
    "site-internet",
    "accueil-bienveillant",
    "incivilites",
    "loi-essoc",
    "accompagnement-personnalise",
    "accompagnement-demarches",
    "proactivite",
    "delais",
    "clarte",
    "resultats",
    "amelioration-continue",
    "eco-responsabilite",
    "formations",
]

EVERYTHING = {
    "canaux": ["accueil-physique", "telephone", "courrier", "courriel", "internet"],
    "typologie": "etat",
    "controle-recouvrement": "oui",
    "svi": "oui",
    "demarches-en-ligne": "oui",
}


def test_sections_follow_the_order_of_the_programme(sp2026):
    assert [section.id for section in sp2026.sections] == SECTION_ORDER


def test_eight_commitments_of_2026(sp2026):
    assert [c.number for c in sp2026.commitments] == list(range(1, 9))
    assert (
        sp2026.commitment(2).title
        == "Vous pouvez facilement entrer en contact avec vos services publics"
    )


def test_every_audit_point_of_the_grid_is_prepared(sp2026):
    assert list(sp2026.audit_points) == SEED_004_POINTS
    coverage = sp2026.audit_coverage()
    uncovered = [point for point in SEED_004_POINTS if not coverage[point]]
    assert uncovered == sorted(sp2026.audit_points_not_covered) == []


def test_the_seven_weighted_questions(sp2026):
    weighted = sorted((q.commitment, int(q.weight)) for q in sp2026.questions() if q.weight != 1)
    assert weighted == [(1, 2), (1, 2), (1, 2), (4, 2), (5, 3), (8, 2), (8, 3)]


def test_every_scored_question_names_its_commitment_and_audit_points(sp2026):
    for question in sp2026.questions():
        if question.type in SCORED_TYPES:
            assert question.commitment and question.audit_points, question.id


def test_free_text_fields_close_every_theme(sp2026):
    for section in sp2026.sections[1:]:
        purposes = [q.purpose for q in section.questions[-2:]]
        assert purposes == ["points-forts", "besoins-appui"], section.id


def test_filters_of_the_programme(sp2026):
    def conditions(point):
        return {
            c.question_id
            for q in sp2026.questions()
            if point in q.audit_points
            for c in q.conditions
        }

    assert "controle-recouvrement" in conditions("1.10") and "controle-recouvrement" in conditions(
        "1.11"
    )
    assert "svi" in conditions("2.9") and "svi" in conditions("2.10")
    assert "typologie" in conditions("7.1") and "typologie" in conditions("8.1")
    for point in (
        "1.12",
        "5.6",
        "6.4",
    ):  # the SP+ platform part is not required of local authorities
        items = [i for q in sp2026.questions() if point in q.audit_points for i in q.items]
        assert any(
            c.question_id == "typologie" and c.negate for i in items for c in i.conditions
        ), point


def test_not_applicable_is_offered_on_chosen_questions_only(sp2026):
    scored = [q for q in sp2026.questions() if q.scored]
    offered = [q for q in scored if q.not_applicable]
    assert 0 < len(offered) < len(scored) / 4


def test_national_level_items_are_marked(sp2026):
    assert any(q.national for q in sp2026.questions())


@pytest.mark.parametrize("typologie", ["etat", "collectivite", "hopital"])
def test_all_best_answers_score_100_and_all_worst_0(sp2026, typologie):
    profile = {**EVERYTHING, "typologie": typologie}
    best = score(sp2026, extreme_sheet(sp2026, profile, best=True))
    worst = score(sp2026, extreme_sheet(sp2026, profile, best=False))
    assert best.complete and worst.complete
    assert best.global_ratio == 1 and all(c.ratio == 1 for c in best.commitments)
    assert all(ch.ratio == 1 for ch in best.channels)
    assert worst.global_ratio == 0 and all(c.ratio == 0 for c in worst.commitments)


def test_texts_have_no_ocr_damage(sp2026):
    damaged = re.compile(r"\bI'|\bceuvre|\bmaitri|\bprocéde\b|\benquéte|\ba partir\b|\bdéja\b|  ")
    texts = [sp2026.title, *sp2026.audit_points.values()]
    for question in sp2026.questions():
        texts += [
            question.text,
            question.help,
            *(i.text for i in question.items),
            *(o.label for o in question.options),
        ]
    assert [t for t in texts if damaged.search(t)] == []


def test_generated_reference_document_is_current(sp2026):
    document = ROOT / "docs" / "questionnaire-2026.md"
    assert document.read_text(encoding="utf-8") == markdown(sp2026), (
        "docs/questionnaire-2026.md est périmé : lancez `make docs`"
    )


EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_score_complete(example: Path):
    result = subprocess.run(
        [sys.executable, "-m", "autodiag", "score", str(example)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "le diagnostic peut être validé" in result.stdout


def test_three_examples_are_shipped():
    assert {p.stem for p in EXAMPLES} == {"prefecture-accueil", "caf-agence", "mairie"}


def test_unscored_types_outside_the_profile_are_free_texts(sp2026):
    for section in sp2026.sections[1:]:
        assert all(q.scored or q.type is QuestionType.TEXT for q in section.questions)
