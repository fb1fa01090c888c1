"""Reading questionnaire files: every problem reported with its place, and
nothing loaded from a file that has one."""

import copy

import pytest
import yaml

from autodiag.questionnaires.loader import (
    QuestionnaireError,
    build_questionnaire,
    content_hash,
    load_questionnaire,
)
from autodiag.questionnaires.schema import QuestionType

from .conftest import DATA


@pytest.fixture
def document():
    return yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))


def problems_of(document) -> list[str]:
    with pytest.raises(QuestionnaireError) as info:
        build_questionnaire(document, file_name="v.yaml")
    return [str(problem) for problem in info.value.problems]


def question(document, question_id):
    for section in document["sections"]:
        for q in section["questions"]:
            if q["id"] == question_id:
                return q
    raise KeyError(question_id)


def test_the_test_questionnaire_loads_with_its_parts(mini):
    assert mini.id == "mini"
    assert [s.id for s in mini.sections] == ["profil", "accueil", "contact", "eco"]
    politesse = mini.question("politesse")
    assert politesse.type is QuestionType.CHANNEL_ROWS
    assert politesse.weight == 2 and politesse.commitment == 1
    assert [item.channel for item in politesse.items] == ["accueil", "telephone", "courriel"]
    assert mini.question("frequence-rappel").option("souvent").value == pytest.approx(0.75)
    assert mini.question("svi-infos").conditions[0].question_id == "svi"
    assert mini.question("plateforme").national


def test_duplicate_question_id_is_reported_with_its_place(document):
    question(document, "posture")["id"] = "politesse"
    assert (
        "v.yaml : question « politesse », champ « id » : identifiant de question en double"
        in problems_of(document)
    )


def test_unknown_commitment_and_theme_level_errors(document):
    question(document, "posture")["commitment"] = 9
    assert any(
        "question « posture », champ « commitment » : engagement inconnu 9" in p
        for p in problems_of(document)
    )


def test_value_outside_zero_one(document):
    document["option_sets"]["frequence"][0]["value"] = 1.5
    assert any(
        "comprise entre 0 et 1 (reçu : 1.5)" in p and "frequence-rappel" in p
        for p in problems_of(document)
    )


@pytest.mark.parametrize("weight", [0, -1, "deux"])
def test_weight_must_be_positive(document, weight):
    question(document, "politesse")["weight"] = weight
    assert any("question « politesse », champ « weight »" in p for p in problems_of(document))


def test_condition_on_unknown_question(document):
    question(document, "svi-infos")["when"] = {"serveur-vocal": "oui"}
    found = problems_of(document)
    assert any(
        "champ « when.serveur-vocal » : condition sur une question inconnue" in p for p in found
    )


def test_condition_value_must_exist(document):
    question(document, "svi-infos")["when"] = {"canaux": ["fax"]}
    assert any("canal inconnu(e) 'fax'" in p for p in problems_of(document))


def test_rule_table_of_the_wrong_length(document):
    question(document, "energie")["rule"] = [0, 0.5, 1]
    found = problems_of(document)
    assert any(
        "la table compte 3 valeurs ; 4 sont attendues (de 0 à 3 « Oui »)" in p for p in found
    )


def test_rule_table_must_rise_to_one(document):
    question(document, "energie")["rule"] = [0, 0.75, 0.25, 0.5]
    found = problems_of(document)
    assert any("croître" in p for p in found) and any("valent 1" in p for p in found)


def test_rule_table_refused_when_items_can_drop_out(document):
    question(document, "plateforme")["rule"] = [0, 0.5, 1]
    assert any(
        "une table n'est possible que si aucune proposition ne peut être retirée" in p
        for p in problems_of(document)
    )


def test_every_problem_is_reported_at_once(document):
    question(document, "posture")["weight"] = 0
    question(document, "politesse")["commitment"] = 12
    question(document, "energie")["typo_field"] = True
    del document["title"]
    found = problems_of(document)
    assert len(found) == 4
    assert any("champ « typo_field » : champ inconnu" in p for p in found)
    assert any("en-tête, champ « title » : champ obligatoire manquant" in p for p in found)


def test_audit_point_unquoted_number_is_caught(document):
    question(document, "posture")["audit_points"] = [1.1]
    assert any("entre guillemets" in p for p in problems_of(document))


def test_uncovered_audit_point_must_be_explained(document):
    del document["audit_points_not_covered"]
    found = problems_of(document)
    assert any(
        "point de contrôle « 3.2 »" in p and "aucune question ne le prépare" in p for p in found
    )


def test_profile_types_only_in_profile_section(document):
    document["sections"][1]["questions"].append({"id": "x", "type": "boolean", "text": "?"})
    assert any("n'est possible que dans le profil" in p for p in problems_of(document))


def test_commitment_without_scored_question(document):
    document["commitments"].append({"number": 4, "title": "Vide"})
    assert any("engagement 4" in p and "aucune question notée" in p for p in problems_of(document))


def test_nothing_is_half_loaded(document):
    document["sections"][2]["questions"][0]["options"] = "inconnu"
    with pytest.raises(QuestionnaireError):
        build_questionnaire(copy.deepcopy(document))


def test_yaml_syntax_error_gives_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert "ligne 3" in str(info.value) and "YAML invalide" in str(info.value)


def test_duplicate_yaml_key_is_an_error(tmp_path):
    text = (
        (DATA / "mini.yaml")
        .read_text(encoding="utf-8")
        .replace("title: Questionnaire de test", "title: A\ntitle: B", 1)
    )
    path = tmp_path / "mini.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert "la clé « title » apparaît deux fois" in str(info.value)


def test_file_name_must_match_id(tmp_path):
    path = tmp_path / "autre.yaml"
    path.write_text((DATA / "mini.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert "« mini » diffère du nom du fichier « autre »" in str(info.value)


def test_unknown_version_lists_the_shipped_ones():
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire("sp-plus-1999")
    assert "version inconnue « sp-plus-1999 »" in str(info.value)


def test_content_hash_ignores_comments_and_layout(tmp_path, mini):
    text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    path = tmp_path / "mini.yaml"
    path.write_text("# un commentaire de plus\n\n" + text, encoding="utf-8")
    assert load_questionnaire(path).content_hash == mini.content_hash


def test_content_hash_changes_with_content(document, mini):
    document["title"] = "Autre titre"
    assert content_hash(document) != mini.content_hash
